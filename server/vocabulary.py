"""The vocabulary documented: what a class or property page adds, and the index at /ontology.

Read from the ontology graph of the served artifact, with usage counts and examples from the
data, so the documentation is always the vocabulary the graph uses. Class expressions (OWL
restrictions, unions, intersections, property chains) read as Manchester syntax, the way
ontology documenters (LODE, pyLODE, WIDOCO) show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.namespaces import (
    ALL_GRAPHS,
    CRTKG,
    DCTERMS,
    IMPORTS_GRAPH,
    ONTOLOGY_GRAPH,
    ONTOLOGY_IRI,
    OWL,
    RDF,
    RDFS,
)
from server.describe import Reader, Subject, Term, node, rdf_list

Part = str | ox.NamedNode  # an expression as words and the terms they link to
EXAMPLES = 6

# Each kind of term, and its plural for headings.
PLURALS = {"class": "classes", "object property": "object properties",
           "datatype property": "datatype properties",
           "annotation property": "annotation properties"}
KINDS = {str(OWL.Class): "class", str(OWL.ObjectProperty): "object property",
         str(OWL.DatatypeProperty): "datatype property",
         str(OWL.AnnotationProperty): "annotation property"}
CHARACTERISTICS = {str(OWL.TransitiveProperty): "transitive",
                   str(OWL.SymmetricProperty): "symmetric",
                   str(OWL.FunctionalProperty): "functional",
                   str(OWL.InverseFunctionalProperty): "inverse functional",
                   str(OWL.AsymmetricProperty): "asymmetric",
                   str(OWL.IrreflexiveProperty): "irreflexive",
                   str(OWL.ReflexiveProperty): "reflexive"}
RESTRICTIONS = {str(OWL.someValuesFrom): "some", str(OWL.allValuesFrom): "only",
                str(OWL.hasValue): "value", str(OWL.minCardinality): "min",
                str(OWL.maxCardinality): "max", str(OWL.cardinality): "exactly",
                str(OWL.minQualifiedCardinality): "min", str(OWL.maxQualifiedCardinality): "max",
                str(OWL.qualifiedCardinality): "exactly"}
SETS = {str(OWL.intersectionOf): "and", str(OWL.unionOf): "or", str(OWL.oneOf): ","}
TBOX = [node(ONTOLOGY_GRAPH), node(IMPORTS_GRAPH)]


@dataclass
class TermDoc:
    """A class's or property's documentation: its axioms as lines of parts, its usage."""

    kind: str
    axioms: list[tuple[str, list[list[Part]]]] = field(default_factory=list)
    count: int = 0  # instances of a class, triples of a property (with the inferred)
    instances: list[ox.NamedNode] = field(default_factory=list)
    examples: list[tuple[Term, Term]] = field(default_factory=list)


def kind_of(reader: Reader, term: ox.NamedNode) -> str | None:
    for t in reader.objects(term, RDF.type):
        if isinstance(t, ox.NamedNode) and t.value in KINDS:
            return KINDS[t.value]
    return None


def document(reader: Reader, term: ox.NamedNode) -> TermDoc | None:
    """The documentation of a class or property; None for any other resource."""
    kind = kind_of(reader, term)
    if kind is None:
        return None
    doc = TermDoc(kind)
    axioms = _class_axioms if kind == "class" else _property_axioms
    for title, values in axioms(reader, term):
        lines = [expression(reader, v) for v in values]
        if lines:
            doc.axioms.append((title, lines))
    if kind == "class":
        doc.count, doc.instances = _instances(reader.store, term)
    else:
        doc.count, doc.examples = _uses(reader.store, term)
    return doc


def _class_axioms(reader: Reader, term: ox.NamedNode) -> list[tuple[str, list[Term]]]:
    return [
        ("subclass of", _tbox_objects(reader, term, RDFS.subClassOf)),
        ("equivalent to", _tbox_objects(reader, term, OWL.equivalentClass)),
        ("disjoint with", _tbox_objects(reader, term, OWL.disjointWith)),
        ("superclass of", _tbox_subjects(reader, RDFS.subClassOf, term)),
        ("domain of", _tbox_subjects(reader, RDFS.domain, term)),
        ("range of", _tbox_subjects(reader, RDFS.range, term)),
    ]


def _property_axioms(reader: Reader, term: ox.NamedNode) -> list[tuple[str, list[Term]]]:
    characteristics: list[Term] = [
        ox.Literal(CHARACTERISTICS[t.value]) for t in reader.objects(term, RDF.type)
        if isinstance(t, ox.NamedNode) and t.value in CHARACTERISTICS]
    inverse = [*_tbox_objects(reader, term, OWL.inverseOf),
               *_tbox_subjects(reader, OWL.inverseOf, term)]
    return [
        ("domain", _tbox_objects(reader, term, RDFS.domain)),
        ("range", _tbox_objects(reader, term, RDFS.range)),
        ("characteristics", characteristics),
        ("inverse of", inverse),
        ("subproperty of", _tbox_objects(reader, term, RDFS.subPropertyOf)),
        ("superproperty of", _tbox_subjects(reader, RDFS.subPropertyOf, term)),
        ("implied by the chain", _tbox_objects(reader, term, OWL.propertyChainAxiom)),
    ]


def _tbox_objects(reader: Reader, term: Subject, prop: object) -> list[Term]:
    return sorted({q.object for q in reader.quads(term, node(prop), None, TBOX)}, key=str)


def _tbox_subjects(reader: Reader, prop: object, term: Term) -> list[Term]:
    found = {q.subject for q in reader.quads(None, node(prop), term, TBOX)}
    return sorted((t for t in found if isinstance(t, ox.NamedNode)), key=str)


def expression(reader: Reader, term: Term, depth: int = 0) -> list[Part]:
    """A class expression or a property chain in Manchester syntax, as parts."""
    if isinstance(term, ox.NamedNode):
        return [term]
    if isinstance(term, ox.Literal):
        return [term.value]
    if depth > 6:
        return ["…"]
    items = rdf_list(reader, term)
    if items is not None:  # a bare list: a property chain
        return _joined([expression(reader, t, depth + 1) for t in items], " o ")
    for prop, word in SETS.items():
        members = [rdf_list(reader, o) for o in reader.objects(term, prop)]
        if members and members[0] is not None:
            parts = _joined([expression(reader, t, depth + 1) for t in members[0]], f" {word} ")
            return ["{", *parts, "}"] if word == "," else ["(", *parts, ")"]
    complement = reader.objects(term, OWL.complementOf)
    if complement:
        return ["not ", *expression(reader, complement[0], depth + 1)]
    on = reader.objects(term, OWL.onProperty)
    if on:
        for prop, word in RESTRICTIONS.items():
            for value in reader.objects(term, prop):
                qualified = reader.objects(term, OWL.onClass) or []
                tail = [" ", *expression(reader, qualified[0], depth + 1)] if qualified else []
                return [*expression(reader, on[0], depth + 1), f" {word} ",
                        *expression(reader, value, depth + 1), *tail]
    inverse = reader.objects(term, OWL.inverseOf)
    if inverse:
        return ["inverse ", *expression(reader, inverse[0], depth + 1)]
    return ["(an anonymous class)"]


def _joined(groups: list[list[Part]], sep: str) -> list[Part]:
    out: list[Part] = []
    for i, group in enumerate(groups):
        out += [sep, *group] if i else group
    return out


def _union(store: ox.Store, query: str) -> list[ox.QuerySolution]:
    answer = store.query(query, default_graph=[node(g) for g in ALL_GRAPHS])
    assert isinstance(answer, ox.QuerySolutions)  # the SELECTs below
    return list(answer)


def _instances(store: ox.Store, term: ox.NamedNode) -> tuple[int, list[ox.NamedNode]]:
    count = _union(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) {{ ?x a {term} }}")
    examples = _union(store, f"SELECT DISTINCT ?x {{ ?x a {term} FILTER(isIRI(?x)) }} "
                             f"ORDER BY ?x LIMIT {EXAMPLES}")
    return int(count[0]["n"].value), [row["x"] for row in examples]


def _uses(store: ox.Store, term: ox.NamedNode) -> tuple[int, list[tuple[Term, Term]]]:
    count = _union(store, f"SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?s ?o {{ ?s {term} ?o }} }}")
    examples = _union(store, f"SELECT DISTINCT ?s ?o {{ ?s {term} ?o FILTER(isIRI(?s)) }} "
                             f"ORDER BY ?s ?o LIMIT {EXAMPLES}")
    return int(count[0]["n"].value), [(row["s"], row["o"]) for row in examples]


@dataclass
class Entry:
    """A line of the vocabulary index: a term, its label, definition and usage count."""

    term: ox.NamedNode
    label: str
    definition: str
    count: int
    children: list[Entry] = field(default_factory=list)


@dataclass
class Index:
    title: str
    description: str
    version: str
    classes: list[Entry]  # the class tree, roots first
    properties: dict[str, list[Entry]]  # by kind
    class_count: int


def index(reader: Reader, counts: dict[str, int]) -> Index:
    """The ontology's own classes as a tree by rdfs:subClassOf, and its properties by kind,
    each with its usage count (`counts`: instances of a class, triples of a property)."""
    tbox = [node(ONTOLOGY_GRAPH)]
    terms: dict[str, list[ox.NamedNode]] = {kind: [] for kind in KINDS.values()}
    for q in reader.quads(None, node(RDF.type), None, tbox):
        kind = KINDS.get(q.object.value) if isinstance(q.object, ox.NamedNode) else None
        if kind and isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(str(CRTKG)):
            terms[kind].append(q.subject)

    def entry(term: ox.NamedNode) -> Entry:
        return Entry(term, reader.label(term) or term.value, reader.definition(term) or "",
                     counts.get(term.value, 0))

    classes = {t.value: entry(t) for t in terms["class"]}
    roots = []
    for e in sorted(classes.values(), key=lambda e: e.label.lower()):
        parents = [p.value for p in _tbox_objects(reader, e.term, RDFS.subClassOf)
                   if isinstance(p, ox.NamedNode) and p.value in classes]
        for p in parents:
            classes[p].children.append(e)
        if not parents:
            roots.append(e)
    properties = {kind: sorted((entry(t) for t in set(found)), key=lambda e: e.label.lower())
                  for kind, found in terms.items() if kind != "class" and found}
    about = node(ONTOLOGY_IRI)
    return Index(reader.text(about, node(DCTERMS.title)) or about.value,
                 reader.text(about, node(DCTERMS.description)) or "",
                 reader.text(about, node(OWL.versionInfo)) or "", roots, properties, len(classes))
