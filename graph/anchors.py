"""Where each quoted claim is in its document's stored text, as W3C Web Annotation anchors.

A claim quoted from a document with a stored text (`graph/data/sources/<local name>.txt`)
gets `crtkg:textAnchor` -> an `oa:SpecificResource` of that document with two selectors of
the same words: an `oa:TextQuoteSelector` (the quote, and up to 32 characters before and
after it) and an `oa:TextPositionSelector` (start and end, end exclusive, in Unicode code
points into the stored text, as the W3C model counts them). The start orders the claims
as the document says them.

`crtkg anchors write` regenerates graph/data/anchors.ttl from the claims and the texts, so
nobody types an offset; the build checks every selector against the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Node, URIRef

from graph.errors import Problem, SourceError
from graph.files import read_source, write_atomically
from graph.load import SourcePaths, Sources, parse_file, statement_lines
from graph.namespaces import CRTKG, KG, OA, PREFIXES, PROV, RDF, in_order, shorten, term_text

ANCHORS_FILE = "anchors.ttl"  # in graph/data/, beside the claims
CONTEXT = 32  # characters of oa:prefix and oa:suffix, where the text has them
FILE_PREFIXES = ("crtkg", "kg", "oa", "xsd")


@dataclass(frozen=True)
class TextAnchor:
    """Where a claim's quote is in the stored text of the document it was quoted from."""

    claim: URIRef
    document: URIRef
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int

    @property
    def iri(self) -> URIRef:
        return anchor_iri(self.claim)


def anchor_iri(claim: URIRef) -> URIRef:
    return URIRef(f"{claim}-anchor")


def stored_text_file(texts_dir: Path, document: Node) -> Path | None:
    """The stored text of a document of ours (`<texts_dir>/<local name>.txt`), if any."""
    if not isinstance(document, URIRef) or not str(document).startswith(str(KG)):
        return None
    path = texts_dir / f"{str(document).removeprefix(str(KG))}.txt"
    return path if path.is_file() else None


def quoted_from(graph: Graph) -> Iterator[tuple[URIRef, URIRef]]:
    """Each claim quoted from a document, with the document: IRIs both, as an anchor needs
    (it is named after its claim, and only a document of ours has a stored text)."""
    for claim, document in graph.subject_objects(PROV.wasQuotedFrom):
        if isinstance(claim, URIRef) and isinstance(document, URIRef):
            yield claim, document


def read_stored_text(path: Path) -> str:
    """A stored text exactly as its bytes say: no newline translation, which would shift
    every offset after a CR LF."""
    return read_source(path, "as UTF-8 text", keep_newlines=True)


def locate(claim: URIRef, document: URIRef, quote: str, text: str) -> TextAnchor | None:
    """The anchor of a quote at its first place in the text; None if the text lacks it."""
    start = text.find(quote)
    if start < 0:
        return None
    end = start + len(quote)
    return TextAnchor(claim, document, quote, text[max(0, start - CONTEXT):start],
                      text[end:end + CONTEXT], start, end)


def write_anchors(paths: SourcePaths) -> tuple[Path, int]:
    """Regenerate graph/data/anchors.ttl from the claims and the stored texts; return the
    file and the number of anchors. Deterministic: the same sources give the same bytes."""
    anchors = list(text_anchors(paths))
    target = paths.data_dir / ANCHORS_FILE
    write_atomically(target, anchors_turtle(anchors))
    return target, len(anchors)


def text_anchors(paths: SourcePaths) -> Iterator[TextAnchor]:
    """An anchor for each quoted claim of the data files (anchors.ttl aside, so a stale or
    broken one never stops its own regeneration), in the order of the texts."""
    found = []
    for path in paths.data_files:
        if path.name == ANCHORS_FILE:
            continue
        parsed = parse_file(path)
        graph, lines = parsed.graph(), statement_lines(parsed)
        for claim, document in quoted_from(graph):
            text_file = stored_text_file(paths.texts_dir, document)
            quote = graph.value(claim, CRTKG.quote)
            if text_file is None or quote is None:
                continue
            anchor = locate(claim, document, str(quote), read_stored_text(text_file))
            if anchor is None:
                raise SourceError(path, f"{shorten(claim)}: crtkg:quote is not in {text_file}, "
                                        "so it cannot be anchored; correct the quote first",
                                  lines.get(claim))
            found.append(anchor)
    yield from sorted(found, key=lambda a: (str(a.document), a.start, str(a.claim)))


def anchors_turtle(anchors: list[TextAnchor]) -> str:
    """The Turtle of anchors.ttl: a header, then a block per claim, in narrative order."""
    out = [f"@prefix {p}: <{PREFIXES[p]}> ." for p in FILE_PREFIXES]
    out += ["", "# Generated by `crtkg anchors write` from the claims (crtkg:quote,",
            "# prov:wasQuotedFrom) and the stored texts in graph/data/sources/: do not edit,",
            "# regenerate. Where each quote is in its text (W3C Web Annotation model): the",
            "# words with up to 32 characters around them, and their offsets in Unicode code",
            "# points (end exclusive). The build checks every selector against the text."]
    for a in anchors:
        claim, anchor = shorten(a.claim), shorten(a.iri)
        out += ["", f"{claim} crtkg:textAnchor {anchor} .", "",
                f"{anchor} a oa:SpecificResource ;",
                f"    oa:hasSource {shorten(a.document)} ;",
                f"    oa:hasSelector {anchor}-quote, {anchor}-position .", "",
                f"{anchor}-quote a oa:TextQuoteSelector ;",
                f"    oa:exact {_string(a.exact)} ;",
                f"    oa:prefix {_string(a.prefix)} ;",
                f"    oa:suffix {_string(a.suffix)} .", "",
                f"{anchor}-position a oa:TextPositionSelector ;",
                f'    oa:start "{a.start}"^^xsd:nonNegativeInteger ;',
                f'    oa:end "{a.end}"^^xsd:nonNegativeInteger .']
    return "\n".join(out) + "\n"


def _string(value: str) -> str:
    """A one-line Turtle string: the escapes Turtle's short strings need.

    >>> print(_string('He said "no"\\n\\tthen'))
    "He said \\"no\\"\\n\\tthen"
    """
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def anchor_problems(sources: Sources, texts_dir: Path) -> list[Problem]:
    """Quoted claims without an anchor, and anchors whose selectors do not match the text:
    the words at start..end, the prefix just before, the suffix just after."""
    problems = []
    texts: dict[Path, str] = {}  # each stored text read once, not once per claim
    for claim, document in sorted(quoted_from(sources.data)):
        text_file = stored_text_file(texts_dir, document)
        if text_file is None:
            continue
        anchors = in_order(sources.data.objects(claim, CRTKG.textAnchor))
        if not anchors:
            problems.append(Problem(
                *sources.location(claim), shorten(claim),
                f"no crtkg:textAnchor in the text of {shorten(document)}; run `crtkg anchors "
                "write`"))
        text = texts.get(text_file) or texts.setdefault(text_file, read_stored_text(text_file))
        for anchor in anchors:
            problems += AnchorCheck(sources, claim, document, anchor, text, text_file).run()
    return problems


@dataclass
class AnchorCheck:
    """One anchor of one claim against the stored text of the claim's document."""

    sources: Sources
    claim: URIRef
    document: URIRef
    anchor: Node
    text: str
    text_file: Path

    def problem(self, node: Node, message: str) -> Problem:
        where = f"anchor of {shorten(self.claim)} in {self.text_file}"
        return Problem(*self.sources.location(node), term_text(node), f"{where}: {message}")

    def run(self) -> list[Problem]:
        data = self.sources.data
        problems = []
        source = data.value(self.anchor, OA.hasSource)
        if source != self.document:
            problems.append(self.problem(self.anchor, (
                f"oa:hasSource is {term_text(source)}, not {shorten(self.document)}, the "
                "document the claim is quoted from")))
        quote = self.selector(OA.TextQuoteSelector)
        position = self.selector(OA.TextPositionSelector)
        if quote is None or position is None:
            return [*problems, self.problem(self.anchor, (
                "needs an oa:TextQuoteSelector and an oa:TextPositionSelector (oa:hasSelector)"
                "; run `crtkg anchors write`"))]
        return problems + self.quote_problems(quote) + self.position_problems(quote, position)

    def selector(self, kind: URIRef) -> Node | None:
        return next((s for s in in_order(self.sources.data.objects(self.anchor, OA.hasSelector))
                     if (s, RDF.type, kind) in self.sources.data), None)

    def string(self, node: Node, prop: URIRef) -> str:
        value = self.sources.data.value(node, prop)
        return str(value) if value is not None else ""

    def quote_problems(self, quote: Node) -> list[Problem]:
        stated = self.sources.data.value(self.claim, CRTKG.quote)
        exact = self.string(quote, OA.exact)
        if stated is not None and exact != str(stated):
            return [self.problem(quote, (
                f"oa:exact {_excerpt(exact)} is not the claim's crtkg:quote "
                f"{_excerpt(str(stated))}; run `crtkg anchors write`"))]
        return []

    def position_problems(self, quote: Node, position: Node) -> list[Problem]:
        stated = [self.sources.data.value(position, p) for p in (OA.start, OA.end)]
        start, end = (_offset(value) for value in stated)
        if start is None or end is None or not 0 <= start <= end <= len(self.text):
            return [self.problem(position, (
                f"oa:start and oa:end must be offsets 0 <= start <= end <= {len(self.text)} "
                f"(the text's length); they are {term_text(stated[0])} and "
                f"{term_text(stated[1])}"))]
        exact, prefix, suffix = (self.string(quote, p) for p in (OA.exact, OA.prefix, OA.suffix))
        before = self.text[max(0, start - len(prefix)):start]
        after = self.text[end:end + len(suffix)]
        problems = []
        if self.text[start:end] != exact:
            problems.append(self.problem(position, (
                f"the text at {start}..{end} is {_excerpt(self.text[start:end])}, not the "
                f"oa:exact of {term_text(quote)}, {_excerpt(exact)}")))
        if before != prefix:
            problems.append(self.problem(quote, (
                f"oa:prefix {_excerpt(prefix)} is not the text just before {start} "
                f"({_excerpt(before)})")))
        if after != suffix:
            problems.append(self.problem(quote, (
                f"oa:suffix {_excerpt(suffix)} is not the text just after {end} "
                f"({_excerpt(after)})")))
        return problems


def _offset(value: Node | None) -> int | None:
    if not isinstance(value, Literal):
        return None
    number = value.toPython()
    return number if isinstance(number, int) and not isinstance(number, bool) else None


def _excerpt(text: str, width: int = 60) -> str:
    """Text for a message, quoted and cut to `width` characters.

    >>> _excerpt("the quick brown fox", 10)
    "'the quick…'"
    """
    return repr(text if len(text) <= width else text[:width - 1] + "…")

