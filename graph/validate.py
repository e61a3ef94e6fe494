"""Check the curated data before reasoning, into one report: SHACL shapes, the SPARQL
checks of ontology/checks, and quotes and text anchors against their stored texts."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from graph.anchors import anchor_problems, read_stored_text, stored_text_file
from graph.checks import check_problems
from graph.errors import Problem, ValidationFailed
from graph.load import Sources
from graph.namespaces import CRTKG, DATA_GRAPH, ONTOLOGY_GRAPH, PROV, term_text
from graph.shacl import ShapeResult, shape_results


def validate(sources: Sources, texts_dir: Path, check_files: list[Path] | None = None) -> None:
    """Raise ValidationFailed with every problem found, one line each, sorted
    (`file:line: focus: message`), unless the data conforms."""
    problems = [*shape_violations(sources),
                *check_problems(sources, check_files or []),
                *quote_mismatches(sources, texts_dir), *anchor_problems(sources, texts_dir)]
    if problems:
        raise ValidationFailed.of(problems)


def shape_violations(sources: Sources) -> list[Problem]:
    """The SHACL violations of data + ontology, each at its focus node's statement."""
    # Validated together: targets follow the ontology's subclasses, values its typing.
    graphs = [ox.NamedNode(DATA_GRAPH), ox.NamedNode(ONTOLOGY_GRAPH)]
    return [shape_problem(result, sources) for result in
            shape_results(sources.store, sources.shapes, sources.shapes_file, graphs)]


def shape_problem(result: ShapeResult, sources: Sources) -> Problem:
    """A violation as a report line: `focus: [path: ]message[ (value v)]`."""
    message = f"{result.path}: {result.message}" if result.path else result.message
    if result.value is not None and result.value != result.focus:  # a node shape's
        message += f" (value {term_text(result.value)})"  # value is its focus node
    focus = URIRef(result.focus.value) if isinstance(result.focus, ox.NamedNode) else None
    return Problem(*sources.location(focus), term_text(result.focus), message)


def quote_mismatches(sources: Sources, texts_dir: Path) -> list[Problem]:
    """Claims whose quote is not, character for character, in their document's stored text.

    Only documents with a stored text (`<texts_dir>/<local name>.txt`) can be checked.
    """
    problems = []
    texts: dict[Node, tuple[Path, str] | None] = {}  # a document's text, read once
    for claim, document in sorted(sources.data.subject_objects(PROV.wasQuotedFrom)):
        if document not in texts:
            text_file = stored_text_file(texts_dir, document)
            texts[document] = (None if text_file is None
                               else (text_file, read_stored_text(text_file)))
        found = texts[document]
        if found is None:
            continue
        text_file, text = found
        for quote in sources.data.objects(claim, CRTKG.quote):
            if str(quote) not in text:
                problems.append(Problem(
                    *sources.location(claim), term_text(claim),
                    f"crtkg:quote is not in the text of {term_text(document)} ({text_file}): "
                    f"{str(quote)[:80]!r}"))
    return problems


