"""What the graph says about one IRI: the statements a resource page and its RDF formats show.

Everything is read by point lookups (`quads_for_pattern`) on the store the server loaded, so
a page costs a few lookups per statement, whatever the size of the graph. The derivations
graph is read only for the IRIs of derivations: every other page would otherwise list the
thousands of derivation statements that mention it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.namespaces import (
    ALL_GRAPHS,
    BASE,
    CRTKG,
    DCTERMS,
    DERIVATION,
    DERIVATIONS_GRAPH,
    GRAPH_NAMES,
    INFERRED_GRAPH,
    MAPPINGS_GRAPH,
    OA,
    OBO,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    SSSOM,
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple  # what a quad's object can be
Subject = ox.NamedNode | ox.BlankNode | ox.Triple


def node(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


TYPE = node(RDF.type)
LABELS = tuple(map(node, (RDFS.label, SKOS.prefLabel, DCTERMS.title)))
DEFINITIONS = tuple(map(node, (SKOS.definition, OBO.IAO_0000115, RDFS.comment)))
MATCHES = tuple(map(node, (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch,
                           SKOS.relatedMatch)))
UNION = [node(g) for g in ALL_GRAPHS]  # what a query's default graph is: no derivations
MAX_NESTING = 4  # blank nodes inside blank nodes (OWL restrictions, lists): enough for ours
MAX_INCOMING = 12  # subjects shown per incoming property; the rest are counted


@dataclass
class Statement:
    """One value of a property, where it is (its graph's short name) and, for a blank node,
    what the graph says about that node."""

    predicate: ox.NamedNode
    value: Term
    graph: str
    nested: list[Statement] = field(default_factory=list)
    items: list[Term] | None = None  # an RDF list's members, in order

    @property
    def inferred(self) -> bool:
        return self.graph == "inferred"


@dataclass
class Incoming:
    """The subjects that link to a resource by one property, the first MAX_INCOMING of them."""

    predicate: ox.NamedNode
    count: int
    subjects: list[tuple[ox.NamedNode, bool]]  # subject, inferred


@dataclass
class Mapping:
    """A link to an external term (SKOS), with the SSSOM mapping set's justification."""

    relation: ox.NamedNode
    target: ox.NamedNode
    label: str | None
    justification: ox.NamedNode | None
    comment: str | None


@dataclass
class Quote:
    """A claim's words in its source text: the Web Annotation selector's prefix, exact words
    and suffix, and the document they are in."""

    exact: str
    prefix: str
    suffix: str
    source: ox.NamedNode | None


@dataclass
class Description:
    iri: ox.NamedNode
    statements: list[Statement]
    incoming: list[Incoming]
    mappings: list[Mapping]
    quote: Quote | None
    triples: list[ox.Triple]

    def values(self, prop: object) -> list[Term]:
        return [s.value for s in self.statements if s.predicate.value == str(prop)]

    @property
    def types(self) -> list[Statement]:
        return [s for s in self.statements if s.predicate == TYPE]

    def grouped(self) -> list[tuple[ox.NamedNode, list[Statement]]]:
        """The statements other than types and mappings (shown apart), by property in order
        of first appearance."""
        groups: dict[ox.NamedNode, list[Statement]] = {}
        for s in self.statements:
            if s.predicate != TYPE and not (s.graph == "mappings" and s.predicate in MATCHES):
                groups.setdefault(s.predicate, []).append(s)
        return list(groups.items())


class Reader:
    """Lookups on the served store, with the labels it has read kept for the page."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._labels: dict[str, str | None] = {}

    def graphs_for(self, iri: ox.NamedNode) -> list[ox.NamedNode]:
        if iri.value.startswith(str(DERIVATION)):
            return [node(DERIVATIONS_GRAPH)]
        return UNION

    def quads(self, s: Subject | None, p: ox.NamedNode | None, o: Term | None,
              graphs: Iterable[ox.NamedNode]) -> Iterator[ox.Quad]:
        for g in graphs:
            yield from self.store.quads_for_pattern(s, p, o, g)

    def exists(self, iri: ox.NamedNode) -> bool:
        graphs = self.graphs_for(iri)
        return any(True for _ in self.quads(iri, None, None, graphs)) or \
            any(True for _ in self.quads(None, None, iri, graphs)) or \
            any(True for _ in self.quads(None, iri, None, graphs)) or \
            iri.value in GRAPH_NAMES

    def label(self, term: Term) -> str | None:
        """The term's label (English first), title or preferred label; None if it has none."""
        if not isinstance(term, ox.NamedNode):
            return None
        if term.value not in self._labels:
            self._labels[term.value] = self._read_label(term)
        return self._labels[term.value]

    def _read_label(self, term: ox.NamedNode) -> str | None:
        for prop in LABELS:
            found = [q.object for q in self.store.quads_for_pattern(term, prop, None)
                     if isinstance(q.object, ox.Literal)]
            if found:
                english = [t for t in found if (t.language or "en").startswith("en")]
                return min(t.value for t in english or found)
        return None

    def text(self, term: Subject, prop: ox.NamedNode) -> str | None:
        """A literal value of `prop` (English first), in any graph but the derivations."""
        found = [q.object for q in self.quads(term, prop, None, UNION)
                 if isinstance(q.object, ox.Literal)]
        english = [t for t in found if (t.language or "en").startswith("en")]
        return min(t.value for t in english or found) if found else None

    def objects(self, term: Subject, prop: object) -> list[Term]:
        seen = {q.object for q in self.quads(term, node(prop), None, UNION)}
        return sorted(seen, key=str)

    def definition(self, term: Subject) -> str | None:
        for prop in DEFINITIONS:
            found = self.text(term, prop)
            if found:
                return found
        return None


def describe(reader: Reader, iri: ox.NamedNode) -> Description | None:
    """What the graph says about `iri`, or None if no graph mentions it."""
    if not reader.exists(iri):
        return None
    graphs = reader.graphs_for(iri)
    triples: list[ox.Triple] = []
    statements = _statements(reader, iri, graphs, triples, depth=0)
    incoming = _incoming(reader, iri, graphs, triples)
    return Description(iri, statements, incoming, _mappings(reader, iri), _quote(reader, iri),
                       list(dict.fromkeys(triples)))


def _statements(reader: Reader, subject: ox.NamedNode | ox.BlankNode, graphs: list[ox.NamedNode],
                triples: list[ox.Triple], depth: int) -> list[Statement]:
    found: dict[tuple[ox.NamedNode, Term], Statement] = {}
    for q in reader.quads(subject, None, None, graphs):
        triples.append(ox.Triple(q.subject, q.predicate, q.object))
        key = (q.predicate, q.object)
        if key in found:  # asserted in two graphs: show it once, asserted
            continue
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else "default"
        graph = GRAPH_NAMES.get(name, name)
        statement = Statement(q.predicate, q.object, graph)
        if isinstance(q.object, ox.BlankNode) and depth < MAX_NESTING:
            statement.items = rdf_list(reader, q.object, graphs, triples)
            if statement.items is None:
                statement.nested = _statements(reader, q.object, graphs, triples, depth + 1)
        found[key] = statement
    return sorted(found.values(),
                  key=lambda s: (_property_order(s.predicate), s.inferred, str(s.value)))


def _property_order(prop: ox.NamedNode) -> tuple[int, str]:
    """Types and labels first, then the project's own properties, then the rest."""
    first = [TYPE, *LABELS, *DEFINITIONS]
    if prop in first:
        return first.index(prop), ""
    return (len(first) if prop.value.startswith(BASE) else len(first) + 1), prop.value


def rdf_list(reader: Reader, head: Term, graphs: list[ox.NamedNode] = UNION,
             triples: list[ox.Triple] | None = None) -> list[Term] | None:
    """The members of the RDF list starting at `head`, or None if it is not a list; the
    list's own triples are added to `triples` if given."""
    items: list[Term] = []
    triples = [] if triples is None else triples
    current: Term = head
    rest, first, nil = node(RDF.rest), node(RDF.first), node(RDF.nil)
    while isinstance(current, ox.BlankNode):
        firsts = [q.object for q in reader.quads(current, first, None, graphs)]
        rests = [q.object for q in reader.quads(current, rest, None, graphs)]
        if len(firsts) != 1 or len(rests) != 1:
            return None
        triples += [ox.Triple(current, first, firsts[0]), ox.Triple(current, rest, rests[0])]
        items.append(firsts[0])
        current = rests[0]
    return items if current == nil else None


def _incoming(reader: Reader, iri: ox.NamedNode, graphs: list[ox.NamedNode],
              triples: list[ox.Triple]) -> list[Incoming]:
    """Links to `iri` from named resources, by property (blank nodes are parts of axioms,
    lists and mapping justifications, shown on the pages of what they belong to)."""
    by_property: dict[ox.NamedNode, dict[ox.NamedNode, bool]] = {}
    for q in reader.quads(None, None, iri, graphs):
        if not isinstance(q.subject, ox.NamedNode):
            continue
        triples.append(ox.Triple(q.subject, q.predicate, q.object))
        subjects = by_property.setdefault(q.predicate, {})
        inferred = q.graph_name == node(INFERRED_GRAPH)
        subjects[q.subject] = subjects.get(q.subject, True) and inferred
    groups = []
    for prop, subjects in by_property.items():
        # By IRI, not label: a term can have thousands of subjects, and only a few are shown.
        ordered = sorted(subjects.items(), key=lambda kv: kv[0].value)
        groups.append(Incoming(prop, len(ordered), ordered[:MAX_INCOMING]))
    return sorted(groups, key=lambda g: (-g.count, g.predicate.value))


def _mappings(reader: Reader, iri: ox.NamedNode) -> list[Mapping]:
    """The term's SKOS mappings, each with its justification from the SSSOM axioms."""
    mappings_graph = node(MAPPINGS_GRAPH)
    found = []
    for q in reader.store.quads_for_pattern(iri, None, None, mappings_graph):
        if q.predicate not in MATCHES or not isinstance(q.object, ox.NamedNode):
            continue
        mapping = Mapping(q.predicate, q.object, None, None, None)
        axiom = _axiom(reader, iri, q.predicate, q.object)
        if axiom is not None:
            justification = reader.objects(axiom, SSSOM.mapping_justification)
            mapping.label = reader.text(axiom, node(SSSOM.object_label))
            mapping.justification = next((j for j in justification
                                          if isinstance(j, ox.NamedNode)), None)
            mapping.comment = reader.text(axiom, node(RDFS.comment))
        found.append(mapping)
    return sorted(found, key=lambda m: (MATCHES.index(m.relation), m.target.value))


def _axiom(reader: Reader, source: ox.NamedNode, prop: ox.NamedNode,
           target: ox.NamedNode) -> Subject | None:
    annotated = node(OWL.annotatedSource)
    for q in reader.store.quads_for_pattern(None, annotated, source, node(MAPPINGS_GRAPH)):
        axiom = q.subject
        if prop in reader.objects(axiom, OWL.annotatedProperty) and \
                target in reader.objects(axiom, OWL.annotatedTarget):
            return axiom
    return None


def _quote(reader: Reader, claim: ox.NamedNode) -> Quote | None:
    """Where the claim's words are in their source: from its text anchor's quote selector."""
    for anchor in _nodes(reader.objects(claim, CRTKG.textAnchor)):
        source = next(iter(reader.objects(anchor, OA.hasSource)), None)
        for selector in _nodes(reader.objects(anchor, OA.hasSelector)):
            exact = reader.text(selector, node(OA.exact))
            if exact is not None:
                return Quote(exact, reader.text(selector, node(OA.prefix)) or "",
                             reader.text(selector, node(OA.suffix)) or "",
                             source if isinstance(source, ox.NamedNode) else None)
    words = reader.text(claim, node(CRTKG.quote))
    if words is None:
        return None
    source = next(iter(reader.objects(claim, PROV.wasQuotedFrom)), None)
    return Quote(words, "", "", source if isinstance(source, ox.NamedNode) else None)


def _nodes(terms: Iterable[Term]) -> list[Subject]:
    """The terms that can be subjects (not literals), for the next lookup."""
    return [t for t in terms if not isinstance(t, ox.Literal)]


def record_links(reader: Reader, term: Subject) -> list[ox.NamedNode]:
    """A publication's or trial's records elsewhere: PubMed, DOI, registry (schema:sameAs),
    and the page it was read from (dcterms:source)."""
    found = [*reader.objects(term, SCHEMA.sameAs), *reader.objects(term, DCTERMS.source)]
    return [t for t in found if isinstance(t, ox.NamedNode)]
