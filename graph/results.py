"""SPARQL answers as bytes, in the W3C result formats and the RDF syntaxes, with a row cap.

The answer is collected (up to the cap, plus one row to know whether the cap cut it) before it
is written, so every format says the same rows and a caller can tell the user about the cut.
Solutions are written here because pyoxigraph's writer takes the whole iterator and cannot
stop at a cap, except by native_json where no limit can cut the answer; triples are written
by pyoxigraph.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from graph.namespaces import PREFIXES

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

SOLUTIONS, TRIPLES = "solutions", "triples"  # what SELECT/ASK and CONSTRUCT/DESCRIBE return
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Format:
    """A result format: its short name (the `format` parameter), media type and answer kind."""

    name: str
    media_type: str
    answers: str
    rdf: ox.RdfFormat | None = None


FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", SOLUTIONS),
    Format("xml", "application/sparql-results+xml", SOLUTIONS),
    Format("csv", "text/csv", SOLUTIONS),
    Format("tsv", "text/tab-separated-values", SOLUTIONS),
    Format("turtle", "text/turtle", TRIPLES, ox.RdfFormat.TURTLE),
    Format("ntriples", "application/n-triples", TRIPLES, ox.RdfFormat.N_TRIPLES),
    Format("rdfxml", "application/rdf+xml", TRIPLES, ox.RdfFormat.RDF_XML),
    Format("jsonld", "application/ld+json", TRIPLES, ox.RdfFormat.JSON_LD),
    Format("trig", "application/trig", TRIPLES, ox.RdfFormat.TRIG),
    Format("nquads", "application/n-quads", TRIPLES, ox.RdfFormat.N_QUADS),
)
# The REST API's default: a plain list of records, {variable: value}, for programs that do
# not speak SPARQL JSON. Offered by /api only, where application/json means this.
RECORDS = Format("records", "application/json", SOLUTIONS)
BY_NAME = {f.name: f for f in FORMATS}
# Media types clients send for these formats besides the registered ones (N3 and Turtle:
# Turtle is N3, so an N3 reader reads it).
ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml",
           "text/plain": "ntriples", "application/x-turtle": "turtle",
           "application/turtle": "turtle", "text/n3": "turtle", "text/rdf+n3": "turtle",
           "application/n3": "turtle", "application/x-json+ld": "jsonld"}
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS} | {m: BY_NAME[n] for m, n in ALIASES.items()}
# The names clients put in `format`, `output` or `results`, by the kind of answer, since a
# name can mean a format of each kind: SPARQLWrapper's return formats (its "xml" is SPARQL
# XML for a SELECT and RDF/XML for a CONSTRUCT; its "json" is JSON-LD for a CONSTRUCT),
# Fuseki's `output` names and Virtuoso's `format` names, besides our own.
FORMAT_NAMES: dict[str, dict[str, str]] = {
    SOLUTIONS: {"json": "json", "srj": "json", "sparql-results+json": "json",
                "xml": "xml", "srx": "xml", "sparql-results+xml": "xml",
                "csv": "csv", "tsv": "tsv"},
    TRIPLES: {"turtle": "turtle", "ttl": "turtle", "n3": "turtle",
              "ntriples": "ntriples", "n-triples": "ntriples", "nt": "ntriples",
              "text": "ntriples",
              "rdfxml": "rdfxml", "rdf+xml": "rdfxml", "rdf": "rdfxml", "xml": "rdfxml",
              "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
              "trig": "trig", "nquads": "nquads", "n-quads": "nquads", "nq": "nquads"},
}


def named_format(answers: str, value: str) -> Format | None:
    """The format of this kind of answer that a `format` value names, by a name clients use
    or by media type (parameters such as charset aside), or None.

    >>> named_format(TRIPLES, "rdf+xml").media_type, named_format(SOLUTIONS, "xml").name
    ('application/rdf+xml', 'xml')
    >>> named_format(SOLUTIONS, "application/sparql-results+json; charset=utf-8").name
    'json'
    """
    key = value.split(";")[0].strip().lower()
    fmt = BY_MEDIA_TYPE.get(key)
    if fmt is None and key in FORMAT_NAMES[answers]:
        fmt = BY_NAME[FORMAT_NAMES[answers][key]]
    return fmt if fmt is not None and fmt.answers == answers else None


@dataclass
class Collected:
    """An answer held in memory: solutions (or a boolean) or triples, and whether it was cut."""

    answers: str
    variables: list[str] = field(default_factory=list)
    rows: list[list[Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    @property
    def size(self) -> int:
        return len(self.triples) if self.answers == TRIPLES else len(self.rows)


def answer_kind(answer: object) -> str:
    return TRIPLES if isinstance(answer, ox.QueryTriples) else SOLUTIONS


def collect(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
            cap: int | None = None, hidden: Iterable[str] = (),
            max_bytes: int | None = None) -> Collected:
    """Take at most `cap` rows or triples of an answer, and no more than about `max_bytes` of
    their text; `truncated` says whether more existed.

    `hidden` variables are left out: a named query's parameters, which the engine can bind
    only where the query projects them, and whose values the caller already knows.
    """
    if isinstance(answer, ox.QueryBoolean):
        return Collected(SOLUTIONS, boolean=bool(answer))
    items: list = []
    size, truncated = 0, False
    for item in answer:
        size += _text_size(item)
        if (cap is not None and len(items) == cap) or (max_bytes is not None and
                                                       size > max_bytes):
            truncated = True
            break
        items.append(item)
    if isinstance(answer, ox.QueryTriples):
        return Collected(TRIPLES, triples=items, truncated=truncated)
    names = [v.value for v in answer.variables if v.value not in set(hidden)]
    rows = [[s[n] for n in names] for s in items]
    return Collected(SOLUTIONS, variables=names, rows=rows, truncated=truncated)


# native_json stops Oxigraph's writer past this many bytes: a larger answer is collected
# instead, so one that a limit cuts costs at most this much more.
NATIVE_MAX_BYTES = 1_000_000
MIN_ROW_BYTES = 3  # `{},`: a solution binding nothing, in Oxigraph's SPARQL JSON


class _Full(Exception):
    """The answer outgrew what native_json writes."""


class _Bounded(io.BytesIO):
    """A binary output that takes at most `limit` bytes, then stops the writer."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, chunk: ReadableBuffer, /) -> int:
        if self.tell() + len(memoryview(chunk)) > self.limit:
            raise _Full
        return super().write(chunk)


def native_json(answer: ox.QuerySolutions, cap: int | None = None,
                max_bytes: int | None = None) -> bytes | None:
    """The solutions in SPARQL JSON by Oxigraph's own writer, faster than Python's
    collect() and write(); None if `cap` or `max_bytes` would cut the answer or it is over
    NATIVE_MAX_BYTES: the caller then runs the query again and collects it.

    The writer writes the rows; counting them is needed only when the text is long enough
    to hold more than `cap` (each takes at least MIN_ROW_BYTES). A text within `max_bytes`
    is never cut by collect(), whose estimate of the size is below the JSON's.
    """
    sink = _Bounded(NATIVE_MAX_BYTES if max_bytes is None else min(max_bytes, NATIVE_MAX_BYTES))
    try:
        answer.serialize(sink, format=ox.QueryResultsFormat.JSON)
    except _Full:
        return None
    body = sink.getvalue()
    if cap is not None and len(body) >= MIN_ROW_BYTES * cap and \
            len(json.loads(body)["results"]["bindings"]) > cap:
        return None
    return body


def _text_size(item: ox.QuerySolution | ox.Triple) -> int:
    """Roughly how many bytes a row or triple takes once written."""
    terms = item if isinstance(item, ox.Triple) else iter(item)
    return sum(len(getattr(t, "value", "")) + 16 for t in terms if t is not None)


def write(collected: Collected, fmt: Format) -> bytes:
    """The answer in a format of its kind (the caller negotiated `fmt` for that kind)."""
    if fmt.answers != collected.answers:
        raise ValueError(f"{fmt.name} cannot carry {collected.answers}")
    if fmt.rdf is not None:
        graph: list[ox.Triple] | list[ox.Quad] = collected.triples
        if fmt.rdf.supports_datasets:  # the triples as quads of the default graph
            graph = [ox.Quad(t.subject, t.predicate, t.object) for t in collected.triples]
        # pyoxigraph's stub: without an output, bytes, never None
        return ox.serialize(graph, format=fmt.rdf, prefixes=PREFIXES)  # type: ignore[return-value]
    return WRITERS[fmt.name](collected).encode()


def _json(c: Collected) -> str:
    if c.boolean is not None:
        return json.dumps({"head": {}, "boolean": c.boolean})
    bindings = [{n: _json_term(t) for n, t in zip(c.variables, row, strict=True) if t is not None}
                for row in c.rows]
    return json.dumps({"head": {"vars": c.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False)


def _json_term(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate), "object": _json_term(term.object)}}


def _xml(c: Collected) -> str:
    head = "".join(f"<variable name={quoteattr(n)}/>" for n in c.variables)
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{head}</head>']
    if c.boolean is not None:
        out.append(f"<boolean>{'true' if c.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in c.rows:
            cells = "".join(f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                            for n, t in zip(c.variables, row, strict=True) if t is not None)
            out.append(f"<result>{cells}</result>")
        out.append("</results>")
    return "".join(out) + "</sparql>\n"


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attr = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attr = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attr = ""
        return f"<literal{attr}>{_xml_text(term.value)}</literal>"
    return f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>" \
           f"{_xml_term(term.predicate)}</predicate><object>{_xml_term(term.object)}</object>" \
           "</triple>"


# Characters XML 1.0 cannot carry at all, even escaped; \r would be read back as \n.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text for XML: escaped, \r kept as a character reference, and what XML cannot hold
    replaced by U+FFFD (the JSON format carries such values unchanged).

    >>> _xml_text("a < b\\r\\n\\x07")
    'a &lt; b&#13;\\n\\ufffd'
    """
    return _NOT_XML.sub("\ufffd", escape(text)).replace("\r", "&#13;")


def _csv(c: Collected) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, as the SPARQL CSV spec asks
    if c.boolean is not None:
        writer.writerows([["_askResult"], ["true" if c.boolean else "false"]])
        return out.getvalue()
    writer.writerow(c.variables)
    writer.writerows([[_csv_value(t) for t in row] for row in c.rows])
    return out.getvalue()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def _tsv(c: Collected) -> str:
    if c.boolean is not None:
        return f"?_askResult\n{'true' if c.boolean else 'false'}\n"
    lines = ["\t".join(f"?{n}" for n in c.variables)]
    # str() of a pyoxigraph term is its N-Triples form, which escapes tabs and newlines.
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in c.rows]
    return "\n".join(lines) + "\n"


def _records(c: Collected) -> str:
    if c.boolean is not None:
        return json.dumps(c.boolean)
    return json.dumps([{n: _csv_value(t) for n, t in zip(c.variables, row, strict=True)
                        if t is not None} for row in c.rows], ensure_ascii=False)


WRITERS = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv, "records": _records}
