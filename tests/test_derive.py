"""crtkg's compiled rules against owlrl, the reference; unsupported axioms; clashes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from bench.scale import write_root
from graph.artifact import build, read_header
from graph.derive import materialize
from graph.errors import ReasoningFailed, UnsupportedAxiom
from graph.export import export
from graph.load import SourcePaths, load_sources
from graph.namespaces import (
    DATA_GRAPH,
    DERIVATIONS_GRAPH,
    IMPORTS_GRAPH,
    ONTOLOGY_GRAPH,
    shorten,
)
from graph.reason import reason
from tests.helpers import ROOT

PREFIXES = """@prefix crtkg: <https://w3id.org/crtkg/ontology/> .
@prefix kg: <https://w3id.org/crtkg/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def reasoned_graphs(root: Path) -> dict[URIRef, Graph]:
    sources = load_sources(SourcePaths(root))
    return {ONTOLOGY_GRAPH: sources.ontology, IMPORTS_GRAPH: sources.imports,
            DATA_GRAPH: sources.data}


def show(triples: set) -> str:
    return "\n".join(" ".join(shorten(str(t)) for t in triple)
                     for triple in sorted(triples, key=str)[:40])


@pytest.fixture(scope="module")
def scaled_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale30")
    write_root(root, studies=30, seed=2016)
    return root


@pytest.mark.parametrize("which", ["real graph", "30-study scale-up"])
def test_the_rules_keep_exactly_what_owlrl_keeps(which: str, scaled_root: Path) -> None:
    graphs = reasoned_graphs(ROOT if which == "real graph" else scaled_root)
    ours, reference = reason(graphs, "rules"), reason(graphs, "owlrl")
    extra = set(ours.graph) - set(reference.graph)
    missing = set(reference.graph) - set(ours.graph)
    assert not extra, f"the rules infer what owlrl does not:\n{show(extra)}"
    assert not missing, f"the rules miss what owlrl infers:\n{show(missing)}"


def test_every_kept_triple_has_a_well_founded_derivation() -> None:
    closure = materialize(reasoned_graphs(ROOT))
    assert set(closure.derivations) == set(closure.graph)
    rank = {t: 0 for t in closure.origin}
    pending = dict(closure.derivations)
    while pending:  # ranks by rounds: every derivation's premises come before it
        ready = {t for t, ways in pending.items()
                 if any(all(p in rank for p in w.premises) for w in ways)}
        assert ready, "a derivation cycle: some triples derive only from each other"
        for t in ready:
            rank[t] = 1 + min(max(rank[p] for p in w.premises)
                              for w in pending.pop(t) if all(p in rank for p in w.premises))
    rules = {w.rule for ways in closure.derivations.values() for w in ways}
    assert {"cax-sco", "prp-dom", "prp-rng", "prp-spo1", "prp-spo2", "prp-inv1", "prp-inv2",
            "prp-trp", "cls-int1", "scm-sco", "scm-dom1", "scm-rng1", "scm-int"} <= rules


def small(tbox: str, abox: str = "") -> dict[URIRef, Graph]:
    return {ONTOLOGY_GRAPH: Graph().parse(data=PREFIXES + tbox, format="turtle"),
            DATA_GRAPH: Graph().parse(data=PREFIXES + abox, format="turtle")}


UNSUPPORTED = [
    ("crtkg:A rdfs:subClassOf [ owl:unionOf ( crtkg:B crtkg:C ) ] .",
     "crtkg:A rdfs:subClassOf []", "owl:unionOf"),
    ("crtkg:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty crtkg:p ; "
     "owl:someValuesFrom crtkg:B ] .", "crtkg:A rdfs:subClassOf []", "owl:someValuesFrom"),
    ("crtkg:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty crtkg:p ; "
     "owl:maxCardinality 2 ] .", "crtkg:A rdfs:subClassOf []", "owl:maxCardinality"),
    ("crtkg:p a owl:InverseFunctionalProperty .", "crtkg:p rdf:type owl:InverseFunctionalProperty",
     "outside the OWL 2 RL rules crtkg compiles"),
    ("kg:a owl:sameAs kg:b .", "kg:a owl:sameAs kg:b", "owl:sameAs is outside"),
    ("crtkg:p rdfs:domain [ owl:intersectionOf ( crtkg:A crtkg:B ) ] .",
     "crtkg:p rdfs:domain", "a class expression as a domain or range"),
    ("crtkg:p rdfs:subPropertyOf rdfs:subClassOf .", "crtkg:p rdfs:subPropertyOf rdfs:subClassOf",
     "meta-modelling"),
]


@pytest.mark.parametrize(("tbox", "axiom", "why"), UNSUPPORTED)
def test_an_axiom_the_rules_cannot_express_stops_the_reasoner(tbox, axiom, why) -> None:
    with pytest.raises(UnsupportedAxiom) as caught:
        materialize(small(tbox))
    assert any(a.startswith(axiom) and why in a for a in caught.value.axioms), caught.value


def test_an_unsupported_axiom_stops_the_build(project_copy: SourcePaths, tmp_path: Path) -> None:
    ontology = project_copy.ontology_files[0]
    ontology.write_text(ontology.read_text() + "\ncrtkg:Caveat rdfs:subClassOf "
                        "[ owl:unionOf ( crtkg:Recommendation crtkg:Concession ) ] .\n")
    with pytest.raises(UnsupportedAxiom) as caught:
        build(project_copy, tmp_path / "crtkg.nq")
    assert "crtkg:Caveat rdfs:subClassOf []" in str(caught.value)
    assert "owl:unionOf" in str(caught.value)


def test_two_values_of_a_functional_data_property_are_a_clash() -> None:
    graphs = small("crtkg:rank a owl:DatatypeProperty, owl:FunctionalProperty .\n"
                   "crtkg:P rdfs:subPropertyOf crtkg:rank .",
                   "kg:f crtkg:rank 1 ; crtkg:P 2 .")
    with pytest.raises(ReasoningFailed) as caught:
        materialize(graphs)
    message = caught.value.messages[0]
    assert message.splitlines()[0] == (
        'kg:f has 2 values of crtkg:rank ("1"^^xsd:integer, "2"^^xsd:integer), which '
        "crtkg:rank rdf:type owl:FunctionalProperty (graph:ontology) makes functional: two "
        "different data values cannot be one (prp-fp, dt-diff)")
    assert 'kg:f crtkg:rank "1"^^xsd:integer  [asserted in graph:data]' in message
    assert 'kg:f crtkg:rank "2"^^xsd:integer  [prp-spo1]' in message
    assert '  kg:f crtkg:P "2"^^xsd:integer  [asserted in graph:data]' in message


def test_owlrl_does_not_flag_two_values_of_a_functional_data_property() -> None:
    # Why the clash above is tested on the rules only: owlrl skips dt-diff on purpose and
    # infers "1" owl:sameAs "2", which trimming drops.
    graphs = small("crtkg:rank a owl:DatatypeProperty, owl:FunctionalProperty .",
                   "kg:f crtkg:rank 1, 2 .")
    assert len(reason(graphs, "owlrl").graph) == 0


def test_two_values_of_a_functional_object_property_would_need_sameas() -> None:
    graphs = small("crtkg:force a owl:ObjectProperty, owl:FunctionalProperty .",
                   "kg:c crtkg:force kg:should, kg:may .")
    with pytest.raises(ReasoningFailed) as caught:
        materialize(graphs)
    assert "crtkg's rules do not reason with owl:sameAs" in caught.value.messages[0]


def test_equal_data_values_of_a_functional_property_are_no_clash() -> None:
    graphs = small("crtkg:rank a owl:DatatypeProperty, owl:FunctionalProperty .",
                   'kg:f crtkg:rank 1, "1"^^xsd:integer .')
    assert len(materialize(graphs).graph) == 0


def test_disjoint_classes_sharing_a_member_name_it_the_axiom_and_the_derivations() -> None:
    graphs = small("crtkg:Person owl:disjointWith crtkg:Organisation .\n"
                   "crtkg:Society rdfs:subClassOf crtkg:Organisation .",
                   "kg:someone a crtkg:Person, crtkg:Society .")
    with pytest.raises(ReasoningFailed) as caught:
        materialize(graphs)
    lines = caught.value.messages[0].splitlines()
    assert lines == [
        "kg:someone is both a crtkg:Person and a crtkg:Organisation, but crtkg:Person "
        "owl:disjointWith crtkg:Organisation (graph:ontology) says they are disjoint (cax-dw)",
        "    kg:someone rdf:type crtkg:Person  [asserted in graph:data]",
        "    kg:someone rdf:type crtkg:Organisation  [cax-sco]",
        "      kg:someone rdf:type crtkg:Society  [asserted in graph:data]",
        "      crtkg:Society rdfs:subClassOf crtkg:Organisation  [asserted in graph:ontology]"]


def test_an_ill_typed_literal_is_a_clash_as_in_owlrl() -> None:
    with pytest.raises(ReasoningFailed) as caught:
        materialize(small("", 'kg:v crtkg:value "many"^^xsd:integer .'))
    assert caught.value.messages == [
        'kg:v crtkg:value "many"^^xsd:integer: the literal is not a valid xsd:integer '
        "(dt-not-type)"]


def canonical_without_derivations(artifact: Path) -> list[str]:
    quads = ox.Dataset(q for q in ox.parse(path=artifact, format=ox.RdfFormat.N_QUADS)
                       if q.graph_name != ox.NamedNode(str(DERIVATIONS_GRAPH)))
    quads.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode().splitlines())


def test_owlrl_builds_the_same_artifact_without_derivations(built, tmp_path: Path) -> None:
    reference = build(SourcePaths(ROOT), tmp_path / "owlrl.nq", force=True, reasoner="owlrl")
    assert reference.reasoner == "owlrl" and "derivations" not in reference.triples
    assert {k: v for k, v in built.triples.items() if k != "derivations"} == reference.triples
    assert canonical_without_derivations(built.artifact) == \
        canonical_without_derivations(reference.artifact)
    # Asking for the other reasoner is a real build, not a reuse of this one.
    assert not build(SourcePaths(ROOT), reference.artifact).reused
    assert "derivations" in read_header(reference.artifact).triples


def test_export_leaves_the_derivations_out_unless_asked(built) -> None:
    plain = export(built.artifact, "nq").decode()
    asked = export(built.artifact, "nq", derivations=True).decode()
    assert str(DERIVATIONS_GRAPH) not in plain
    assert asked.count(f"<{DERIVATIONS_GRAPH}> .") == built.triples["derivations"]
