"""Materialize the OWL 2 RL closure with compiled rules, recording every derivation.

Semi-naive evaluation by rounds: round k fires the rules on the triples new in round k-1,
joining them with everything known before round k. A conclusion is recorded in the round it
first appears, with every derivation found in that round, so each premise was known in an
earlier round: the derivations are well founded, and a proof tree never loops.

    >>> from rdflib import Graph
    >>> from graph.namespaces import DATA_GRAPH, ONTOLOGY_GRAPH
    >>> tbox = Graph().parse(data="@prefix : <urn:x:> . @prefix rdfs: "
    ...     "<http://www.w3.org/2000/01/rdf-schema#> . :A rdfs:subClassOf :B .", format="turtle")
    >>> abox = Graph().parse(data="<urn:x:a> a <urn:x:A> .", format="turtle")
    >>> closure = materialize({ONTOLOGY_GRAPH: tbox, DATA_GRAPH: abox})
    >>> [(d.rule, len(d.premises)) for d in closure.derivations[
    ...     (URIRef("urn:x:a"), RDF.type, URIRef("urn:x:B"))]]
    [('cax-sco', 2)]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.term import Node

from graph.errors import ReasoningFailed
from graph.namespaces import INFERRED_GRAPH, OWL, RDF, RDFS, shorten
from graph.reason import trivial_kind
from graph.rules import (
    EQCLASS,
    EQPROP,
    SUBCLASS,
    SUBPROP,
    TYPE,
    RuleSet,
    Triple,
    compile_rules,
    render,
)

Fired = tuple[Triple, str, tuple[Triple, ...]]  # conclusion, rule, premises


@dataclass(frozen=True, order=True)
class Derivation:
    """One way a triple follows: a rule and its premises (each asserted or inferred earlier)."""

    rule: str
    premises: tuple[Triple, ...]


@dataclass
class Closure:
    """What the rules added (trimmed), how each kept triple was derived, and where every
    premise came from (the graph it is asserted in, or graph:inferred)."""

    graph: list[Triple]  # the kept inferred triples, each once
    derivations: dict[Triple, list[Derivation]]
    origin: dict[Triple, URIRef]
    trimmed: Counter[str] = field(default_factory=Counter)
    rounds: int = 0
    anonymous: dict[Node, str] = field(default_factory=dict)  # blank nodes, described

    def graph_of(self, triple: Triple) -> URIRef:
        return self.origin.get(triple, INFERRED_GRAPH)


class Index:
    """The known triples, by predicate then subject, and by predicate then object."""

    def __init__(self) -> None:
        self.known: set[Triple] = set()
        self.sp: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        self.po: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))

    def add(self, triple: Triple) -> None:
        s, p, o = triple
        self.known.add(triple)
        self.sp[p][s].add(o)
        self.po[p][o].add(s)

    def objects(self, s: Node, p: Node) -> set[Node]:
        by_s = self.sp.get(p)
        return by_s.get(s, set()) if by_s else set()

    def subjects(self, p: Node, o: Node) -> set[Node]:
        by_o = self.po.get(p)
        return by_o.get(o, set()) if by_o else set()


def materialize(graphs: dict[URIRef, Graph],
                triples: dict[URIRef, list[Triple]] | None = None) -> Closure:
    """The closure of the named graphs under the rules of their axioms, with derivations.

    Raises UnsupportedAxiom for an axiom the rules cannot express, and ReasoningFailed for
    an inconsistency (disjoint classes sharing a member, two values of a functional
    property, an ill-typed literal), naming the triples involved and how they were derived.
    """
    origin: dict[Triple, URIRef] = {}
    for name, graph in graphs.items():  # the lists, where given: faster than a Graph
        for triple in (triples or {}).get(name, graph):
            origin.setdefault(triple, name)
    # The axioms may be in any graph; a read-only union spares copying the data.
    rules = compile_rules(ReadOnlyGraphAggregate(list(graphs.values())))
    index = Index()
    for triple in origin:
        index.add(triple)
    derived: dict[Triple, list[Derivation]] = {}
    delta, rounds = list(origin), 0
    while delta:
        rounds += 1
        found: dict[Triple, set[Derivation]] = defaultdict(set)
        for triple in delta:
            for conclusion, rule, premises in fire(rules, index, triple):
                if conclusion not in index.known:
                    found[conclusion].add(Derivation(rule, premises))
        for conclusion, ways in found.items():
            derived[conclusion] = sorted(ways) if len(ways) > 1 else list(ways)
            index.add(conclusion)
        delta = list(found)
    closure = _trim(derived, origin, rounds)
    closure.anonymous = rules.anonymous
    check_consistency(rules, index, closure)
    return closure


def _trim(derived: dict[Triple, list[Derivation]], origin: dict[Triple, URIRef],
          rounds: int) -> Closure:
    kept: list[Triple] = []  # a list, not a Graph: only iterated, and 10x faster to fill
    trimmed: Counter[str] = Counter()
    derivations = {}
    for triple, ways in derived.items():
        kind = trivial_kind(triple)
        if kind is None:
            kept.append(triple)
            derivations[triple] = ways
        else:
            trimmed[kind] += 1
    return Closure(kept, derivations, origin, trimmed, rounds)


# --- the rules ----------------------------------------------------------------------------

def fire(rules: RuleSet, index: Index, triple: Triple) -> Iterator[Fired]:
    """Every conclusion of one new triple with what is known (the triple included)."""
    s, p, o = triple
    yield from _class_rules(rules, index, triple)
    for rule in rules.by_property.get(p, ()):
        head = (o, rule.target, s) if rule.inverse else (s, rule.target, o)
        yield head, rule.rule, (triple, rule.axiom)
    for cls, axiom in rules.domains.get(p, ()):
        yield (s, TYPE, cls), "prp-dom", (triple, axiom)
    for cls, axiom in rules.ranges.get(p, ()):
        yield (o, TYPE, cls), "prp-rng", (triple, axiom)
    if p in rules.transitive:
        axiom = rules.transitive[p]
        for z in index.objects(o, p):
            yield (s, p, z), "prp-trp", (triple, (o, p, z), axiom)
        for w in index.subjects(p, s):
            yield (w, p, o), "prp-trp", ((w, p, s), triple, axiom)
    for chain, position in rules.chains.get(p, ()):
        for path in _chain_paths(index, chain.links, position, triple):
            yield (path[0][0], chain.head, path[-1][2]), "prp-spo2", (*path, chain.axiom)
    for cls, sup in rules.expression_supers.get(triple, ()):
        yield (cls, SUBCLASS, sup), "scm-int", (triple,)
    if p in SCHEMA_RULES:
        yield from SCHEMA_RULES[p](index, triple)


def _class_rules(rules: RuleSet, index: Index, triple: Triple) -> Iterator[Fired]:
    x, p, o = triple
    for rule in rules.by_atom.get((p, o), ()):
        body = tuple((x, bp, bo) for bp, bo in rule.body)
        if all(b == triple or b in index.known for b in body):
            yield (x, *rule.head), rule.rule, (*body, rule.axiom)


def _chain_paths(index: Index, links: tuple[URIRef, ...], position: int,
                 triple: Triple) -> Iterator[tuple[Triple, ...]]:
    """Paths `x links[0] y1 ... links[-1] z` through `triple` at `position`."""
    paths: list[tuple[Triple, ...]] = [(triple,)]
    for link in reversed(links[:position]):  # extend to the left
        paths = [((w, link, path[0][0]), *path) for path in paths
                 for w in index.subjects(link, path[0][0])]
    for link in links[position + 1:]:  # and to the right
        paths = [(*path, (path[-1][2], link, z)) for path in paths
                 for z in index.objects(path[-1][2], link)]
    yield from paths


# Schema closure: what owlrl keeps of the scm-* rules (named classes and properties only;
# the class expressions' own subsumptions are trimmed as anonymous).

def _scm_subclass(index: Index, triple: Triple) -> Iterator[Fired]:
    c, _, d = triple
    if not _named(c, d):
        return
    for e in index.objects(d, SUBCLASS):
        yield (c, SUBCLASS, e), "scm-sco", (triple, (d, SUBCLASS, e))
    for b in index.subjects(SUBCLASS, c):
        yield (b, SUBCLASS, d), "scm-sco", ((b, SUBCLASS, c), triple)
    if (d, SUBCLASS, c) in index.known:
        yield (c, EQCLASS, d), "scm-eqc2", (triple, (d, SUBCLASS, c))
        yield (d, EQCLASS, c), "scm-eqc2", ((d, SUBCLASS, c), triple)
    for prop in index.subjects(RDFS.domain, c):
        yield (prop, RDFS.domain, d), "scm-dom1", ((prop, RDFS.domain, c), triple)
    for prop in index.subjects(RDFS.range, c):
        yield (prop, RDFS.range, d), "scm-rng1", ((prop, RDFS.range, c), triple)


def _scm_subproperty(index: Index, triple: Triple) -> Iterator[Fired]:
    p1, _, p2 = triple
    if not _named(p1, p2):
        return
    for p3 in index.objects(p2, SUBPROP):
        yield (p1, SUBPROP, p3), "scm-spo", (triple, (p2, SUBPROP, p3))
    for p0 in index.subjects(SUBPROP, p1):
        yield (p0, SUBPROP, p2), "scm-spo", ((p0, SUBPROP, p1), triple)
    if (p2, SUBPROP, p1) in index.known:
        yield (p1, EQPROP, p2), "scm-eqp2", (triple, (p2, SUBPROP, p1))
        yield (p2, EQPROP, p1), "scm-eqp2", ((p2, SUBPROP, p1), triple)
    for cls in index.objects(p2, RDFS.domain):
        yield (p1, RDFS.domain, cls), "scm-dom2", ((p2, RDFS.domain, cls), triple)
    for cls in index.objects(p2, RDFS.range):
        yield (p1, RDFS.range, cls), "scm-rng2", ((p2, RDFS.range, cls), triple)


def _scm_domain_or_range(index: Index, triple: Triple) -> Iterator[Fired]:
    prop, kind, cls = triple
    if not _named(prop, cls):
        return
    suffix = "dom" if kind == RDFS.domain else "rng"
    for sup in index.objects(cls, SUBCLASS):
        yield (prop, kind, sup), f"scm-{suffix}1", (triple, (cls, SUBCLASS, sup))
    for sub in index.subjects(SUBPROP, prop):
        yield (sub, kind, cls), f"scm-{suffix}2", (triple, (sub, SUBPROP, prop))


def _scm_equivalent(index: Index, triple: Triple) -> Iterator[Fired]:
    a, kind, b = triple
    sub, rule = (SUBCLASS, "scm-eqc1") if kind == EQCLASS else (SUBPROP, "scm-eqp1")
    if _named(a, b):
        yield (a, sub, b), rule, (triple,)
        yield (b, sub, a), rule, (triple,)


SCHEMA_RULES: dict[Node, Callable[[Index, Triple], Iterator[Fired]]] = {
    SUBCLASS: _scm_subclass, SUBPROP: _scm_subproperty,
    RDFS.domain: _scm_domain_or_range, RDFS.range: _scm_domain_or_range,
    EQCLASS: _scm_equivalent, EQPROP: _scm_equivalent}


def _named(*terms: Node) -> bool:
    return all(isinstance(t, URIRef) for t in terms)


# --- inconsistencies ----------------------------------------------------------------------

def check_consistency(rules: RuleSet, index: Index, closure: Closure) -> None:
    """Raise ReasoningFailed with every clash: cax-dw, cls-nothing2, prp-fp on literals
    (dt-diff: two different data values cannot be one), ill-typed literals (dt-not-type)."""
    messages: list[str] = []
    by_class = index.po.get(RDF.type, {})
    for c, d, axiom in rules.disjoint:
        for x in sorted(by_class.get(c, set()) & by_class.get(d, set()), key=str):
            messages.append(_clash(
                closure, f"{render(x)} is both a {render(c)} and a {render(d)}, but "
                         f"{_cite(closure, axiom)} says they are disjoint (cax-dw)",
                [(x, RDF.type, c), (x, RDF.type, d)]))
    for x in sorted(by_class.get(OWL.Nothing, set()), key=str):
        messages.append(_clash(closure, f"{render(x)} is an owl:Nothing (cls-nothing2)",
                               [(x, RDF.type, OWL.Nothing)]))
    for prop, axiom in sorted(rules.functional.items()):
        messages += _functional_clashes(closure, index, prop, axiom)
    ill_typed = [(s, p, o) for s, p, o in closure.origin if isinstance(o, Literal) and o.ill_typed]
    for s, p, value in sorted(ill_typed, key=str):  # sorting only these, not every triple
        messages.append(f"{render(s)} {render(p)} {render(value)}: the literal is not a "
                        f"valid {shorten(str(value.datatype))} (dt-not-type)")
    if messages:
        raise ReasoningFailed(messages)


def _functional_clashes(closure: Closure, index: Index, prop: Node,
                        axiom: Triple) -> list[str]:
    messages = []
    for x, values in sorted(index.sp.get(prop, {}).items(), key=lambda kv: str(kv[0])):
        distinct = _distinct_values(values)
        if len(distinct) < 2:
            continue
        shown = ", ".join(render(v) for v in distinct)
        if all(isinstance(v, Literal) for v in distinct):
            why = "two different data values cannot be one (prp-fp, dt-diff)"
        else:
            why = ("they would be one and the same (prp-fp: owl:sameAs), and crtkg's rules "
                   "do not reason with owl:sameAs")
        messages.append(_clash(
            closure, f"{render(x)} has {len(distinct)} values of {render(prop)} ({shown}), "
                     f"which {_cite(closure, axiom)} makes functional: {why}",
            [(x, prop, v) for v in distinct]))
    return messages


def _distinct_values(values: set[Node]) -> list[Node]:
    """The values, one of each that are equal as data values (1 and "01"^^xsd:integer).

    >>> from graph.namespaces import XSD
    >>> [str(v) for v in _distinct_values({Literal(1), Literal("1", datatype=XSD.int),
    ...                                    Literal("one")})]  # xsd:integer 1 = xsd:int 1
    ['1', 'one']
    """
    distinct: list[Node] = []
    for value in sorted(values, key=str):
        if not any(value == d or (isinstance(value, Literal) and isinstance(d, Literal)
                                  and value.eq(d)) for d in distinct):
            distinct.append(value)
    return distinct


def _cite(closure: Closure, triple: Triple) -> str:
    return f"{say(closure, triple)} ({render(closure.graph_of(triple))})"


def _clash(closure: Closure, head: str, triples: list[Triple]) -> str:
    lines = [head]
    for triple in triples:
        lines += [f"    {line}" for line in proof_lines(closure, triple, depth=4)]
    return "\n".join(lines)


def proof_lines(closure: Closure, triple: Triple, depth: int, indent: str = "") -> list[str]:
    """How a triple came to be, as indented lines: its graph if asserted, else each of its
    derivations with its premises, down to `depth` steps."""
    text = indent + say(closure, triple)
    if triple in closure.origin:
        return [f"{text}  [asserted in {render(closure.origin[triple])}]"]
    ways = closure.derivations.get(triple, [])
    if depth <= 0 or not ways:
        return [f"{text}  [inferred]"]
    lines = []
    for way in ways:
        lines.append(f"{text}  [{way.rule}]")
        for premise in way.premises:
            lines += proof_lines(closure, premise, depth - 1, indent + "  ")
    return lines


def say(closure: Closure, triple: Triple) -> str:
    """A triple in CURIEs, blank nodes described."""
    return " ".join(render(term, closure.anonymous) for term in triple)
