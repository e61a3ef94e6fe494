"""Check the curated data before reasoning: SHACL shapes, and quotes against their texts."""

from __future__ import annotations

from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, Node, URIRef

from graph.errors import ValidationFailed
from graph.load import Sources
from graph.namespaces import CRTKG, KG, PROV, SH, shorten


def validate(sources: Sources, texts_dir: Path) -> None:
    """Raise ValidationFailed, with one readable line per problem, unless the data conforms."""
    problems = shape_violations(sources) + quote_mismatches(sources.data, texts_dir)
    if problems:
        raise ValidationFailed("\n".join(problems), len(problems))


def shape_violations(sources: Sources) -> list[str]:
    """The SHACL violations of data + ontology, each as `file: focus path: message`."""
    # Validated together: targets follow the ontology's subclasses, values its typing.
    conforms, report, _ = shacl_validate(
        sources.data + sources.ontology, shacl_graph=sources.shapes,
        inference="none", allow_warnings=True)
    if conforms:
        return []
    lines = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage) or "violates its shape"
        value = report.value(result, SH.value)
        file = sources.subject_files.get(focus, "<unknown file>")
        where = f"{file}: {curie(focus)}" + (f" {curie(path)}" if path is not None else "")
        shown = f" (value {curie(value)})" if value is not None else ""
        lines.append(f"{where}: {message}{shown}")
    return sorted(lines)


def quote_mismatches(data: Graph, texts_dir: Path) -> list[str]:
    """Claims whose quote is not, character for character, in their document's stored text.

    Only documents with a stored text (`<texts_dir>/<local name>.txt`) can be checked.
    """
    problems = []
    for claim, document in sorted(data.subject_objects(PROV.wasQuotedFrom)):
        text_file = texts_dir / f"{str(document).removeprefix(str(KG))}.txt"
        if not str(document).startswith(str(KG)) or not text_file.exists():
            continue
        text = text_file.read_text(encoding="utf-8")
        for quote in data.objects(claim, CRTKG.quote):
            if str(quote) not in text:
                problems.append(f"{text_file}: {curie(claim)} crtkg:quote is not in the "
                                f"text of {curie(document)}: {str(quote)[:80]!r}")
    return problems


def curie(node: Node | None) -> str:
    """A short form of a term for messages: a CURIE when a known prefix fits."""
    if isinstance(node, URIRef):
        return shorten(str(node))
    if isinstance(node, Literal):
        return repr(str(node))
    return str(node)
