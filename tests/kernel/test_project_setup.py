"""The project's own wiring: settings, migrations, the compose file, Procfile and README agree."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


# Set by the browser tests' conftest for Playwright; a deployment never has it.
NOT_INHERITED = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ENV", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "TRUSTED_PROXIES"}


def clean_environment(**env) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in NOT_INHERITED}, **env}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_environment(**env),
                          capture_output=True, text=True, timeout=60)


SETUP = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


STRONG_KEY = "k" * 64 + "!@#$%^&*()"


def test_it_refuses_production_without_a_secret_key():
    result = run_python(SETUP, DJANGO_ENV="production", ALLOWED_HOSTS="school.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_production_without_allowed_hosts():
    result = run_python(SETUP, DJANGO_ENV="production", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_it_runs_production_with_both_and_debug_off():
    result = run_python(SETUP, DJANGO_ENV="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="school.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


WEAK_KEYS = {
    "short": ("x7Gq!" * 9, "fewer than 50 characters"),
    "few characters": ("abab" * 20, "fewer than 5 different characters"),
    "the development key": ("development-only-key-never-used-in-production", "the development key"),
    "django's development key": ("django-insecure-" + "q8#Lm2@vX9!pZ4&rT6^wY1*" * 3, "'django-insecure-'"),
}


@pytest.mark.parametrize("key, reason", WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
def test_it_refuses_to_start_production_with_a_weak_secret_key(key, reason):
    result = run_python(SETUP, DJANGO_ENV="production", SECRET_KEY=key, ALLOWED_HOSTS="school.example")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for a site with DEBUG off" in result.stderr and reason in result.stderr
    assert key not in result.stderr  # the message never repeats the key


def test_it_refuses_debug_off_with_the_embedded_development_key():
    result = run_python(SETUP, DEBUG="0")
    assert result.returncode != 0
    assert "it is the development key written in the source code" in result.stderr


def test_it_starts_in_development_with_debug_on_and_the_embedded_key():
    result = run_python("import django; django.setup(); from django.conf import settings; "
                        "print(settings.DEBUG, settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_it_refuses_trusted_proxies_that_are_not_addresses():
    result = run_python(SETUP, TRUSTED_PROXIES="10.0.0.0/8, proxy.school.example")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.school.example' is not an IP address or network" in result.stderr


def test_it_passes_the_deployment_checklist_with_the_environment_production_sets(compose):
    """``check --deploy`` with the compose file's environment for the web service, a strong key and a proxy:
    not one warning (the one silenced, HSTS preload, is documented in docs/operations.md)."""
    env = {name: resolve_defaults(value) for name, value in compose["services"]["web"]["environment"].items()}
    env.update(SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="school.example", TRUSTED_PROXIES="10.0.0.2")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env=clean_environment(**env),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_it_has_a_clean_system_check():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_it_has_every_migration():
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def resolve_defaults(value: str) -> str:
    """${NAME:-default} -> default, ${NAME:?message} -> a stand-in value, as compose would with NAME unset."""
    value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
    return re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", "value-from-env-file", value)


def test_it_composes_postgres_redis_web_worker_and_beat(compose):
    assert set(compose["services"]) == {"postgres", "redis", "web", "worker", "beat"}
    assert "gunicorn --config python:onlinesafety.gunicorn_conf onlinesafety.wsgi:application" in compose[
        "services"]["web"]["command"]  # the scrubbed access log (tests/kernel/test_logs.py)
    assert compose["services"]["worker"]["command"].startswith("celery -A onlinesafety worker")
    assert compose["services"]["beat"]["command"].startswith("celery -A onlinesafety beat")
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_it_sets_only_variables_the_settings_read(compose, service):
    environment = compose["services"][service]["environment"]
    assert set(environment) <= settings.ENVIRONMENT_VARIABLES
    assert {"DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"} <= set(environment)
    assert environment["DJANGO_ENV"] == "production"


def test_it_points_the_app_at_the_compose_database_and_broker(compose):
    postgres = compose["services"]["postgres"]["environment"]
    env = {name: resolve_defaults(value) for name, value in compose["services"]["web"]["environment"].items()}
    env["SECRET_KEY"] = STRONG_KEY  # what the .env file beside the compose file gives
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "db = s.DATABASES['default']; "
        "print(json.dumps([db['ENGINE'], db['HOST'], db['PORT'], db['NAME'], db['USER'], db['PASSWORD'], "
        "s.CELERY_BROKER_URL, s.DEBUG]))"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    import json

    engine, host, port, name, user, password, broker, debug = json.loads(result.stdout)
    assert engine == "django.db.backends.postgresql"
    assert (host, int(port), name, user) == ("postgres", 5432, postgres["POSTGRES_DB"], postgres["POSTGRES_USER"])
    assert password == resolve_defaults(postgres["POSTGRES_PASSWORD"])
    assert broker.startswith("redis://redis:6379")
    assert debug is False


def test_it_runs_web_worker_and_beat_from_the_procfile():
    procfile = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    assert set(procfile) == {"web", "worker", "beat"}
    assert "manage.py runserver" in procfile["web"]
    assert "celery -A onlinesafety worker" in procfile["worker"]
    assert "celery -A onlinesafety beat" in procfile["beat"]


def test_it_documents_every_setting_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    undocumented = {name for name in settings.ENVIRONMENT_VARIABLES if f"`{name}`" not in readme}
    assert undocumented == set()


def test_it_shows_the_two_commands_first_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    first_code = re.search(r"```(?:sh|bash)?\n(.*?)```", readme, re.S).group(1).split()
    assert first_code[:4] == ["make", "run", "make", "test"]


def test_it_vendors_every_static_asset():
    base = (ROOT / "templates" / "base.html").read_text()
    assert "http://" not in base and "https://" not in base
    for path in re.findall(r"{% static '([^']+)' %}", base):
        assert (ROOT / "static" / path).is_file(), path


def test_it_checks_each_service_is_ready_before_starting_the_ones_that_need_it(compose):
    services = compose["services"]
    assert {name for name, service in services.items() if "healthcheck" in service} == {
        "postgres", "redis", "web", "worker"}
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("web", "worker", "beat"):
        assert services[name]["restart"] == "unless-stopped"  # a worker that Redis's reconnection ended comes back
        assert services[name]["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                                "redis": {"condition": "service_healthy"}}
