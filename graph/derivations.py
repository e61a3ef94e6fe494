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
from graph.namespaces import CRTKG, DERIVATION, INFERRED_GRAPH, RDF
from graph.rules import TYPE, Triple, render


def derivation_triples(closure: Closure) -> list[Triple]:
    """Every derivation of every kept inferred triple, with the statements it relates, as
    plain triples (hundreds of thousands at scale: an rdflib Graph would only slow the
    build)."""
    return _Writer(closure).triples()


# Looked up once: a Namespace attribute builds a new URIRef on every access.
_DERIVATION, _RULE, _CONCLUSION, _PREMISE, _IN_GRAPH = (
    CRTKG.Derivation, CRTKG.rule, CRTKG.conclusion, CRTKG.premise, CRTKG.inGraph)
_STATEMENT, _SUBJECT, _PREDICATE, _OBJECT = (
    RDF.Statement, RDF.subject, RDF.predicate, RDF.object)


class _Writer:
    """The derivations graph of a closure; each triple's key and statement made once."""

    def __init__(self, closure: Closure) -> None:
        self.closure = closure
        self.out: list[Triple] = []
        self.keys: dict[Triple, str] = {}
        self.statements: dict[tuple[Triple, URIRef], URIRef] = {}
        self.terms: dict[Node, str] = {}
        self.rules: dict[str, Literal] = {}

    def triples(self) -> list[Triple]:
        for conclusion, ways in self.closure.derivations.items():
            target = self.statement(conclusion, INFERRED_GRAPH)
            for way in ways:
                node = DERIVATION["d-" + _hash([self.key(conclusion), way.rule,
                                                 *(self.key(p) for p in way.premises)])]
                rule = self.rules.get(way.rule) or self.rules.setdefault(way.rule,
                                                                         Literal(way.rule))
                self.out += [(node, TYPE, _DERIVATION), (node, _RULE, rule),
                             (node, _CONCLUSION, target)]
                self.out += [(node, _PREMISE, self.statement(p, self.closure.graph_of(p)))
                             for p in way.premises]
        return self.out

    def statement(self, triple: Triple, where: URIRef) -> URIRef:
        node = self.statements.get((triple, where))
        if node is None:
            node = DERIVATION["statement-" + _hash([self.key(triple), str(where)])]
            self.statements[(triple, where)] = node
            s, p, o = triple
            self.out += [(node, TYPE, _STATEMENT), (node, _SUBJECT, s),
                         (node, _PREDICATE, p), (node, _OBJECT, o), (node, _IN_GRAPH, where)]
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
