"""The release notes of a version: its section of CHANGELOG.md, without the heading.

    python scripts/release_notes.py VERSION   # e.g. 0.1.0, or Unreleased

Prints the text under `## [VERSION]` up to the next version's heading, to paste into (or pipe
to) a release; exits 1, naming the versions there are, if the changelog has no such section.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CHANGELOG = Path(__file__).resolve().parents[1] / "CHANGELOG.md"
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\].*$", re.MULTILINE)


def sections(changelog: str) -> dict[str, str]:
    """Each version's notes, by version, in the changelog's order."""
    headings = list(HEADING.finditer(changelog))
    ends = [h.start() for h in headings[1:]] + [len(changelog)]
    return {h["version"]: changelog[h.end():end].strip()
            for h, end in zip(headings, ends, strict=True)}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: release_notes.py VERSION", file=sys.stderr)
        return 2
    notes = sections(CHANGELOG.read_text(encoding="utf-8"))
    if argv[0] not in notes:
        print(f"{CHANGELOG.name} has no section for {argv[0]}; it has {', '.join(notes)}",
              file=sys.stderr)
        return 1
    print(notes[argv[0]])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
