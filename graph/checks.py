"""Integrity checks as SPARQL files (ODK style): every row a check returns is a problem.

A check is `ontology/checks/<name>.rq`: a `#` comment header saying what it checks, then a
SELECT of `?focus` (the node at fault) and `?message`, and optionally `?value`. The build
runs every check over the ontology, the imports and the data, before reasoning, on the
same engine as every query (pyoxigraph), with the project's prefixes predeclared. A
message may name a node as `<IRI>`: the report shows it as a CURIE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from graph.errors import Problem, SourceError
from graph.files import read_source
from graph.load import Sources
from graph.namespaces import PREFIXES, shorten, term_text
from graph.query import sparql_syntax_error

REQUIRED = ("focus", "message")
_IRI_IN_MESSAGE = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class Check:
    """One check file: its name (the file's stem), path and query text."""

    name: str
    path: Path
    text: str


def read_checks(files: list[Path]) -> list[Check]:
    """The check files, each with its `#` header; a file without one is an error."""
    checks = []
    for path in files:
        text = read_source(path)
        if not text.startswith("#"):
            raise SourceError(path, "a check starts with a `#` comment saying what it checks", 1)
        checks.append(Check(path.stem, path, text))
    return checks


def checked_store(*graphs: Graph) -> ox.Store:
    """An Oxigraph store whose default graph holds the triples of the graphs."""
    store = ox.Store()
    for graph in graphs:
        store.load(graph.serialize(format="nt", encoding="utf-8"),
                   format=ox.RdfFormat.N_TRIPLES)
    return store


def check_problems(sources: Sources, files: list[Path]) -> list[Problem]:
    """The rows of every check over ontology + imports + data, one problem a row."""
    checks = read_checks(files)
    if not checks:
        return []
    return [problem for check in checks for problem in run_check(sources.store, check, sources)]


def run_check(store: ox.Store, check: Check, sources: Sources) -> list[Problem]:
    """The problems one check finds: a row each, located at its focus node's statement."""
    solutions, has_value = _solutions(store, check)
    problems = []
    for row in solutions:
        focus, value = row["focus"], row["value"] if has_value else None
        message = _IRI_IN_MESSAGE.sub(lambda m: shorten(m[1]), _text(row["message"]))
        if value is not None:
            message += f" (value {term_text(value)})"
        node = URIRef(focus.value) if isinstance(focus, ox.NamedNode) else None
        file, line = sources.location(node)
        problems.append(Problem(file, line, term_text(focus), f"{message} [check {check.name}]"))
    return problems


def _solutions(store: ox.Store, check: Check) -> tuple[ox.QuerySolutions, bool]:
    """The check's answer, and whether it has a ?value column."""
    try:
        solutions = store.query(check.text, prefixes=PREFIXES, use_default_graph_as_union=True)
    except SyntaxError as err:
        raise sparql_syntax_error(check.path, check.text, err) from None
    if not (isinstance(solutions, ox.QuerySolutions)
            and set(REQUIRED) <= (variables := {v.value for v in solutions.variables})):
        raise SourceError(check.path, "a check must be a SELECT of ?focus and ?message "
                                      "(and optionally ?value)")
    return solutions, "value" in variables


def _text(term: object) -> str:
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else "fails this check"

