"""Dependency audit: pip-audit over the installed environment, failing on any known vulnerability.

pip-audit asks PyPI for the advisories of each installed version (``/pypi/<name>/<version>/json``) or OSV. A
package index that serves only the project documents (``/pypi/<name>/json``, as some mirrors do) makes
pip-audit skip every package. For those, this script reads the advisories PyPI lists in the project document,
which are the ones of the newest release: they apply when the installed version is that release. A package
that is neither audited by pip-audit nor at its newest release is printed as NOT AUDITED, loudly, by name.

Exit status: 1 when a vulnerability is known for an installed version (or pip-audit itself fails), else 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

INDEX = "https://pypi.org/pypi"
PROJECT = "kaufrunde"


def main() -> int:
    """Audit the environment this interpreter runs in; print what was found and what could not be checked."""
    pip_audit = Path(sys.executable).with_name("pip-audit")
    found = subprocess.run(
        [str(pip_audit), "--skip-editable", "-f", "json", "--progress-spinner", "off"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(found.stdout)
    except json.JSONDecodeError:
        print(found.stderr, file=sys.stderr)
        print("pip-audit gave no report", file=sys.stderr)
        return 1
    vulnerable: list[str] = []
    unaudited: list[str] = []
    audited = 0
    for dependency in report["dependencies"]:
        name, version = dependency["name"], dependency.get("version")
        if name == PROJECT:
            continue
        if "skip_reason" not in dependency:
            audited += 1
            vulnerable += [f"{name} {version}: {vuln['id']}" for vuln in dependency.get("vulns", [])]
            continue
        version = version or _installed_version(name)
        latest = _project(name)
        if latest is None or version is None or latest["info"]["version"] != version:
            unaudited.append(f"{name} {version}")
            continue
        audited += 1
        vulnerable += [
            f"{name} {version}: {vuln['id']} (fixed in {', '.join(vuln.get('fixed_in') or ['-'])})"
            for vuln in latest.get("vulnerabilities") or []
            if not vuln.get("withdrawn")
        ]
    print(f"dependency audit: {audited} packages audited, {len(vulnerable)} known vulnerabilities")
    for line in vulnerable:
        print(f"  VULNERABLE {line}")
    if unaudited:
        print(f"NOT AUDITED ({len(unaudited)}): the index gave no advisories for these versions:")
        for line in unaudited:
            print(f"  NOT AUDITED {line}")
    return 1 if vulnerable else 0


def _project(name: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{INDEX}/{name}/json", timeout=20) as answer:
            document: dict[str, Any] = json.load(answer)
    except (OSError, ValueError):
        return None
    return document


def _installed_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
