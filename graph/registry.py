"""The bioregistry's records for the prefixes crtkg uses, extracted into graph/registry.json.

Importing the bioregistry loads its whole registry: about a second, half of a build of the
real graph. As with the import modules (ODK style), the records the identifier checks need
are extracted once, by `crtkg imports registry`, into a committed file that the build reads
instead. A test compares the file with the installed bioregistry, so it cannot go stale
unnoticed. Only a prefix missing from the extract loads the bioregistry itself, to say
whether the prefix is unknown or just not extracted yet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from graph.files import read_source, write_atomically
from graph.namespaces import EXTERNAL_PREFIXES, PREFIXES

REGISTRY_FILE = Path(__file__).resolve().parent / "registry.json"
# The prefixes of the project's own namespaces, which no registry has.
LOCAL_PREFIXES = ("kg", "crtkg", "graph")
# OBO PURLs and obo: CURIEs in the sources name the OBO prefixes the data uses.
_OBO_PREFIX = re.compile(r"(?:obolibrary\.org/obo/|\bobo:)([A-Za-z]+)_\w")


@dataclass(frozen=True)
class Record:
    """What the checks need of one bioregistry entry."""

    prefix: str  # the bioregistry's own name for it
    uri_prefixes: tuple[str, ...]
    pattern: str | None


@cache
def extract() -> dict[str, Record]:
    """The records of graph/registry.json, by prefix as crtkg spells it."""
    data = json.loads(read_source(REGISTRY_FILE))
    return {key: Record(value["prefix"], tuple(value["uri_prefixes"]), value["pattern"])
            for key, value in data["prefixes"].items()}


def used_prefixes(files: list[Path]) -> set[str]:
    """Every prefix the project may ask the registry about: its prefix map's, the external
    ones, and each OBO prefix its source files use."""
    used = {*PREFIXES, *EXTERNAL_PREFIXES, "snomedct"} - set(LOCAL_PREFIXES)
    for path in files:
        used |= set(_OBO_PREFIX.findall(read_source(path)))
    return used


def records_from_bioregistry(prefixes: set[str]) -> dict[str, Record]:
    """The installed bioregistry's record of each prefix it knows (imported only here)."""
    import bioregistry

    records: dict[str, Record] = {}
    for prefix in sorted(prefixes):
        name = bioregistry.normalize_prefix(prefix)
        resource = bioregistry.get_resource(name) if name else None
        if name and resource is not None:
            records[prefix] = Record(name, tuple(sorted(resource.get_uri_prefixes())),
                                     bioregistry.get_pattern(name))
    return records


def write_extract(files: list[Path]) -> tuple[Path, int]:
    """Extract the records of the prefixes `files` use into REGISTRY_FILE; the file and the
    count written. The output depends only on the inputs and the bioregistry's version."""
    records = records_from_bioregistry(used_prefixes(files))
    data = {"bioregistry_version": metadata.version("bioregistry"),
            "prefixes": {key: {"prefix": r.prefix, "uri_prefixes": list(r.uri_prefixes),
                               "pattern": r.pattern} for key, r in records.items()}}
    write_atomically(REGISTRY_FILE, json.dumps(data, indent=1, sort_keys=True) + "\n")
    extract.cache_clear()
    return REGISTRY_FILE, len(records)
