"""gunicorn as production runs it (sync workers, DEBUG off), serving bench.wsgi."""

import contextlib
import os
import subprocess
import sys

from bench import datasets
from bench.load import wait_until_up

WORKERS = 2
PORT = int(os.environ.get("BENCH_PORT", "8105"))
LOG_DIR = datasets.ROOT / "var" / "bench"


@contextlib.contextmanager
def running(size: str, *, port: int = PORT):
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"gunicorn-{size}.log"
    command = [sys.executable, "-m", "gunicorn", "bench.wsgi:application",
               "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
               "--error-logfile", str(log), "--log-level", "warning", "--timeout", "120",
               # gunicorn 27 shares one control socket path across every server on a machine.
               "--no-control-socket"]
    env = datasets.environment(size)
    # As a deployment does: whitenoise serves from STATIC_ROOT.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"],  # noqa: S603
                   cwd=datasets.ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(command, cwd=datasets.ROOT, env=env)  # noqa: S603
    try:
        wait_until_up(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
