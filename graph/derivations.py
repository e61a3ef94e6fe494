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

from graph.derive import Closure, Derivation
from graph.namespaces import CRTKG, DERIVATION, INFERRED_GRAPH, RDF
from graph.rules import Triple, render


def derivation_triples(closure: Closure) -> list[Triple]:
    """Every derivation of every kept inferred triple, with the statements it relates, as
    plain triples (tens of thousands: an rdflib Graph would only slow the build)."""
    graph: list[Triple] = []
    written: set[URIRef] = set()
    for conclusion, ways in closure.derivations.items():
        target = _statement(graph, closure, conclusion, INFERRED_GRAPH, written)
        for way in ways:
            node = derivation_iri(closure, conclusion, way)
            graph.append((node, RDF.type, CRTKG.Derivation))
            graph.append((node, CRTKG.rule, Literal(way.rule)))
            graph.append((node, CRTKG.conclusion, target))
            for premise in way.premises:
                graph.append((node, CRTKG.premise, _statement(
                    graph, closure, premise, closure.graph_of(premise), written)))
    return graph


def _statement(graph: list[Triple], closure: Closure, triple: Triple, where: URIRef,
               written: set[URIRef]) -> URIRef:
    node = statement_iri(closure, triple, where)
    if node not in written:
        written.add(node)
        s, p, o = triple
        graph.append((node, RDF.type, RDF.Statement))
        graph.append((node, RDF.subject, s))
        graph.append((node, RDF.predicate, p))
        graph.append((node, RDF.object, o))
        graph.append((node, CRTKG.inGraph, where))
    return node


def statement_iri(closure: Closure, triple: Triple, where: URIRef) -> URIRef:
    return DERIVATION["statement-" + _hash([_key(closure, triple), str(where)])]


def derivation_iri(closure: Closure, conclusion: Triple, way: Derivation) -> URIRef:
    return DERIVATION["d-" + _hash([_key(closure, conclusion), way.rule,
                                    *(_key(closure, p) for p in way.premises)])]


def _key(closure: Closure, triple: Triple) -> str:
    return " ".join(_term_key(closure, term) for term in triple)


def _term_key(closure: Closure, term: Node) -> str:
    if isinstance(term, BNode):
        return "_:" + render(term, closure.anonymous)
    if isinstance(term, Literal):
        return term.n3()
    return f"<{term}>"


def _hash(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]
