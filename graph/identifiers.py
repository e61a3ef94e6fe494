"""External identifiers, checked against the bioregistry: known prefix, valid local id, and
an IRI the prefix's community uses.

The checks read the bioregistry's records as graph/registry.py extracted them, offline. A
CURIE passes when its prefix is in our prefix map (graph.namespaces), the bioregistry knows
the prefix, lists our IRI among the prefix's URI prefixes, and the local id matches its
pattern.
"""

from __future__ import annotations

import re
from functools import cache

from graph.namespaces import EXTERNAL_PREFIXES, OBO, PREFIXES
from graph.registry import (
    LOCAL_PREFIXES,
    REGISTRY_FILE,
    Record,
    extract,
    records_from_bioregistry,
)

OBO_IRI = re.compile(re.escape(str(OBO)) + r"([A-Za-z]+)_(\w+)$")


# An absolute IRI as RFC 3987 spells it (scheme, authority, path, query, fragment; ASCII and
# the non-private characters of the Basic Multilingual Plane, others %-encoded; no IP
# literals). A CURIE is expanded first. It is also the OpenAPI pattern of IRI parameters,
# so it is written for ECMAScript too; whatever it admits, Oxigraph accepts (checked with
# 20,000 strings hypothesis generated from it).
_UNRESERVED = "A-Za-z0-9\\-._~\\u00A0-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFEF!$&'()*+,;="


def _chars(extra: str) -> str:
    return f"(?:[{_UNRESERVED}{extra}]|%[0-9A-Fa-f]{{2}})*"


IRI_PATTERN = ("[A-Za-z][A-Za-z0-9+.\\-]*:"
               f"(?://(?:{_chars(':')}@)?{_chars('')}(?::[0-9]*)?(?:/{_chars(':@/')})?"
               f"|(?!//){_chars(':@/')})"
               f"(?:\\?{_chars(':@/?')})?(?:#{_chars(':@/?')})?")


class IdentifierError(ValueError):
    """A CURIE or IRI that the prefix registry does not accept; the message says why."""


def record(prefix: str) -> Record:
    """The bioregistry's record of a prefix, or IdentifierError if it has none."""
    found = extract().get(prefix)
    if found is not None:
        return found
    if not records_from_bioregistry({prefix}):
        raise IdentifierError(f"unknown prefix {prefix!r}: not in the bioregistry")
    raise IdentifierError(f"prefix {prefix!r} is not in {REGISTRY_FILE.name}, the extract "
                          "of the bioregistry; run `crtkg imports registry`")


def check_namespace(prefix: str, namespace: str) -> None:
    """Raise unless `prefix:` expands to `namespace` in crtkg's own prefix map.

    A mapping set may use only the prefixes graph.namespaces declares, with the same IRIs,
    so no alias (MESH for mesh, snomedct for SCTID, http://schema.org/) slips in.
    """
    expected = EXTERNAL_PREFIXES.get(prefix) or PREFIXES.get(prefix)
    if expected is None:
        raise IdentifierError(f"prefix {prefix!r} is not one of crtkg's: declare it in "
                              "graph/namespaces.py (EXTERNAL_PREFIXES), where the bioregistry "
                              f"checks it; crtkg's are {', '.join(known_prefixes())}")
    if namespace != expected:
        raise IdentifierError(f"prefix {prefix!r} expands to {namespace}, but crtkg uses "
                              f"{expected}")


def known_prefixes() -> list[str]:
    return [*PREFIXES, *(p for p in EXTERNAL_PREFIXES if p not in PREFIXES)]


def check_registered(prefix: str, namespace: str) -> None:
    """Raise unless the bioregistry knows `prefix` and lists `namespace` among its URI
    prefixes: the check on graph/namespaces.py itself, so no namespace there is made up."""
    if namespace not in record(prefix).uri_prefixes:
        raise IdentifierError(f"{namespace} is not a URI prefix the bioregistry knows for "
                              f"{prefix!r}")


@cache
def snomed_namespaces() -> tuple[str, ...]:
    """Every IRI form of SNOMED CT the bioregistry knows, for exports that leave it out."""
    return record("snomedct").uri_prefixes


def check_local_id(prefix: str, local_id: str) -> None:
    """Raise unless the local id matches the identifier pattern of its prefix."""
    if prefix in LOCAL_PREFIXES:
        return
    pattern = record(prefix).pattern
    if pattern and not re.fullmatch(pattern.removeprefix("^").removesuffix("$"), local_id):
        raise IdentifierError(f"{prefix}:{local_id} does not match the pattern of "
                              f"{prefix!r}, {pattern}")


def expand(curie: str, curie_map: dict[str, str]) -> str:
    """The IRI of a checked CURIE, with `curie_map` giving the namespaces."""
    prefix, sep, local_id = curie.partition(":")
    if not sep or not prefix or not local_id:
        raise IdentifierError(f"{curie!r} is not a CURIE (prefix:identifier)")
    if prefix not in curie_map:
        raise IdentifierError(f"unknown prefix {prefix!r} in {curie}: not in the curie_map")
    check_local_id(prefix, local_id)
    iri = curie_map[prefix] + local_id
    if not re.fullmatch(IRI_PATTERN, iri):
        raise IdentifierError(f"{curie} does not make a valid IRI: <{iri}>")
    return iri


def external_iri(prefix: str, local_id: str) -> str:
    """The IRI of an identifier in one of our external prefixes, checked."""
    return expand(f"{prefix}:{local_id}", EXTERNAL_PREFIXES)


def check_obo_iri(iri: str) -> str:
    """Check an OBO PURL such as obo:ECO_0000180 and return its CURIE (ECO:0000180)."""
    match = OBO_IRI.match(iri)
    if match is None:
        raise IdentifierError(f"<{iri}> is not an OBO term IRI (obo:PREFIX_identifier)")
    prefix, local_id = match.groups()
    record(prefix)
    check_local_id(prefix, local_id)
    return f"{prefix}:{local_id}"
