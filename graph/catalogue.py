"""The named queries of `queries/`: one SPARQL file a question, with a grlc-style header.

The header is the file's leading `#+ ` comment lines, read as YAML (grlc's decorators):

    #+ summary: Which imaging modality is recommended for which clinical role?
    #+ description: ...
    #+ tags:
    #+   - recommendations
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from graph.errors import SourceError

HEADER = "#+"


@dataclass(frozen=True)
class NamedQuery:
    name: str  # the file's name without .rq
    summary: str
    text: str  # the whole file, header included (comments are valid SPARQL)
    path: Path
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


def load_catalogue(folder: Path) -> list[NamedQuery]:
    """Every `*.rq` file of the folder, by name; a broken header names its file and line."""
    return [read_named_query(p) for p in sorted(folder.glob("*.rq"))]


def read_named_query(path: Path) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(path, f"cannot read query file: {err}") from err
    lines = []
    for line in text.splitlines():
        if not line.startswith(HEADER):
            break
        lines.append(line[len(HEADER):].removeprefix(" "))
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise SourceError(path, f"broken `#+` header: {getattr(err, 'problem', err)}",
                          line) from None
    if not isinstance(header, dict) or not isinstance(header.get("summary"), str):
        raise SourceError(path, "the `#+` header needs a `summary:` line", 1)
    tags = header.get("tags") or []
    return NamedQuery(name=path.stem, summary=header["summary"].strip(), text=text, path=path,
                      description=str(header.get("description") or "").strip(),
                      tags=tuple(str(t) for t in tags))
