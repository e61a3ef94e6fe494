"""Why a triple is in the graph: its proof tree, read from graph:derivations in the artifact.

`explain(store, s, p, o, depth)` returns every alternative derivation of an inferred triple,
each with a sentence in plain words built from labels, down to asserted triples (leaves)
with the graph they are in; a leaf from graph:data about a claim carries the claim's quote
and its source. The CLI prints `Proof.lines()`; the web app sends `Proof.as_json()` or an
HTML page.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.errors import CrtkgError
from graph.namespaces import (
    ALL_GRAPHS,
    CRTKG,
    DATA_GRAPH,
    DCTERMS,
    DERIVATIONS_GRAPH,
    IMPORTS_GRAPH,
    INFERRED_GRAPH,
    OBO,
    ONTOLOGY_GRAPH,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    XSD,
    shorten,
)
from graph.query import solutions

Term = ox.NamedNode | ox.BlankNode | ox.Literal
WIDTH = 100  # columns of the printed tree
DEFAULT_DEPTH = 6


class TermError(CrtkgError):
    """A subject, predicate or object given to explain is not a valid term."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(f"{parameter}: {message}")


class NotInGraph(CrtkgError):
    """The triple to explain is neither asserted nor inferred."""


def _node(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


# --- terms from the command line and the query string -------------------------------------

LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?')
NUMBER = re.compile(r"[+-]?(\d+)(\.\d+)?")
IRI_CHARS = re.compile(r'[^\s<>"{}|^`\\]+')
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def parse_term(text: str, parameter: str, literal: bool = False) -> Term:
    """A term written as `<IRI>`, an absolute IRI, a CURIE with one of crtkg's prefixes,
    `a` (rdf:type, as predicate), or, if `literal`, a literal: `"text"`, `"text"@en`,
    `"2008"^^xsd:gYear`, `2`, `2.5`, `true`. Raises TermError naming the parameter."""
    text = text.strip()
    if not text:
        raise TermError(parameter, "is empty; give an IRI, a CURIE" +
                        (" or a literal" if literal else ""))
    if parameter.lower() == "p" and text == "a":
        return _node(RDF.type)
    if text.startswith('"') or NUMBER.fullmatch(text) or text in ("true", "false"):
        if not literal:
            raise TermError(parameter, f"{text!r} is a literal; only an object may be one")
        return _parse_literal(text, parameter)
    return _parse_iri(text, parameter)


def _parse_iri(text: str, parameter: str) -> ox.NamedNode:
    if text.startswith("<"):
        if not text.endswith(">"):
            raise TermError(parameter, f"{text!r}: an IRI in angle brackets must end with '>'")
        text = text[1:-1]
    elif not text.startswith(("http://", "https://", "urn:")):
        prefix, colon, local = text.partition(":")
        if not colon:
            raise TermError(parameter, f"{text!r} is not an IRI (<...>), a CURIE or a literal")
        if prefix not in PREFIXES:
            raise TermError(parameter, f"{text!r}: unknown prefix {prefix!r}; known: "
                                       f"{', '.join(sorted(PREFIXES))}")
        text = PREFIXES[prefix] + local
    if not SCHEME.match(text) or not IRI_CHARS.fullmatch(text):
        raise TermError(parameter, f"{text!r} is not a valid absolute IRI")
    try:
        return ox.NamedNode(text)
    except ValueError as err:
        raise TermError(parameter, f"{text!r} is not a valid IRI: {err}") from err


def _parse_literal(text: str, parameter: str) -> ox.Literal:
    if NUMBER.fullmatch(text):
        datatype = XSD.decimal if "." in text else XSD.integer
        return ox.Literal(text, datatype=_node(datatype))
    if text in ("true", "false"):
        return ox.Literal(text, datatype=_node(XSD.boolean))
    match = LITERAL.fullmatch(text)
    if not match:
        raise TermError(parameter, f"{text!r} is not a valid literal (\"text\", \"text\"@en, "
                                   "\"value\"^^xsd:type)")
    value = re.sub(r'\\(["\\])', r"\1", match.group(1))
    if match.group(2):
        return ox.Literal(value, language=match.group(2).lower())
    if match.group(3):
        return ox.Literal(value, datatype=_parse_iri(match.group(3), parameter))
    return ox.Literal(value)


# --- the proof tree -----------------------------------------------------------------------

@dataclass
class Step:
    """One derivation: the rule, a sentence saying it, and the premises' own proofs."""

    rule: str
    sentence: str
    premises: list[Proof]


@dataclass
class Proof:
    """A triple, where it is (asserted in a graph, or inferred) and how it follows."""

    triple: tuple[Term, Term, Term]
    text: str  # the triple in CURIEs
    graph: str  # graph:data, graph:inferred, ...
    steps: list[Step] = field(default_factory=list)
    quote: str | None = None  # for a claim asserted in graph:data
    source: str | None = None
    cut: bool = False  # the depth limit stopped here

    @property
    def asserted(self) -> bool:
        return self.graph != shorten(str(INFERRED_GRAPH))

    def lines(self, indent: int = 0) -> list[str]:
        """The tree as text lines at most WIDTH columns wide."""
        pad = " " * indent
        where = f"asserted in {self.graph}" if self.asserted else "inferred"
        out = _wrap(f"{self.text}  [{where}]", pad, pad + "    ")
        if self.quote:
            out += _wrap(f'quote: "{self.quote}"', pad + "  ", pad + "    ")
        if self.source:
            out += _wrap(f"source: {self.source}", pad + "  ", pad + "    ")
        if self.cut:
            out.append(f"{pad}  (deeper steps left out: raise the depth)")
        for n, step in enumerate(self.steps, 1):
            way = f"way {n} of {len(self.steps)}, " if len(self.steps) > 1 else ""
            out += _wrap(f"{way}by {step.rule}: {step.sentence}", pad + "  ", pad + "    ")
            for premise in step.premises:
                out += premise.lines(indent + 4)
        return out

    def as_json(self) -> dict:
        s, p, o = self.triple
        return {"triple": {"s": _n3(s), "p": _n3(p), "o": _n3(o)}, "text": self.text,
                "graph": self.graph, "asserted": self.asserted, "quote": self.quote,
                "source": self.source, "cut": self.cut,
                "derivations": [{"rule": st.rule, "sentence": st.sentence,
                                 "premises": [pr.as_json() for pr in st.premises]}
                                for st in self.steps]}


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False, break_long_words=True) or [first]


def _n3(term: Term) -> str:
    return str(term)


def explain(store: ox.Store, s: Term, p: Term, o: Term, depth: int = DEFAULT_DEPTH) -> Proof:
    """The proof tree of `s p o`, every alternative, `depth` derivation steps deep.

    Raises NotInGraph if the triple is neither asserted nor inferred.
    """
    reader = _Reader(store)
    if reader.graph_of((s, p, o)) is None:
        raise NotInGraph(f"{reader.say((s, p, o))} is not in the graph: neither asserted nor "
                         "inferred")
    return reader.proof((s, p, o), depth)


class _Reader:
    """Reads triples, labels and derivations from the store, each once."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.labels: dict[Term, str] = {}

    def graph_of(self, triple: tuple[Term, Term, Term]) -> ox.NamedNode | None:
        s, p, o = triple
        if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
            return None  # no triple has a literal subject, or a predicate that is not an IRI
        graphs = {q.graph_name for q in self.store.quads_for_pattern(s, p, o, None)}
        for name in ALL_GRAPHS:  # asserted graphs first: an asserted triple is a leaf
            if _node(name) in graphs:
                return _node(name)
        return None

    def proof(self, triple: tuple[Term, Term, Term], depth: int) -> Proof:
        graph = self.graph_of(triple) or _node(INFERRED_GRAPH)
        proof = Proof(triple, self.say(triple), shorten(graph.value))
        if graph.value != str(INFERRED_GRAPH):
            if graph.value == str(DATA_GRAPH):
                proof.quote, proof.source = self.claim_of(triple[0])
            return proof
        if depth <= 0:
            proof.cut = True
            return proof
        for rule, premises in self.derivations(triple):
            proofs = [self.proof(premise, depth - 1) for premise in premises]
            proof.steps.append(Step(rule, self.sentence(rule, triple, premises, proofs),
                                    proofs))
        return proof

    def derivations(self, triple: tuple[Term, Term, Term]) -> list[tuple[str, list]]:
        s, p, o = triple
        found = self.store.query(
            "SELECT ?s ?p ?o ?d ?rule ?ps ?pp ?po WHERE { GRAPH graph:derivations {"
            " ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; crtkg:inGraph graph:inferred ."
            " ?d crtkg:conclusion ?c ; crtkg:rule ?rule ; crtkg:premise ?st ."
            " ?st rdf:subject ?ps ; rdf:predicate ?pp ; rdf:object ?po } }",
            prefixes=PREFIXES, named_graphs=[_node(DERIVATIONS_GRAPH)],
            substitutions={ox.Variable("s"): s, ox.Variable("p"): p, ox.Variable("o"): o})
        ways: dict[str, tuple[str, list]] = {}
        for row in solutions(found):
            _, premises = ways.setdefault(row["d"].value, (row["rule"].value, []))
            premises.append((row["ps"], row["pp"], row["po"]))
        # Facts before axioms, facts as a path from the conclusion's subject (a chain's
        # links in order); derivations by rule, then premises.
        ordered = [(rule, _path_order(sorted(premises, key=self._premise_order), s))
                   for rule, premises in ways.values()]
        return sorted(ordered, key=lambda w: (w[0], [self.say(t) for t in w[1]]))

    def _premise_order(self, triple: tuple[Term, Term, Term]) -> tuple[int, str]:
        return (1 if _is_axiom(triple) else 0, self.say(triple))

    def claim_of(self, subject: Term) -> tuple[str | None, str | None]:
        """The quote and source of a claim asserted in graph:data (else None, None)."""
        if isinstance(subject, ox.Literal):
            return None, None
        data = _node(DATA_GRAPH)
        quote = self.value(subject, CRTKG.quote, data)
        if quote is None and not any(self.store.quads_for_pattern(
                subject, _node(RDF.type), _node(CRTKG.Claim), None)):
            return None, None
        source = (self.value(subject, PROV.wasQuotedFrom, data)
                  or self.value(subject, DCTERMS.source, data)
                  or self.value(subject, PROV.wasDerivedFrom, data))
        return (quote.value if quote is not None else None,
                self.term(source) if source is not None else None)

    def value(self, s: Term, p: object, graph: ox.NamedNode | None = None) -> Term | None:
        """The first value of `s p` (none for a literal `s`; RDF-star triples aside)."""
        if isinstance(s, ox.Literal):
            return None
        return next((q.object for q in self.store.quads_for_pattern(s, _node(p), None, graph)
                     if not isinstance(q.object, ox.Triple)), None)

    # --- words ---

    def label(self, term: Term) -> str:
        """What people call a term: its English rdfs:label, else its CURIE or value."""
        if term not in self.labels:
            self.labels[term] = self._label(term)
        return self.labels[term]

    def _label(self, term: Term) -> str:
        if isinstance(term, ox.Literal):
            return f'"{term.value}"'
        if isinstance(term, ox.BlankNode):
            return self.describe(term, words=True)
        labels = sorted((q.object for q in self.store.quads_for_pattern(
            term, _node(RDFS.label), None, None) if isinstance(q.object, ox.Literal)),
            key=lambda t: (t.language != "en", t.value))
        return labels[0].value if labels else shorten(term.value)

    def term(self, term: Term) -> str:
        """A term as a CURIE (an IRI), its value (a literal) or its description."""
        if isinstance(term, ox.NamedNode):
            return shorten(term.value)
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            suffix = (f"@{term.language}" if term.language else
                      "" if datatype == str(XSD.string) else f"^^{shorten(datatype)}")
            return f'"{term.value}"{suffix}'
        return self.describe(term)

    def say(self, triple: tuple[Term, Term, Term]) -> str:
        return " ".join(self.term(t) for t in triple)

    def describe(self, node: Term, words: bool = False, seen: int = 0) -> str:
        """A class expression or list spelled out from the ontology's triples, in CURIEs,
        or in labels (`words`): "an imaging modality that exposes patient to ionizing
        radiation"."""
        if not isinstance(node, ox.BlankNode):
            return _a(self.label(node)) if words else self.term(node)
        members = self._list(node)
        if members is not None:
            return "(" + " ".join(self.describe(m, words, seen + 1) for m in members) + ")"
        parts = self.value(node, OWL.intersectionOf)
        if parts is not None and seen < 8:
            named = [m for m in self._list(parts) or [] if not isinstance(m, ox.BlankNode)]
            rest = [m for m in self._list(parts) or [] if isinstance(m, ox.BlankNode)]
            if words:
                head = " and ".join(self.describe(m, True, seen + 1) for m in named)
                return head + "".join(" that " + self.describe(m, True, seen + 1)
                                      for m in rest)
            return "(" + " and ".join(self.describe(m, False, seen + 1)
                                      for m in (*named, *rest)) + ")"
        prop, value = self.value(node, OWL.onProperty), self.value(node, OWL.hasValue)
        if prop is not None and value is not None:
            if words:
                return f"{self.label(prop)} {self.label(value)}"
            return f"({self.term(prop)} value {self.term(value)})"
        return "an anonymous class"

    def _list(self, node: Term) -> list[Term] | None:
        if self.value(node, RDF.first) is None:
            return None
        items: list[Term] = []
        cell: Term | None = node
        while cell is not None and cell != _node(RDF.nil) and len(items) < 100:
            first = self.value(cell, RDF.first)
            if first is None:
                break
            items.append(first)
            cell = self.value(cell, RDF.rest)
        return items

    def says(self, triple: tuple[Term, Term, Term]) -> str:
        """Who states an axiom: crtkg's ontology, the imported ontology, or the reasoner."""
        graph = self.graph_of(triple)
        if graph is None or graph.value == str(INFERRED_GRAPH):
            return "it follows from the ontology that"
        if graph.value == str(IMPORTS_GRAPH):
            return f"{_ontology_of(triple[0])} says"
        if graph.value == str(ONTOLOGY_GRAPH):
            return "the crtkg ontology says"
        return f"{shorten(graph.value)} says"

    def sentence(self, rule: str, conclusion: tuple, premises: list, proofs: list) -> str:
        """The derivation in plain words, from labels."""
        facts = [t for t in premises if not _is_axiom(t)]
        axioms = [t for t in premises if _is_axiom(t)]
        words = SENTENCES.get(rule)
        if words is None or (not axioms and not rule.startswith("scm")):
            return (f"{self.state(conclusion)} because "
                    f"{_join([self.state(t) for t in premises])} ({rule}).")
        because, says = words(self, conclusion, facts, axioms)
        axiom = f", and {self.says(axioms[0])} {says}" if says else ""
        return f"{self.state(conclusion)} because {because}{axiom}."

    def state(self, triple: tuple[Term, Term, Term], pronoun: bool = False) -> str:
        """A triple as a clause: "EchoCRT is a clinical trial", "PROSPECT studied modality
        echocardiography"."""
        s, p, o = triple
        subject = "it" if pronoun else self.label(s)
        if p.value == str(RDF.type):
            return f"{subject} is {_a(self.label(o))}"
        if p.value == str(RDFS.subClassOf):
            return f"every {self.label(s)} is {_a(self.label(o))}"
        if p.value == str(OWL.equivalentClass):
            return f"{_a(self.label(s))} is {self.describe(o, words=True)}"
        if p.value == str(RDFS.subPropertyOf):
            return f"{self.label(s)} is a kind of {self.label(o)}"
        if p.value == str(RDFS.domain):
            return f"whatever has {self.label(s)} something is {_a(self.label(o))}"
        if p.value == str(RDFS.range):
            return f"whatever something has as {self.label(s)} is {_a(self.label(o))}"
        return f"{subject} {self.label(p)} {self.label(o)}"


def _path_order(premises: list[tuple], start: Term) -> list[tuple]:
    """The facts as a path from `start` where they form one (x p y, y q z), then the rest."""
    facts = [t for t in premises if not _is_axiom(t)]
    path, node = [], start
    while facts:
        step = next((t for t in facts if t[0] == node), None)
        if step is None:
            break
        path.append(step)
        facts.remove(step)
        node = step[2]
    return [*path, *facts, *(t for t in premises if _is_axiom(t))]


def _ontology_of(subject: Term) -> str:
    """The OBO ontology an imported term belongs to, from its IRI (OBI_0004001 -> OBI).

    >>> _ontology_of(ox.NamedNode(OBO + "OBI_0004001")), _ontology_of(ox.BlankNode())
    ('OBI', 'an imported ontology')
    """
    iri = subject.value if isinstance(subject, ox.NamedNode) else ""
    if iri.startswith(str(OBO)) and "_" in iri:
        return iri[len(str(OBO)):].split("_")[0]
    return "an imported ontology"


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _join(parts: list[str]) -> str:
    """Parts as a sentence lists them.

    >>> _join(["a trial"]), _join(["a trial", "a finding", _a("imaging modality")])
    ('a trial', 'a trial, a finding and an imaging modality')
    """
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


SCHEMA = {str(t) for t in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
                           OWL.equivalentClass, OWL.equivalentProperty, OWL.inverseOf,
                           OWL.propertyChainAxiom, OWL.disjointWith)}
KINDS = {str(OWL.TransitiveProperty), str(OWL.SymmetricProperty), str(OWL.FunctionalProperty)}


def _is_axiom(triple: tuple) -> bool:
    """A premise that is an axiom (a subclass pair, a domain, a property kind), not a fact."""
    _, p, o = triple
    return p.value in SCHEMA or (p.value == str(RDF.type) and o.value in KINDS)


# Each rule's words: what the conclusion follows from, and what the ontology says that makes
# it follow (None when the premises are all axioms). `sentence` puts them in one frame.
Words = tuple[str, str | None]


def _subclass(r: _Reader, c: tuple, facts: list, axioms: list) -> Words:
    return r.state(facts[0], pronoun=True), r.state(axioms[0])  # every C1 is a C2


def _equivalent(r: _Reader, c: tuple, facts: list, axioms: list) -> Words:
    a, _, b = axioms[0]
    return r.state(facts[0], pronoun=True), f"{r.label(a)} and {r.label(b)} are the same class"


def _domain_or_range(r: _Reader, c: tuple, facts: list, axioms: list) -> Words:
    return r.state(facts[0]), r.state(axioms[0])  # whatever has P something is a C


def _subproperty(r: _Reader, c: tuple, facts: list, axioms: list) -> Words:
    return r.state(facts[0]), f"{r.label(facts[0][1])} is a kind of {r.label(c[1])}"


def _inverse(r: _Reader, c: tuple, facts: list, axioms: list) -> Words:
    return r.state(facts[0]), f"{r.label(c[1])} is the inverse of {r.label(facts[0][1])}"


def _chain(r: _Reader, c: tuple, facts: list, axioms: list) -> Words:
    links = " then ".join(r.label(t[1]) for t in facts)
    return _join([r.state(t) for t in facts]), f"{links} amounts to {r.label(c[1])}"


def _transitive(r: _Reader, c: tuple, facts: list, axioms: list) -> Words:
    return _join([r.state(t) for t in facts]), f"{r.label(c[1])} is transitive"


def _symmetric(r: _Reader, c: tuple, facts: list, axioms: list) -> Words:
    return r.state(facts[0]), f"{r.label(c[1])} is symmetric"


def _class_definition(r: _Reader, c: tuple, facts: list, axioms: list) -> Words:
    s, _, o = axioms[0]
    defined, definition = (s, o) if isinstance(s, ox.NamedNode) else (o, s)
    return (_join([r.state(t, pronoun=(i > 0)) for i, t in enumerate(facts)]),
            f"{_a(r.label(defined))} is {r.describe(definition, words=True)}")


def _schema(r: _Reader, c: tuple, facts: list, axioms: list) -> Words:
    return _join([r.state(t) for t in axioms]), None


SENTENCES = {
    "cax-sco": _subclass, "cax-eqc1": _equivalent, "cax-eqc2": _equivalent,
    "prp-dom": _domain_or_range, "prp-rng": _domain_or_range, "prp-spo1": _subproperty,
    "prp-eqp1": _subproperty, "prp-eqp2": _subproperty,
    "prp-inv1": _inverse, "prp-inv2": _inverse, "prp-spo2": _chain,
    "prp-trp": _transitive, "prp-symp": _symmetric,
    "cls-int1": _class_definition, "cls-int2": _class_definition,
    "cls-hv1": _class_definition, "cls-hv2": _class_definition,
    "scm-sco": _schema, "scm-spo": _schema, "scm-dom1": _schema, "scm-dom2": _schema,
    "scm-rng1": _schema, "scm-rng2": _schema, "scm-int": _schema, "scm-eqc1": _schema,
    "scm-eqc2": _schema, "scm-eqp1": _schema, "scm-eqp2": _schema,
}
