"""Every IRI of the graph dereferences: /id/..., /ontology/..., /graph/..., /derivation/...

The W3C "Cool URIs" practice, with content negotiation at the same URL: a page for people
(text/html), or the resource's statements as Turtle, N-Triples, JSON-LD or RDF/XML, chosen by
the Accept header or by a suffix (`.ttl`, `.nt`, `.jsonld`, `.rdf`, `.html`). Every answer
carries `Vary: Accept`, an ETag (the graph only changes by a new build) and `Link` headers
to its other formats. A deployment that points the w3id base at this server resolves every
term. The ontology's IRI (/ontology) is the vocabulary index, and its RDF is the ontology;
a graph's IRI (/graph/data) gives that named graph. Any other IRI the graph describes (an
ECO class, say) has its page at /resource?iri=....
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for

from graph.namespaces import (
    BASE,
    CRTKG,
    DATA_GRAPH,
    DERIVATION,
    GRAPH_NAMES,
    OBO,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    PREFIXES,
    PROV,
    RDF,
    shorten,
)
from graph.results import BY_MEDIA_TYPE, BY_NAME, TRIPLES, Collected, Format, write
from server.describe import (
    TYPE,
    Description,
    Reader,
    Term,
    describe,
    node,
    record_links,
)
from server.pages import GRAPH_NOTES
from server.protocol import HttpError
from server.state import app_state
from server.vocabulary import PLURALS, document, index

bp = Blueprint("resource", __name__)

HTML = "text/html"
ECO = str(OBO) + "ECO_"
# Suffix -> the format it asks for; the first of each media type is the one Link headers name.
SUFFIXES: dict[str, Format | None] = {
    ".html": None, ".ttl": BY_NAME["turtle"], ".nt": BY_NAME["ntriples"],
    ".jsonld": BY_NAME["jsonld"], ".rdf": BY_NAME["rdfxml"]}
RDF_FORMATS = [f for f in SUFFIXES.values() if f is not None]
OFFERED = [HTML, *(f.media_type for f in RDF_FORMATS)]
# Every media type /sparql takes for triples (graph.results), and the two generic ones that
# mean a graph here, where no SELECT answer could be meant.
TRIPLE_TYPES = {m: f for m, f in BY_MEDIA_TYPE.items() if f.answers == TRIPLES} | {
    "application/json": BY_NAME["jsonld"], "application/xml": BY_NAME["rdfxml"]}
SPACES = "id", "ontology", "graph", "derivation", "mappings"
MAX_SUGGESTIONS = 5


@bp.route("/<any(id, ontology, graph, derivation, mappings):space>/<path:name>")
def term(space: str, name: str) -> Response:
    return dereference(f"{BASE}{space}/{name}")


@bp.route("/ontology")
@bp.route("/ontology<any('.html', '.ttl', '.nt', '.jsonld', '.rdf'):suffix>")
def ontology(suffix: str = "") -> Response:
    return dereference(str(ONTOLOGY_IRI) + suffix)


@bp.route("/resource")
def any_iri() -> Response:
    """The page of an IRI outside the project's namespaces that the graph describes."""
    iri = request.args.get("iri", "").strip().removeprefix("<").removesuffix(">")
    if not iri:
        raise HttpError(400, "parameter iri is missing: /resource?iri=<an IRI of the graph>")
    try:
        ox.NamedNode(iri)
    except ValueError as err:
        raise HttpError(400, f"parameter iri={iri!r} is not an IRI: {err}") from None
    return dereference(iri, suffix_allowed=False)


@dataclass(frozen=True)
class Target:
    iri: ox.NamedNode
    suffix: str  # the suffix the request named, "" for none
    fmt: Format | None  # None for the page


def dereference(iri: str, suffix_allowed: bool = True) -> Response:
    state = app_state()
    reader = Reader(state.store)
    try:
        target = _target(reader, iri, suffix_allowed)
    except ValueError:  # a path no IRI of the graph can have (a space, a bracket)
        raise HttpError(404, f"{iri} is not in the graph: it is not a valid IRI") from None
    etag = hashlib.sha256(f"{state.page_tag} {target.iri.value} {target.fmt and target.fmt.name}"
                          .encode()).hexdigest()[:32]
    headers = {"ETag": f'"{etag}"', "Vary": "Accept", "Link": _links(target.iri)}
    matches = request.if_none_match  # `*` is left to the resource's own answer (404 or 200)
    if not matches.star_tag and matches.contains_weak(etag):
        return Response(status=304, headers=headers)
    whole = _whole_graph(target.iri)
    if whole is not None:  # a graph's IRI, or the ontology's
        if target.fmt is not None:
            return _rdf(state.store.dump(format=target.fmt.rdf, from_graph=whole,
                                         prefixes=PREFIXES), target.fmt, headers)
        page = _vocabulary_index(reader) if target.iri.value == str(ONTOLOGY_IRI) \
            else _graph_page(reader, target.iri)
        return Response(page, headers=headers, content_type="text/html; charset=utf-8")
    description = describe(reader, target.iri)
    if description is None:
        return _not_found(target, headers)
    if target.fmt is not None:
        return _rdf(write(Collected(TRIPLES, triples=description.triples), target.fmt),
                    target.fmt, headers)
    return Response(_resource_page(reader, description), headers=headers,
                    content_type="text/html; charset=utf-8")


def _rdf(body: bytes | None, fmt: Format, headers: dict[str, str]) -> Response:
    return Response(body or b"", headers=headers, content_type=f"{fmt.media_type}; charset=utf-8")


def _target(reader: Reader, iri: str, suffix_allowed: bool) -> Target:
    """The resource and format asked for: a suffix names the format when the IRI without it
    is the resource (an IRI of the graph that ends like a suffix is the resource itself)."""
    for suffix, fmt in SUFFIXES.items():
        bare = iri.removesuffix(suffix)
        if suffix_allowed and bare != iri and not reader.exists(node(iri)):
            return Target(node(bare), suffix, fmt)
    return Target(node(iri), "", _negotiate())


def _negotiate() -> Format | None:
    accept = request.accept_mimetypes
    if not accept:  # no Accept header: any type will do (RFC 9110), so the first offered
        return None
    wanted = accept.best_match(OFFERED) or accept.best_match(list(TRIPLE_TYPES))
    if wanted is None:
        raise HttpError(406, f"a resource is offered as {', '.join(OFFERED)}; the Accept "
                             f"header asks for {request.headers.get('Accept')}")
    if wanted == HTML:
        return None
    return TRIPLE_TYPES[wanted]


def _whole_graph(iri: ox.NamedNode) -> ox.NamedNode | None:
    """The named graph whose RDF a graph's IRI or the ontology's IRI stands for."""
    if iri.value in GRAPH_NAMES:
        return iri
    return node(ONTOLOGY_GRAPH) if iri.value == str(ONTOLOGY_IRI) else None


def local_path(iri: str) -> str | None:
    """Where this server answers an IRI of the project's namespaces (under its script root)."""
    if not iri.startswith(BASE) or iri == BASE:
        return None
    return f"{request.script_root}/{quote(iri[len(BASE):], safe='/:-._~')}"


def _links(iri: ox.NamedNode) -> str:
    path = local_path(iri.value) or url_for("resource.any_iri", iri=iri.value)
    if "?" in path:  # /resource?iri=: the formats go by Accept alone
        return f'<{path}>; rel="alternate"; type="{HTML}"'
    alternates = [f'<{path}{suffix}>; rel="alternate"; type="{fmt.media_type if fmt else HTML}"'
                  for suffix, fmt in SUFFIXES.items()]
    return ", ".join(alternates)


def _not_found(target: Target, headers: dict[str, str]) -> Response:
    known = app_state().known_iris
    suggestions = known.near(target.iri.value, n=MAX_SUGGESTIONS)
    message = f"{shorten(target.iri.value)} is not in the graph"
    if suggestions:
        message += "; did you mean " + ", ".join(map(shorten, suggestions)) + "?"
    del headers["ETag"]
    if target.fmt is not None or HTML not in request.accept_mimetypes.values():
        return Response(message + "\n", status=404, headers=headers,
                        content_type="text/plain; charset=utf-8")
    page = render_template("not_found.html", iri=target.iri.value, message=message,
                           suggestions=[(s, local_path(s)) for s in suggestions], curie=shorten)
    return Response(page, status=404, headers=headers, content_type="text/html; charset=utf-8")


class Render:
    """What the templates need to show terms: labels, links, CURIEs, explanations."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def label(self, term: Term) -> str | None:
        return self.reader.label(term)

    @staticmethod
    def kind(term: Term) -> str:
        return {ox.NamedNode: "iri", ox.BlankNode: "bnode"}.get(type(term), "literal")

    def curie(self, term: Term) -> str:
        return shorten(term.value) if isinstance(term, ox.NamedNode) else str(term)

    def short(self, term: ox.NamedNode) -> str:
        """An IRI without a label: its CURIE, or for a web page its host and path."""
        curie = shorten(term.value)
        if not curie.startswith("<"):
            return curie
        parts = urlsplit(term.value)
        return f"{parts.netloc}{parts.path}" if parts.netloc else term.value

    def href(self, term: ox.NamedNode) -> str | None:
        """This server's page for an IRI it describes, else the IRI itself if a browser may
        follow it (http or https: never a `javascript:` IRI), else None."""
        local = local_path(term.value)
        if local is not None:
            return local
        if self.reader.label(term) is not None:
            return url_for("resource.any_iri", iri=term.value)
        return self.out(term)

    @staticmethod
    def out(term: ox.NamedNode) -> str | None:
        """The IRI itself, as a link out, if it is a web address."""
        return term.value if urlsplit(term.value).scheme in ("http", "https") else None

    def external(self, term: ox.NamedNode) -> bool:
        return not term.value.startswith(BASE)

    def explain(self, s: Term, p: Term, o: Term) -> str:
        return url_for("explain.explain_triple", s=str(s), p=str(p), o=str(o))

    def note(self, literal: ox.Literal) -> str:
        if literal.language:
            return "@" + literal.language
        datatype = literal.datatype.value
        return "" if datatype.endswith("#string") else shorten(datatype)

    def records(self, term: ox.NamedNode) -> list[ox.NamedNode]:
        return record_links(self.reader, term)


def _resource_page(reader: Reader, d: Description) -> str:
    render = Render(reader)
    doc = document(reader, d.iri)
    editor_query = f"SELECT ?property ?value WHERE {{ <{d.iri.value}> ?property ?value }}"
    return render_template(
        "resource.html", d=d, r=render, doc=doc, label=reader.label(d.iri),
        definition=reader.definition(d.iri), claim=_claim(reader, d),
        editor=url_for("pages.index", query=editor_query, resource=d.iri.value),
        incoming_query=url_for("pages.index", query=(
            f"SELECT ?subject ?property WHERE {{ ?subject ?property <{d.iri.value}> }} "
            "ORDER BY ?property ?subject")),
        formats=_format_links(d.iri), jsonld=_jsonld(d), derivation=_derivation(d))


@dataclass
class Claim:
    """What a claim's page puts first: its evidence, by name, and its sources with links."""

    evidence: list[tuple[ox.NamedNode, list[ox.NamedNode]]]  # evidence line, its ECO classes
    sources: list[tuple[str, ox.NamedNode]]  # how it relates ("quoted from"), the document


def _claim(reader: Reader, d: Description) -> Claim | None:
    lines = [v for v in d.values(CRTKG.supportedBy) if isinstance(v, ox.NamedNode)]
    if not lines and d.quote is None:
        return None
    asserted = [node(DATA_GRAPH)]  # the line's own ECO class, not its inferred ancestors
    evidence = [(line, sorted({q.object for q in reader.quads(line, TYPE, None, asserted)
                               if isinstance(q.object, ox.NamedNode)
                               and q.object.value.startswith(ECO)}, key=str))
                for line in lines]
    relations = (("quoted from", PROV.wasQuotedFrom), ("derived from", PROV.wasDerivedFrom),
                 ("cites as evidence", CRTKG.citesAsEvidence))
    sources = [(how, v) for how, prop in relations for v in d.values(prop)
               if isinstance(v, ox.NamedNode)]
    return Claim(evidence, sources)


def _format_links(iri: ox.NamedNode) -> list[tuple[str, str]]:
    path = local_path(iri.value)
    if path is None:
        return []
    names = {"turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD",
             "rdfxml": "RDF/XML"}
    return [(names[f.name], path + suffix) for suffix, f in SUFFIXES.items() if f is not None]


def _jsonld(d: Description) -> str:
    """The resource's own statements as JSON-LD, to embed in its page (for search engines and
    tools that read embedded linked data); `</` is escaped so the script cannot be closed."""
    own = [t for t in d.triples if t.subject == d.iri]
    text = (ox.serialize(own, format=ox.RdfFormat.JSON_LD, prefixes=PREFIXES) or b"").decode()
    return json.dumps(json.loads(text), ensure_ascii=False).replace("<", "\\u003c")


def _derivation(d: Description) -> str | None:
    """For a derivation's statement, the explanation of the triple it stands for."""
    parts = [d.values(p) for p in (RDF.subject, RDF.predicate, RDF.object)]
    if not d.iri.value.startswith(str(DERIVATION)) or not all(len(p) == 1 for p in parts):
        return None
    return url_for("explain.explain_triple", s=str(parts[0][0]), p=str(parts[1][0]),
                   o=str(parts[2][0]))


def _vocabulary_index(reader: Reader) -> str:
    state = app_state()
    counts = dict(state.statistics.classes) | dict(state.statistics.properties)
    return render_template("vocabulary.html", index=index(reader, counts), r=Render(reader),
                           ontology_iri=str(ONTOLOGY_IRI), plurals=PLURALS,
                           formats=_format_links(node(ONTOLOGY_IRI)))


def _graph_page(reader: Reader, iri: ox.NamedNode) -> str:
    state = app_state()
    name = GRAPH_NAMES[iri.value]
    sample = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri.value}> {{ ?s ?p ?o }} }} LIMIT 100"
    return render_template("graph.html", iri=iri.value, name=name,
                           note=GRAPH_NOTES.get(name, ""),
                           triples=state.statistics.graphs.get(iri.value, 0),
                           editor=url_for("pages.index", query=sample),
                           formats=_format_links(iri), curie=shorten)
