"""The derivations as RDF, for graph:derivations: one node per way an inferred triple follows.

    ?d a crtkg:Derivation ; crtkg:rule "cax-sco" ; crtkg:conclusion ?c ; crtkg:premise ?p1, ?p2 .
    ?c a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
       crtkg:inGraph graph:inferred .

Derivations and statements have IRIs minted from a hash of what they say (the triple and its
graph; the conclusion, rule and premises), so the same sources give the same IRIs and the
artifact stays byte-identical. A blank node (a class expression, a chain's list) enters the
hash as its description, never as its label, which changes from parse to parse.
"""

from __future__ import annotations

import hashlib

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph.derive import Closure
from graph.namespaces import CRTKG, DERIVATION, DERIVATIONS_GRAPH, INFERRED_GRAPH, RDF
from graph.nquads import Quads
from graph.rules import TYPE, Triple, render


def write_derivations(closure: Closure, quads: Quads) -> None:
    """Every derivation of every kept inferred triple, with the statements it relates, into
    graph:derivations of `quads`: written as lines directly, being most of the artifact."""
    _Writer(closure, quads).write()


class _Writer:
    """The derivations graph of a closure; each triple's key and statement made once."""

    def __init__(self, closure: Closure, quads: Quads) -> None:
        self.closure, self.quads = closure, quads
        self.lines: list[str] = []
        self.keys: dict[Triple, str] = {}
        self.statements: dict[tuple[Triple, URIRef], str] = {}
        self.terms: dict[Node, str] = {}
        self.blank = 0
        spell = quads.spell
        self.where = f" <{DERIVATIONS_GRAPH}> ."
        self.a, self.derivation, self.rule, self.conclusion, self.premise, self.in_graph = (
            spell(TYPE), spell(CRTKG.Derivation), spell(CRTKG.rule), spell(CRTKG.conclusion),
            spell(CRTKG.premise), spell(CRTKG.inGraph))
        self.statement_class, self.parts = spell(RDF.Statement), (
            (spell(RDF.subject), RDF.subject), (spell(RDF.predicate), RDF.predicate),
            (spell(RDF.object), RDF.object))
        self.rules: dict[str, str] = {}

    def write(self) -> None:
        where, out = self.where, self.lines
        for conclusion, ways in self.closure.derivations.items():
            target = self.statement(conclusion, INFERRED_GRAPH)
            for way in ways:
                node = f"<{DERIVATION}d-" + _hash([self.key(conclusion), way.rule,
                                                   *(self.key(p) for p in way.premises)]) + ">"
                rule = self.rules.get(way.rule) or self.rules.setdefault(
                    way.rule, self.quads.spell(Literal(way.rule)))
                out += [f"{node} {self.a} {self.derivation}{where}",
                        f"{node} {self.rule} {rule}{where}",
                        f"{node} {self.conclusion} {target}{where}"]
                out += [f"{node} {self.premise} "
                        f"{self.statement(p, self.closure.graph_of(p))}{where}"
                        for p in way.premises]
        self.quads.lines += out
        self.quads.counts["derivations"] = len(out) + self.blank

    def statement(self, triple: Triple, graph: URIRef) -> str:
        node = self.statements.get((triple, graph))
        if node is None:
            iri = f"{DERIVATION}statement-" + _hash([self.key(triple), str(graph)])
            node = self.statements[(triple, graph)] = f"<{iri}>"
            where, spell = self.where, self.quads.spell
            self.lines += [f"{node} {self.a} {self.statement_class}{where}",
                           f"{node} {self.in_graph} {spell(graph)}{where}"]
            for (part, prop), term in zip(self.parts, triple, strict=True):
                if isinstance(term, BNode):
                    self.quads.add_blank(str(DERIVATIONS_GRAPH), (URIRef(iri), prop, term))
                    self.blank += 1
                else:
                    self.lines.append(f"{node} {part} {spell(term)}{where}")
        return node

    def key(self, triple: Triple) -> str:
        key = self.keys.get(triple)
        if key is None:
            key = self.keys[triple] = " ".join(self.term_key(t) for t in triple)
        return key

    def term_key(self, term: Node) -> str:
        key = self.terms.get(term)
        if key is None:
            if isinstance(term, BNode):
                key = "_:" + render(term, self.closure.anonymous)
            elif isinstance(term, Literal):
                key = term.n3()
            else:
                key = f"<{term}>"
            self.terms[term] = key
        return key


def _hash(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]
