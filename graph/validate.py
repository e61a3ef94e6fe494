"""Check the curated data before reasoning, into one report: SHACL shapes, the SPARQL
checks of ontology/checks, and quotes and text anchors against their stored texts."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from graph.anchors import anchor_problems, read_stored_text, stored_text_file
from graph.checks import check_problems, checked_store
from graph.errors import Problem, ValidationFailed
from graph.load import Sources
from graph.namespaces import CRTKG, PROV, term_text
from graph.shacl import ShapeResult, shape_results


def validate(sources: Sources, texts_dir: Path, check_files: list[Path] | None = None,
             shapes_file: Path | str = "ontology/shapes.ttl") -> None:
    """Raise ValidationFailed with every problem found, one line each, sorted
    (`file:line: focus: message`), unless the data conforms. An error in the shapes names
    `shapes_file`, where they were read."""
    problems = [*shape_violations(sources, shapes_file),
                *check_problems(sources, check_files or []),
                *quote_mismatches(sources, texts_dir), *anchor_problems(sources, texts_dir)]
    if problems:
        raise ValidationFailed.of(problems)


def shape_violations(sources: Sources,
                     shapes_file: Path | str = "ontology/shapes.ttl") -> list[Problem]:
    """The SHACL violations of data + ontology, each at its focus node's statement."""
    # Validated together: targets follow the ontology's subclasses, values its typing.
    store = checked_store(sources.data, sources.ontology)
    return [shape_problem(result, sources)
            for result in shape_results(store, sources.shapes, shapes_file)]


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
    for claim, document in sorted(sources.data.subject_objects(PROV.wasQuotedFrom)):
        text_file = stored_text_file(texts_dir, document)
        if text_file is None:
            continue
        text = read_stored_text(text_file)
        for quote in sources.data.objects(claim, CRTKG.quote):
            if str(quote) not in text:
                problems.append(Problem(
                    *sources.location(claim), term_text(claim),
                    f"crtkg:quote is not in the text of {term_text(document)} ({text_file}): "
                    f"{str(quote)[:80]!r}"))
    return problems


