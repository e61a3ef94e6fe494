"""What the OWL 2 RL reasoner adds: present in the inferred graph, absent from the asserted."""

from __future__ import annotations

import pytest

from graph.query import run_query
from tests.helpers import column, rows

# (triple pattern as SPARQL, what it shows)
INFERENCES = [
    ("kg:echocrt a crtkg:ClinicalStudy", "subclass typing"),
    ("kg:echocrt a obo:OBI_0004001", "subclass typing into OBI"),
    ("kg:prospect a obo:OBI_0003698", "subclass typing into OBI"),
    ("kg:rec-mri-scar a crtkg:Claim", "subclass typing of claims"),
    ("kg:prospect-article crtkg:publicationOf kg:prospect", "inverse property"),
    ("kg:prospect-modest-prediction crtkg:findingOf kg:prospect", "inverse property"),
    ("kg:echocardiography crtkg:hasKind kg:speckle-tracking-echocardiography", "inverse property"),
    ("kg:i-stankovic crtkg:stated kg:rec-echo-patient-selection", "inverse property"),
    ("kg:prospect crtkg:studiedModality kg:echocardiography", "property chain: finding about modality"),
    ("kg:echocrt crtkg:studiedModality kg:echocardiography", "property chain: imaging use"),
    ("kg:echocrt crtkg:studiedRole kg:patient-selection", "property chain: imaging use's role"),
    ("kg:cardiac-ct-venography a crtkg:IonizingRadiationModality", "chain, then value restriction"),
    ("kg:evidence-stankovic-opinion a obo:ECO_0000204", "ECO hierarchy on an evidence line"),
    ("kg:evidence-echocrt-results a obo:SEPIO_0000002", "evidence line in SEPIO's terms"),
    ("kg:echocardiography crtkg:studiedIn kg:prospect", "chain, then inverse"),
    ("kg:speckle-tracking-echocardiography skos:broaderTransitive kg:echocardiography",
     "modality hierarchy as SKOS"),
    ("kg:spect crtkg:exposesPatientTo crtkg:IonizingRadiation", "chain down the modality hierarchy"),
    ("kg:spect a crtkg:IonizingRadiationModality", "class defined by a value restriction"),
    ("kg:pet a crtkg:IonizingRadiationModality", "class defined by a value restriction"),
    ("kg:prospect-modest-prediction a crtkg:NoBenefitFinding", "value restriction: no benefit"),
    ("kg:echocrt-mortality-result a crtkg:HarmFinding", "value restriction: possible harm"),
    ("kg:eacvi-echocardiography-section obo:BFO_0000050 kg:esc", "transitive part-of"),
    ("kg:esc obo:BFO_0000051 kg:eacvi", "inverse of part-of"),
    ("kg:stankovic-interview cito:cites kg:prospect-article", "sub-property into CiTO"),
    ("kg:history-early-enthusiasm cito:citesAsEvidence kg:echocrt-article", "sub-property into CiTO"),
    ("kg:stankovic-interview crtkg:cites kg:echocrt-article", "inverse of citedBy"),
]


@pytest.mark.parametrize(("pattern", "what"), INFERENCES)
def test_inference_is_in_the_inferred_graph_only(store, pattern, what):
    assert _ask(store, f"GRAPH graph:inferred {{ {pattern} }}"), f"{what}: not inferred"
    assert not _ask(store, f"GRAPH graph:data {{ {pattern} }}"), f"{what}: already asserted"
    assert not _ask(store, f"GRAPH graph:ontology {{ {pattern} }}")
    assert not _ask(store, pattern, infer=False), f"{what}: visible with inference off"
    assert _ask(store, pattern, infer=True), f"{what}: not visible with inference on"


def _ask(store, pattern: str, infer: bool = True) -> bool:
    return bool(run_query(store, f"ASK {{ {pattern} }}", infer=infer))


def test_modalities_with_ionizing_radiation(store):
    query = "SELECT ?m { ?m a crtkg:IonizingRadiationModality }"
    assert column(store, query) == {"kg:nuclear-imaging", "kg:spect", "kg:pet",
                                    "kg:tc99m-myocardial-perfusion-imaging", "kg:cardiac-ct",
                                    "kg:cardiac-ct-venography"}
    assert column(store, query, infer=False) == set()


def test_negative_findings_need_the_reasoner(store):
    query = "SELECT ?f { ?f a crtkg:NoBenefitFinding }"
    # Only the trials' own findings: the interview's reports of them are not findings.
    found = column(store, query)
    assert found == column(store, "SELECT ?f { ?f a crtkg:Finding ; crtkg:direction "
                                  "crtkg:NoBenefit }", infer=False)
    assert {"kg:prospect-modest-prediction", "kg:echocrt-primary-result"} <= found
    assert "kg:echocrt-no-benefit" not in found
    assert column(store, query, infer=False) == set()


def test_trials_by_modality_through_the_chain_and_hierarchy(store):
    query = "SELECT ?trial { ?trial crtkg:studiedModality kg:echocardiography }"
    # Through imaging uses and findings, and up from radial strain and tissue Doppler.
    assert column(store, query) == {
        "kg:block-hf", "kg:care-hf", "kg:echocrt", "kg:imagingcrt", "kg:madit-crt",
        "kg:miracle", "kg:prospect", "kg:reverse", "kg:rethinq", "kg:smart-av", "kg:starter",
        "kg:target"}
    assert column(store, query, infer=False) == set()


TRIMMED = [
    ("?x owl:sameAs ?x", "reflexive sameAs"),
    ("?x rdfs:subClassOf ?x", "reflexive subClassOf"),
    ("?x a owl:Thing", "owl:Thing typing"),
    ("?x rdfs:subClassOf owl:Thing", "subclass of owl:Thing"),
    ("?x ?p ?o FILTER(isBlank(?x) || isBlank(?o))", "anonymous nodes"),
    ("?x ?p ?o FILTER(STRSTARTS(STR(?x), STR(owl:)) || STRSTARTS(STR(?x), STR(rdf:)) "
     "|| STRSTARTS(STR(?x), STR(rdfs:)) || STRSTARTS(STR(?x), STR(xsd:)))",
     "axioms about the RDF/OWL vocabularies"),
]


@pytest.mark.parametrize(("pattern", "what"), TRIMMED)
def test_trivial_inferences_are_trimmed(store, pattern, what):
    assert not _ask(store, f"GRAPH graph:inferred {{ {pattern} }}"), f"{what} left in"


def test_summary_counts_match_the_graphs(built, store):
    counted = {r["g"].removeprefix("graph:"): int(r["n"]) for r in rows(
        store, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    default = {name: n for name, n in built.triples.items() if name != "derivations"}
    assert counted == default  # graph:derivations is named only when asked for
    asked = rows(store, "SELECT (COUNT(*) AS ?n) FROM NAMED graph:derivations "
                        "{ GRAPH graph:derivations { ?s ?p ?o } }")
    assert asked == [{"n": str(built.triples["derivations"])}]
    assert built.triples["inferred"] > 100
    assert sum(built.trimmed.values()) > 0
    assert set(built.trimmed) <= {"literal subject", "anonymous node", "reflexive",
                                  "owl:Thing / owl:Nothing", "RDF/OWL vocabulary axiom"}
