"""No Docker engine runs here, so the compose file is checked by reading it."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _settings_env_names():
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'(?:env|env_bool)(?:\.\w+)?\(\s*f?"([A-Z_]+)"', source))


def test_compose_runs_the_whole_system_with_health_checks():
    services = _compose()["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
    assert any(v.startswith("pgdata:") for v in services["db"]["volumes"])
    assert "pgdata" in _compose()["volumes"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_compose_environment_uses_only_variables_settings_read():
    known = _settings_env_names()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"} <= known
    for name in ("web", "worker", "beat"):
        service = _compose()["services"][name]
        env = service.get("environment") or {}
        names = set(env) if isinstance(env, dict) else {e.split("=")[0] for e in env}
        unknown = names - known
        assert not unknown, f"{name} sets variables settings never read: {unknown}"
        assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= names
