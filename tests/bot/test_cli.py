"""The command line: help texts, migrate, and loading the demo catalog twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.__main__ import cli


def test_every_command_explains_itself() -> None:
    runner = CliRunner()
    overview = runner.invoke(cli, ["--help"])
    assert overview.exit_code == 0
    for command in ("run", "migrate", "demo-data"):
        assert command in overview.output
        helped = runner.invoke(cli, [command, "--help"])
        assert helped.exit_code == 0 and len(helped.output.splitlines()) >= 3


@pytest.mark.db
def test_migrate_and_demo_data_are_idempotent(
    scratch_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", scratch_url)
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    runner = CliRunner()

    migrated = runner.invoke(cli, ["migrate"])
    assert migrated.exit_code == 0, migrated.output
    assert "up to date" in migrated.output

    first = runner.invoke(cli, ["demo-data"])
    second = runner.invoke(cli, ["demo-data"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "(304 new)" in first.output
    assert "304 products (0 new), 1339 variants (0 new), 4 stores" in second.output
    assert len(list((tmp_path / "media").rglob("*.png"))) >= 300
