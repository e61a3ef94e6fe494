"""The mapping set (SSSOM TSV): read and check it, and write it as SSSOM TSV or RDF.

The file follows the OBO Foundry's ODK layout: the mapping-set metadata as YAML in the
leading `#` lines, then one mapping a row. Reading is strict, so a bad row stops the build
with the file, line and reason; sssom-py, the reference reader, is used only in the tests
(it brings pandas and LinkML, too heavy for the server's install).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from rdflib import BNode, Graph, Literal, URIRef

from graph.errors import SourceError
from graph.files import read_source
from graph.identifiers import (
    IRI_PATTERN,
    LOCAL_PREFIXES,
    IdentifierError,
    check_namespace,
    check_registered,
    expand,
    snomed_namespaces,
)
from graph.namespaces import DCTERMS, OWL, RDF, RDFS, SEMAPV, SSSOM

REQUIRED_METADATA = ("mapping_set_id", "mapping_set_version", "license", "curie_map")
REQUIRED_COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id",
                    "mapping_justification")
OPTIONAL_COLUMNS = ("object_label", "comment")
# SKOS mapping relations only: the build materializes every mapping as a SKOS triple.
PREDICATES = tuple(f"skos:{p}" for p in ("exactMatch", "closeMatch", "broadMatch",
                                         "narrowMatch", "relatedMatch"))
# The mapping_justification values SSSOM allows (semapv vocabulary).
JUSTIFICATIONS = tuple(f"semapv:{j}" for j in (
    "ManualMappingCuration", "LexicalMatching", "LogicalReasoning", "CompositeMatching",
    "UnspecifiedMatching", "SemanticSimilarityThresholdMatching",
    "LexicalSimilarityThresholdMatching", "MappingChaining", "MappingReview"))


@dataclass(frozen=True)
class Mapping:
    """One row, with the line it came from and its CURIEs expanded to checked IRIs."""

    line: int  # in the file
    number: int  # among the rows
    row: dict[str, str]
    subject: str
    predicate: str
    object: str


@dataclass
class MappingSet:
    path: Path
    metadata: dict
    columns: list[str]
    mappings: list[Mapping] = field(default_factory=list)

    @property
    def curie_map(self) -> dict[str, str]:
        return self.metadata["curie_map"]

    def without_snomed(self) -> MappingSet:
        """The same set without the rows (and the prefix) that point into SNOMED CT."""
        snomed = snomed_namespaces()
        kept = [m for m in self.mappings if not m.object.startswith(snomed)]
        curie_map = {p: ns for p, ns in self.curie_map.items() if not ns.startswith(snomed)}
        return replace(self, metadata={**self.metadata, "curie_map": curie_map},
                       mappings=kept)


def read_mapping_set(path: Path) -> MappingSet:
    """Parse and check a mapping set; any problem raises SourceError(file, line, reason)."""
    lines = read_source(path).splitlines()
    header_end = next((i for i, line in enumerate(lines) if not line.startswith("#")),
                      len(lines))
    metadata = _metadata(path, lines[:header_end])
    if header_end == len(lines):
        raise SourceError(path, "no column header after the metadata", header_end + 1)
    columns = lines[header_end].split("\t")
    _check_columns(path, header_end + 1, columns)
    mapping_set = MappingSet(path, metadata, columns)
    seen: dict[tuple[str, str, str], int] = {}
    for index, text_line in enumerate(lines[header_end + 1:], start=header_end + 2):
        if not text_line.strip():
            continue  # SSSOM readers skip blank lines; line numbers still count them
        number = len(mapping_set.mappings) + 1
        m = _mapping(path, index, number, text_line.split("\t"), columns, metadata["curie_map"])
        key = (m.subject, m.predicate, m.object)
        if key in seen:
            raise SourceError(path, f"row {number}: the same mapping as row {seen[key]}", index)
        seen[key] = number
        mapping_set.mappings.append(m)
    return mapping_set


def _metadata(path: Path, lines: list[str]) -> dict:
    try:
        metadata = yaml.safe_load("\n".join(line[1:] for line in lines)) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise SourceError(path, f"metadata is not YAML: {err}",
                          mark.line + 1 if mark else None) from err
    if not isinstance(metadata, dict):
        raise SourceError(path, "metadata must be a YAML mapping", 1)
    for key in REQUIRED_METADATA:
        if not metadata.get(key):
            raise SourceError(path, f"metadata: required field {key!r} is missing", 1)
    for key in ("mapping_set_id", "license"):
        if not re.fullmatch(IRI_PATTERN, str(metadata[key])):
            raise SourceError(path, f"metadata: {key} must be an IRI, not {metadata[key]!r}",
                              _line_of(lines, key))
    if not isinstance(metadata["curie_map"], dict):
        raise SourceError(path, "metadata: curie_map must map prefixes to IRIs",
                          _line_of(lines, "curie_map"))
    for prefix, namespace in metadata["curie_map"].items():
        try:
            check_namespace(str(prefix), str(namespace))
            if prefix not in LOCAL_PREFIXES:
                check_registered(str(prefix), str(namespace))
        except IdentifierError as err:
            raise SourceError(path, f"metadata: curie_map: {err}",
                              _line_of(lines, prefix)) from err
    return metadata


def _line_of(lines: list[str], key: str) -> int | None:
    return next((i + 1 for i, line in enumerate(lines)
                 if line.lstrip("# ").startswith(f"{key}:")), None)


def _check_columns(path: Path, line: int, columns: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise SourceError(path, f"missing required column(s) {', '.join(missing)}", line)
    unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise SourceError(path, f"unknown column(s) {', '.join(unknown)}; columns are "
                                f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}", line)
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise SourceError(path, f"column(s) {', '.join(repeated)} given twice", line)


def _mapping(path: Path, line: int, number: int, cells: list[str], columns: list[str],
             curie_map: dict) -> Mapping:
    def fail(reason: str) -> SourceError:
        return SourceError(path, f"row {number}: {reason}", line)

    if len(cells) != len(columns):
        raise fail(f"expected {len(columns)} tab-separated columns, found {len(cells)}")
    row = dict(zip(columns, cells, strict=True))
    for column in REQUIRED_COLUMNS:
        if not row[column].strip():
            raise fail(f"{column} is empty")
    if row["predicate_id"] not in PREDICATES:
        raise fail(f"unknown predicate_id {row['predicate_id']!r}; use one of "
                   f"{', '.join(PREDICATES)}")
    if row["mapping_justification"] not in JUSTIFICATIONS:
        raise fail(f"unknown mapping_justification {row['mapping_justification']!r}; use "
                   f"one of {', '.join(JUSTIFICATIONS)}")
    iris = {}
    for column in ("subject_id", "predicate_id", "object_id"):
        try:
            iris[column] = expand(row[column], curie_map)
        except IdentifierError as err:
            raise fail(f"{column}: {err}") from err
    return Mapping(line, number, row, iris["subject_id"], iris["predicate_id"],
                   iris["object_id"])


def skos_graph(mapping_set: MappingSet) -> Graph:
    """The mappings as plain SKOS triples. Labels stay on the SSSOM annotations: an
    imported term has its own label, and a second one would double answers."""
    graph = Graph()
    for m in mapping_set.mappings:
        graph.add((URIRef(m.subject), URIRef(m.predicate), URIRef(m.object)))
    return graph


def sssom_graph(mapping_set: MappingSet) -> Graph:
    """The mapping set in SSSOM's RDF form: an sssom:MappingSet whose sssom:mappings are
    owl:Axiom annotations of each subject-predicate-object triple."""
    graph = Graph()
    meta = mapping_set.metadata
    node = URIRef(meta["mapping_set_id"])
    graph.add((node, RDF.type, SSSOM.MappingSet))
    graph.add((node, DCTERMS.license, URIRef(meta["license"])))
    for key, predicate in (("mapping_set_title", DCTERMS.title),
                           ("mapping_set_description", DCTERMS.description),
                           ("mapping_set_version", OWL.versionInfo)):
        if meta.get(key):
            graph.add((node, predicate, Literal(str(meta[key]).strip())))
    for m in mapping_set.mappings:
        axiom = BNode()
        graph.add((node, SSSOM.mappings, axiom))
        graph.add((axiom, RDF.type, OWL.Axiom))
        graph.add((axiom, OWL.annotatedSource, URIRef(m.subject)))
        graph.add((axiom, OWL.annotatedProperty, URIRef(m.predicate)))
        graph.add((axiom, OWL.annotatedTarget, URIRef(m.object)))
        justification = m.row["mapping_justification"].removeprefix("semapv:")
        graph.add((axiom, SSSOM.mapping_justification, SEMAPV[justification]))
        for column in ("subject_label", "object_label"):
            if m.row.get(column):
                graph.add((axiom, SSSOM[column], Literal(m.row[column])))
        if m.row.get("comment"):
            graph.add((axiom, RDFS.comment, Literal(m.row["comment"])))
    return graph


def write_tsv(mapping_set: MappingSet) -> str:
    """The mapping set as SSSOM TSV: metadata header, then the rows in source order. Cells
    are written as read (SSSOM TSV has no quoting); none can hold a tab or a newline."""
    meta = {k: v for k, v in mapping_set.metadata.items() if k != "curie_map"}
    header = yaml.safe_dump({"curie_map": mapping_set.curie_map, **meta}, sort_keys=False,
                            allow_unicode=True, width=88)
    lines = [f"# {line}" for line in header.splitlines()]
    lines.append("\t".join(mapping_set.columns))
    lines += ["\t".join(m.row[c] for c in mapping_set.columns) for m in mapping_set.mappings]
    return "\n".join(lines) + "\n"
