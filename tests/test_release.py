"""The version is written once, and its release notes come from CHANGELOG.md."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata

from graph import __version__
from tests.helpers import ROOT

CHANGELOG = ROOT / "CHANGELOG.md"


def release_notes(version: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "release_notes.py"), version],
                          capture_output=True, text=True)


def test_the_installed_package_has_the_version_of_the_code():
    assert metadata.version("crtkg") == __version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]  # read from the code


def test_the_changelog_has_a_dated_section_for_the_package_version():
    headings = re.findall(r"^## \[(.+?)\](.*)$", CHANGELOG.read_text(), re.MULTILINE)
    assert headings[0] == ("Unreleased", "")
    assert (__version__, headings[1][1]) in headings
    assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", dict(headings)[__version__])


def test_the_release_notes_are_the_versions_section_without_its_heading():
    result = release_notes(__version__)
    assert result.returncode == 0, result.stderr
    text = CHANGELOG.read_text()
    start = text.index(f"## [{__version__}]")
    section = text[text.index("\n", start) + 1:]
    assert result.stdout.strip()
    assert section.strip().startswith(result.stdout.strip())
    assert "### Added" in result.stdout and "## [" not in result.stdout


def test_an_unknown_version_names_the_versions_there_are():
    result = release_notes("9.9.9")
    assert result.returncode == 1 and result.stdout == ""
    assert f"CHANGELOG.md has no section for 9.9.9; it has Unreleased, {__version__}" in result.stderr
