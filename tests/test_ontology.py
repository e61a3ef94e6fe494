"""The ontology: documented terms, a version IRI, and only OWL 2 RL constructs."""

from __future__ import annotations

import pytest
from rdflib import Graph

from graph.namespaces import CRTKG, RDFS, SKOS
from tests.helpers import ROOT, rows

ONTOLOGY = Graph().parse(ROOT / "ontology" / "crtkg.ttl")

TERMS = sorted({s for s in ONTOLOGY.subjects() if str(s).startswith(str(CRTKG))})


def test_ontology_has_a_version_iri(store):
    assert rows(store, "SELECT ?v { <https://w3id.org/crtkg/ontology> owl:versionIRI ?v }") == [
        {"v": "crtkg:releases/2026-12-01"}]


@pytest.mark.parametrize("term", TERMS, ids=lambda t: str(t).removeprefix(str(CRTKG)))
def test_every_term_has_a_label_and_a_definition(term):
    assert ONTOLOGY.value(term, RDFS.label), f"{term} has no rdfs:label"
    assert ONTOLOGY.value(term, SKOS.definition), f"{term} has no skos:definition"


# Constructs outside OWL 2 RL (where they appear, not counting what RL allows on the
# other side of a subclass axiom), as SPARQL patterns over the ontology.
OUTSIDE_RL = {
    "someValuesFrom as a superclass": "?c rdfs:subClassOf [ owl:someValuesFrom ?x ]",
    "unionOf as a superclass": "?c rdfs:subClassOf [ owl:unionOf ?x ]",
    "minimum cardinality": "?r owl:minCardinality|owl:minQualifiedCardinality ?n",
    "exact cardinality": "?r owl:cardinality|owl:qualifiedCardinality ?n",
    "datatype restriction": "?d owl:withRestrictions ?x",
    "someValuesFrom in an equivalence": "?c owl:equivalentClass/(owl:intersectionOf/rdf:rest*/rdf:first)? [ owl:someValuesFrom ?x ]",
    "unionOf in an equivalence": "?c owl:equivalentClass [ owl:unionOf ?x ]",
    "complementOf": "?c ?p [ owl:complementOf ?x ]",
    "reflexive property": "?p a owl:ReflexiveProperty",
    "hasSelf": "?r owl:hasSelf ?x",
}


@pytest.mark.parametrize("construct", OUTSIDE_RL)
def test_ontology_stays_in_owl2_rl(construct):
    hits = list(ONTOLOGY.query(f"ASK {{ {OUTSIDE_RL[construct]} }}",
                               initNs={"owl": "http://www.w3.org/2002/07/owl#",
                                       "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                                       "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}))
    assert hits == [False], f"{construct} is outside OWL 2 RL"


def test_the_rl_check_catches_a_violation():
    broken = Graph().parse(data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <http://x/A> rdfs:subClassOf [ owl:onProperty <http://x/p> ; owl:someValuesFrom <http://x/B> ] .
    """, format="turtle")
    hit = broken.query("ASK { " + OUTSIDE_RL["someValuesFrom as a superclass"] + " }",
                       initNs={"owl": "http://www.w3.org/2002/07/owl#",
                               "rdfs": "http://www.w3.org/2000/01/rdf-schema#"})
    assert list(hit) == [True]
