"""Settings come from the environment, fail fast, and pass `check --deploy` in production."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#k2!p9@qz-production-like-secret-key-with-enough-entropy-0f3a9c1b",
    "ALLOWED_HOSTS": "crm.gemandloupe.example",
    "DATABASE_URL": "postgres://loupe:secret@db.internal:5432/loupe",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ANYMAIL_ESP": "postmark",
    "ANYMAIL_API_KEY": "server-token",
    "WEBHOOK_SECRET": "postmark:hook-secret-with-enough-entropy-5d2e",
    "SMS_BACKEND": "followups.sms.TwilioBackend",
    "TIME_ZONE": "America/Chicago",
}


def _run(args, extra_env):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "SECRET_KEY", "HTTPS", "DATABASE_URL", "REDIS_URL",
                        "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(extra_env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def _settings(extra_env):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'db': s.DATABASES['default']['ENGINE'], "
        "'db_host': s.DATABASES['default'].get('HOST'), 'broker': s.CELERY_BROKER_URL, "
        "'email': s.EMAIL_BACKEND, 'sms': s.SMS_BACKEND, 'tz': s.TIME_ZONE, "
        "'hosts': s.ALLOWED_HOSTS, 'ssl': s.SECURE_SSL_REDIRECT}))"
    )
    result = _run(["-c", code], {"DJANGO_SETTINGS_MODULE": "config.settings", **extra_env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_values_come_from_the_environment():
    got = _settings(PRODUCTION)
    assert got == {
        "debug": False,
        "db": "django.db.backends.postgresql",
        "db_host": "db.internal",
        "broker": "redis://cache.internal:6379/0",
        "email": "anymail.backends.postmark.EmailBackend",
        "sms": "followups.sms.TwilioBackend",
        "tz": "America/Chicago",
        "hosts": ["crm.gemandloupe.example"],
        "ssl": True,
    }


def test_laptop_defaults_need_no_servers():
    got = _settings({"DEBUG": "true"})
    assert got["db"] == "django.db.backends.sqlite3"
    assert got["broker"] == "filesystem://"
    assert got["email"] == "django.core.mail.backends.console.EmailBackend"
    assert got["sms"] == "followups.sms.ConsoleBackend"
    assert got["ssl"] is False


def test_missing_secret_key_without_debug_fails_fast():
    result = _run(["manage.py", "check"], {"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_boolean_fails_fast():
    result = _run(["manage.py", "check"], {**PRODUCTION, "HTTPS": "perhaps"})
    assert result.returncode != 0
    assert "HTTPS must be true or false, not 'perhaps'" in result.stderr


def test_check_deploy_is_clean_with_production_values():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout


def test_check_deploy_errors_for_an_email_provider_without_a_webhook_secret():
    result = _run(["manage.py", "check", "--deploy"], {**PRODUCTION, "WEBHOOK_SECRET": ""})
    assert result.returncode != 0
    assert "followups.E001" in result.stderr
    assert "WEBHOOK_SECRET is empty" in result.stderr
