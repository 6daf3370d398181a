"""The deployment files: compose.yaml runs PostgreSQL, a migration, two webhook instances and the proxy."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import Settings
from bot.web import WEBHOOK_PATH

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
EXAMPLE_ENV = ROOT / "deploy" / "example.env"
INSTANCES = ("bot-1", "bot-2")
# Telegram's limit for messages to different chats, shared by every instance of a bot.
TELEGRAM_PER_SECOND = 30


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """Parse compose.yaml (anchors and merge keys resolved, variables not)."""
    parsed = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(parsed, dict)
    return parsed


def test_compose_has_the_database_the_migration_two_instances_and_the_proxy(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "migrate", *INSTANCES, "proxy"}

    postgres = services["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert services["migrate"]["command"] == ["python", "-m", "bot", "migrate"]
    assert services["migrate"]["restart"] == "no"

    first, second = (services[name] for name in INSTANCES)
    assert first == second, "the instances are configured alike"
    assert first["command"] == ["python", "-m", "bot", "run"]
    assert first["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    environment = first["environment"]
    assert environment["WEBHOOK_SECRET"].startswith("${WEBHOOK_SECRET:?"), "one secret, required"
    assert environment["WEBHOOK_URL"].startswith("https://") and environment["WEBHOOK_URL"].endswith(
        WEBHOOK_PATH
    )
    assert environment["DATABASE_URL"] == services["migrate"]["environment"]["DATABASE_URL"]
    assert environment["DATABASE_URL"].startswith("postgresql://")
    assert set(environment) <= {name.upper() for name in Settings.model_fields}, (
        "only variables the bot reads"
    )
    rate = float(environment["BROADCAST_RATE_PER_SECOND"].removesuffix("}").split(":-")[1])
    assert rate <= TELEGRAM_PER_SECOND, "the bot's broadcasts within the limit (the instances share the rate)"

    proxy = services["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert set(proxy["depends_on"]) == set(INSTANCES)
    assert set(compose["volumes"]) >= {"pgdata", "media"}


def test_the_proxy_balances_the_webhook_over_every_instance_and_checks_their_health() -> None:
    caddyfile = CADDYFILE.read_text()
    upstreams = next(line.split()[1:-1] for line in caddyfile.splitlines() if "reverse_proxy" in line)
    assert upstreams == [f"{name}:8080" for name in INSTANCES]
    assert WEBHOOK_PATH in caddyfile
    assert "health_uri /healthz" in caddyfile


def test_docker_compose_accepts_the_file() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("NOT CHECKED: neither `docker compose` nor `docker-compose` is installed")
    checked = subprocess.run(
        [*command, "--env-file", str(EXAMPLE_ENV), "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert checked.returncode == 0, checked.stderr


def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("NOT CHECKED: caddy is not installed")
    checked = subprocess.run(
        [caddy, "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PUBLIC_HOST": "shop.example.org", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)},
    )
    assert checked.returncode == 0, checked.stderr


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker is not None:
        plugin = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
        if plugin.returncode == 0:
            return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone is not None else None
