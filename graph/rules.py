"""Compile the TBox into OWL 2 RL rules specific to it, refusing what they cannot express.

Every schema axiom found in the ontology, the imports or the data becomes an entry in a
`RuleSet`: a subclass pair a rule `x a C -> x a D` (cax-sco), a domain `x p y -> x a C`
(prp-dom), a property chain a join (prp-spo2), a class defined as an intersection of classes
and hasValue restrictions a conjunction `x a A, x p v -> x a C` (cls-int1), and so on.
graph.derive runs them. An axiom outside the compiled fragment (owl:unionOf, someValuesFrom,
cardinalities, sameAs, ...) stops the build with `UnsupportedAxiom`, naming it, instead of
silently inferring less than OWL 2 RL would.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from graph.errors import UnsupportedAxiom
from graph.namespaces import OWL, RDF, RDFS, XSD, shorten

Triple = tuple[Node, Node, Node]

TYPE = RDF.type  # a Namespace attribute is a new URIRef on each access: look up once
SUBCLASS, EQCLASS, SUBPROP, EQPROP = (RDFS.subClassOf, OWL.equivalentClass,
                                       RDFS.subPropertyOf, OWL.equivalentProperty)
# The terms the rules put in conclusions themselves. The loader parses every source term
# as these very objects, so triples compare by identity, not by rdflib's slower __eq__.
CONCLUDED = (TYPE, SUBCLASS, EQCLASS, SUBPROP, EQPROP)
# Predicates whose triples are axioms: the rules read them, and no rule may conclude one.
SCHEMA_PREDICATES = frozenset({
    SUBCLASS, EQCLASS, SUBPROP, EQPROP, RDFS.domain, RDFS.range, OWL.inverseOf,
    OWL.propertyChainAxiom, OWL.disjointWith, OWL.intersectionOf, OWL.onProperty,
    OWL.hasValue, RDF.first, RDF.rest})
# OWL terms that declare or annotate and imply nothing the rules must know.
DECLARATIONS = frozenset({
    OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology,
    OWL.NamedIndividual, OWL.Restriction, OWL.Thing, OWL.DeprecatedClass,
    OWL.DeprecatedProperty})
ANNOTATIONS = frozenset({OWL.versionIRI, OWL.versionInfo, OWL.imports, OWL.priorVersion,
                         OWL.backwardCompatibleWith, OWL.incompatibleWith, OWL.deprecated})
PROPERTY_KINDS = frozenset({OWL.TransitiveProperty, OWL.FunctionalProperty,
                            OWL.SymmetricProperty})
BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
# Classes whose members the rules do not materialize (everything, literals, datatype values),
# so no rule may start from them; and classes of vocabulary terms, which no rule may conclude.
UNMATERIALIZED = frozenset({OWL.Thing, RDFS.Resource, RDFS.Literal})
META_CLASSES = frozenset({RDFS.Class, RDF.Property, RDFS.Datatype, RDF.List,
                          RDFS.ContainerMembershipProperty})


# --- class expressions --------------------------------------------------------------------

@dataclass(frozen=True)
class Named:
    iri: URIRef


@dataclass(frozen=True)
class HasValue:
    node: BNode
    prop: URIRef
    value: Node


@dataclass(frozen=True)
class Intersection:
    node: BNode
    parts: tuple[Expression, ...]


Expression = Named | HasValue | Intersection
Atom = tuple[Node, Node]  # (p, o): "x p o" for the rule's x; (rdf:type, C) for "x a C"


def atoms(expr: Expression) -> tuple[tuple[Atom, str], ...]:
    """What membership of `expr` amounts to, as atoms about x, with the rule that reads each
    (cls-int for a conjunct of an intersection, cls-hv for a hasValue restriction)."""
    if isinstance(expr, Named):
        return (((TYPE, expr.iri), "cax"),)
    if isinstance(expr, HasValue):
        return (((expr.prop, expr.value), "cls-hv"),)
    flat = [atom for part in expr.parts for atom, _ in atoms(part)]
    return tuple((atom, "cls-int") for atom in flat)


# --- the compiled rules -------------------------------------------------------------------

@dataclass(frozen=True)
class ClassRule:
    """`x a1, ..., x an -> x head`, licensed by one axiom triple."""

    body: tuple[Atom, ...]
    head: Atom
    rule: str
    axiom: Triple


@dataclass(frozen=True)
class PropertyRule:
    """`x p y -> x q y` (or `y q x` when `inverse`), licensed by one axiom triple."""

    target: Node
    rule: str
    axiom: Triple
    inverse: bool = False


@dataclass(frozen=True)
class Chain:
    """`x p1 y1, ..., yn-1 pn z -> x head z` (prp-spo2)."""

    head: URIRef
    links: tuple[URIRef, ...]
    axiom: Triple


@dataclass
class RuleSet:
    """The TBox as rules, indexed by what triggers them."""

    by_atom: dict[Atom, list[ClassRule]] = field(default_factory=lambda: defaultdict(list))
    by_property: dict[Node, list[PropertyRule]] = field(
        default_factory=lambda: defaultdict(list))
    domains: dict[Node, list[tuple[Node, Triple]]] = field(
        default_factory=lambda: defaultdict(list))
    ranges: dict[Node, list[tuple[Node, Triple]]] = field(
        default_factory=lambda: defaultdict(list))
    transitive: dict[Node, Triple] = field(default_factory=dict)
    chains: dict[Node, list[tuple[Chain, int]]] = field(default_factory=lambda: defaultdict(list))
    functional: dict[Node, Triple] = field(default_factory=dict)
    disjoint: list[tuple[URIRef, URIRef, Triple]] = field(default_factory=list)
    # Named superclasses a class has through a class expression (scm-int), by axiom.
    expression_supers: dict[Triple, list[tuple[URIRef, Node]]] = field(
        default_factory=lambda: defaultdict(list))
    expressions: dict[BNode, Expression] = field(default_factory=dict)
    # How to name each blank node an axiom uses: its class expression or list, spelled out.
    anonymous: dict[Node, str] = field(default_factory=dict)

    def add_class_rule(self, rule: ClassRule) -> None:
        for atom in rule.body:
            self.by_atom[atom].append(rule)


def render(node: Node, anonymous: dict[Node, str] | None = None) -> str:
    """A term as people read it: a CURIE, a quoted literal, or a blank node's description
    from `anonymous` (a class expression or a list, spelled out)."""
    if isinstance(node, Literal):
        text = '"' + str(node).replace('"', '\\"') + '"'
        if node.language:
            return f"{text}@{node.language}"
        return text + (f"^^{shorten(str(node.datatype))}" if node.datatype else "")
    if isinstance(node, BNode):
        return (anonymous or {}).get(node) or "[]"  # Turtle's anonymous node
    return shorten(str(node))


def describe(expr: Expression) -> str:
    """A class expression in Manchester-like words, e.g. `crtkg:Finding and (crtkg:direction
    value crtkg:NoBenefit)`: stable, so it also names the expression in derivation hashes."""
    if isinstance(expr, Named):
        return render(expr.iri)
    if isinstance(expr, HasValue):
        return f"({render(expr.prop)} value {render(expr.value)})"
    return "(" + " and ".join(describe(p) for p in expr.parts) + ")"


class Problems:
    """Every axiom the rules cannot express, collected into one error."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, triple: Triple, why: str) -> None:
        s, p, o = triple
        text = f"{render(s)} {render(p)} {render(o)}: {why}"
        if text not in self.found:
            self.found.append(text)

    def raise_any(self) -> None:
        if self.found:
            raise UnsupportedAxiom(self.found)


AXIOM_PREDICATES = (SUBCLASS, EQCLASS, SUBPROP, EQPROP, RDFS.domain, RDFS.range, OWL.inverseOf,
                    OWL.propertyChainAxiom, OWL.disjointWith, RDF.type)
EXPRESSION_PREDICATES = frozenset({OWL.intersectionOf, OWL.onProperty, OWL.hasValue})


def compile_rules(tbox: Graph) -> RuleSet:
    """The rules of the axioms in `tbox` (the union of the reasoned graphs).

    Raises UnsupportedAxiom naming every axiom outside the compiled fragment.
    """
    rules, problems = RuleSet(), Problems()
    parser = _ExpressionParser(tbox, problems)
    owl = str(OWL)
    for axiom_predicate in AXIOM_PREDICATES:
        pairs = tbox.subject_objects(axiom_predicate)
        if axiom_predicate == TYPE:  # only a type from OWL's vocabulary is an axiom: not facts
            pairs = ((s, o) for s, o in pairs if str(o).startswith(owl))
        for s, o in sorted(pairs, key=str):
            _compile_triple((s, axiom_predicate, o), rules, parser, problems)
    # Any other OWL term: a construct the rules do not know, unless it annotates.
    for s, p, o in tbox:
        if (str(p).startswith(owl) and p not in ANNOTATIONS and p not in AXIOM_PREDICATES
                and not (p in EXPRESSION_PREDICATES or s in parser.seen)):
            problems.add((s, p, o), f"{render(p)} is outside the OWL 2 RL rules crtkg compiles")
    rules.expressions = parser.parsed
    rules.anonymous.update({node: describe(expr) for node, expr in parser.parsed.items()})
    _check_builtins(rules, problems)
    problems.raise_any()
    return rules


def _compile_triple(triple: Triple, rules: RuleSet, parser: _ExpressionParser,
                    problems: Problems) -> None:
    s, p, o = triple
    if p == RDF.type:
        _compile_type(triple, rules, problems)
    elif p in (SUBCLASS, EQCLASS):
        _compile_class_axiom(triple, rules, parser, problems)
    elif p in (SUBPROP, EQPROP):
        if _named(s, o, triple, problems):
            rules.by_property[s].append(PropertyRule(o, "prp-spo1" if p == SUBPROP
                                                     else "prp-eqp1", triple))
            if p == EQPROP:
                rules.by_property[o].append(PropertyRule(s, "prp-eqp2", triple))
    elif p in (RDFS.domain, RDFS.range):
        if _named(s, o, triple, problems, "a class expression as a domain or range"):
            (rules.domains if p == RDFS.domain else rules.ranges)[s].append((o, triple))
    elif p == OWL.inverseOf:
        if _named(s, o, triple, problems, "an inverse of an inverse property expression"):
            rules.by_property[s].append(PropertyRule(o, "prp-inv1", triple, inverse=True))
            rules.by_property[o].append(PropertyRule(s, "prp-inv2", triple, inverse=True))
    elif p == OWL.propertyChainAxiom:
        parser.seen.add(o)
        links = parser.list_of(o, triple) or []
        named = tuple(x for x in links if isinstance(x, URIRef))
        if links and len(named) == len(links) and isinstance(s, URIRef):
            chain = Chain(s, named, triple)
            rules.anonymous[o] = "(" + " ".join(render(link) for link in links) + ")"
            for i, link in enumerate(chain.links):
                rules.chains[link].append((chain, i))
        else:
            problems.add(triple, "a property chain must be a list of named properties")
    elif p == OWL.disjointWith and (classes := _named(s, o, triple, problems,
                                                      "disjointness with a class expression")):
        rules.disjoint.append((*classes, triple))


def _compile_type(triple: Triple, rules: RuleSet, problems: Problems) -> None:
    s, _, o = triple
    if o == OWL.TransitiveProperty:
        rules.transitive[s] = triple
    elif o == OWL.SymmetricProperty:
        rules.by_property[s].append(PropertyRule(s, "prp-symp", triple, inverse=True))
    elif o == OWL.FunctionalProperty:
        rules.functional[s] = triple
    elif isinstance(o, URIRef) and str(o).startswith(str(OWL)) and o not in DECLARATIONS:
        problems.add(triple, f"{render(o)} is outside the OWL 2 RL rules crtkg compiles")


def _named(s: Node, o: Node, triple: Triple, problems: Problems,
           what: str = "a property expression") -> tuple[URIRef, URIRef] | None:
    """Both terms, if both are named (IRIs); else None, the axiom recorded as a problem."""
    if isinstance(s, URIRef) and isinstance(o, URIRef):
        return s, o
    problems.add(triple, f"{what} is outside the rules crtkg compiles")
    return None


def _compile_class_axiom(triple: Triple, rules: RuleSet, parser: _ExpressionParser,
                         problems: Problems) -> None:
    s, p, o = triple
    sub, sup = parser.parse(s, triple), parser.parse(o, triple)
    if sub is None or sup is None:
        return
    _implication(sub, sup, triple, rules, problems, forward=True)
    if p == EQCLASS:
        _implication(sup, sub, triple, rules, problems, forward=False)
    # scm-int: the named conjuncts of a superclass expression are superclasses too.
    for a, b in ((sub, sup), (sup, sub)) if p == EQCLASS else ((sub, sup),):
        if isinstance(a, Named) and not isinstance(b, Named):
            for (pred, cls), _ in atoms(b):
                if pred == RDF.type and cls != a.iri:
                    rules.expression_supers[triple].append((a.iri, cls))


def _implication(sub: Expression, sup: Expression, triple: Triple, rules: RuleSet,
                 problems: Problems, forward: bool) -> None:
    """Rules for `sub ⊑ sup`: recognise a member of `sub`, conclude each atom of `sup`."""
    body = tuple(atom for atom, _ in atoms(sub))
    if isinstance(sub, Named) and isinstance(sup, Named):
        name = "cax-sco" if triple[1] == SUBCLASS else ("cax-eqc1" if forward else "cax-eqc2")
        rules.add_class_rule(ClassRule(body, (TYPE, sup.iri), name, triple))
        return
    for head, kind in atoms(sup):
        if kind == "cax":  # a named superclass: sub's own rule, an intersection's or a value's
            name = {Named: "cax-sco", HasValue: "cls-hv2", Intersection: "cls-int1"}[type(sub)]
        else:  # a conjunct of an intersection, or a value restriction's value
            name = "cls-int2" if isinstance(sup, Intersection) else "cls-hv1"
        if head in body:
            continue  # a conjunct the body already states
        rules.add_class_rule(ClassRule(body, head, name, triple))


class _ExpressionParser:
    """Reads the class expressions the axioms use; anything else is a problem."""

    def __init__(self, tbox: Graph, problems: Problems) -> None:
        self.tbox, self.problems = tbox, problems
        self.parsed: dict[BNode, Expression] = {}
        self.inside: set[Node] = set()  # blank nodes that are (parts of) expressions
        self.seen: set[Node] = set()  # every blank node an axiom uses, parsed or not

    def parse(self, node: Node, axiom: Triple) -> Expression | None:
        if isinstance(node, URIRef):
            return Named(node)
        if not isinstance(node, BNode):
            self.problems.add(axiom, "a literal is not a class")
            return None
        if node in self.parsed:
            return self.parsed[node]
        self.seen.add(node)
        expr = self._parse_anonymous(node, axiom)
        if expr is not None:
            self.parsed[node] = expr
            self.inside.add(node)
        return expr

    def _parse_anonymous(self, node: BNode, axiom: Triple) -> Expression | None:
        owl_terms = {p for p in self.tbox.predicates(node)
                     if str(p).startswith(str(OWL))}
        if owl_terms == {OWL.intersectionOf}:
            members = self.list_of(self.tbox.value(node, OWL.intersectionOf), axiom)
            if members is None:
                return None
            parts = [part for m in members if (part := self.parse(m, axiom)) is not None]
            if len(parts) < len(members):  # a member outside the rules, recorded as a problem
                return None
            return Intersection(node, tuple(parts))
        if owl_terms == {OWL.onProperty, OWL.hasValue}:
            prop = self.tbox.value(node, OWL.onProperty)
            value = self.tbox.value(node, OWL.hasValue)
            if isinstance(prop, URIRef) and value is not None:
                return HasValue(node, prop, value)
        what = ", ".join(sorted(render(p) for p in owl_terms)) or "no OWL constructor"
        self.problems.add(axiom, f"a class expression with {what} is outside the rules crtkg "
                                 "compiles (intersections of classes and owl:hasValue "
                                 "restrictions)")
        return None

    def list_of(self, head: Node | None, axiom: Triple) -> list[Node] | None:
        if head is None:
            self.problems.add(axiom, "a list is missing")
            return None
        node: Node | None = head
        while node != RDF.nil:  # every cell has a first and a rest, up to rdf:nil
            if node is None or self.tbox.value(node, RDF.first) is None:
                self.problems.add(axiom, "a malformed RDF list")
                return None
            node = self.tbox.value(node, RDF.rest)
        return list(Collection(self.tbox, head))


def _check_builtins(rules: RuleSet, problems: Problems) -> None:
    """Refuse meta-modelling: rules that would read or conclude axioms, declarations or
    datatype memberships, which the rules do not materialize."""
    meta = "reasoning about RDF/RDFS/OWL terms themselves (meta-modelling) is outside the " \
           "compiled rules"
    for class_rules in rules.by_atom.values():
        for rule in class_rules:
            if any(_unreadable(*atom) for atom in rule.body) or _meta(*rule.head):
                problems.add(rule.axiom, meta)
    keyed: list[tuple[Node, Node | None, Triple]] = [
        *((p, r.target, r.axiom) for p, rs in rules.by_property.items() for r in rs),
        *((p, None, a) for p, es in (*rules.domains.items(), *rules.ranges.items())
          for _, a in es),
        *((p, c.head, c.axiom) for p, cs in rules.chains.items() for c, _ in cs),
        *((p, None, a) for p, a in (*rules.transitive.items(), *rules.functional.items()))]
    for prop, target, axiom in keyed:
        if _builtin(prop) or (target is not None and _builtin(target)):
            problems.add(axiom, meta)
    for entries in (*rules.domains.values(), *rules.ranges.values()):
        for cls, axiom in entries:
            if _meta(RDF.type, cls):
                problems.add(axiom, meta)


def _builtin(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(BUILTIN)


def _meta(p: Node, o: Node) -> bool:
    """Would concluding `x p o` state an axiom or declare a vocabulary term?"""
    if p != RDF.type:
        return _builtin(p)
    return o in META_CLASSES or (str(o).startswith(str(OWL)) and o != OWL.Thing)


def _unreadable(p: Node, o: Node) -> bool:
    """Is `x p o` something the rules never materialize, so cannot start from?"""
    if p != RDF.type:
        return _builtin(p)
    return o in UNMATERIALIZED or _meta(p, o) or str(o).startswith(str(XSD))
