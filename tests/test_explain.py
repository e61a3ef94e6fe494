"""Explanations: the proof tree of an inferred triple, on the command line and over HTTP."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from cli import main
from graph.explain import Proof, TermError, explain, parse_term
from tests.helpers import ROOT


def proof(store, s: str, p: str, o: str, depth: int = 6) -> Proof:
    terms = parse_term(s, "s"), parse_term(p, "p"), parse_term(o, "o", literal=True)
    return explain(store, *terms, depth=depth)


def tree(store, s: str, p: str, o: str, depth: int = 6) -> list[str]:
    return proof(store, s, p, o, depth).lines()


def leaves(node: Proof) -> list[str]:
    """The asserted triples a proof ends at, with their graphs, in the tree's order."""
    if node.asserted:
        return [f"{node.text} [{node.graph}]"]
    return [leaf for step in node.steps for premise in step.premises for leaf in leaves(premise)]


def test_a_subclass_explained_in_words_down_to_the_imported_axiom(store) -> None:
    assert tree(store, "kg:echocrt", "a", "obo:OBI_0003699") == [
        "kg:echocrt rdf:type obo:OBI_0003699  [inferred]",
        "  by cax-sco: EchoCRT is a clinical trial because it is a randomized clinical trial, and OBI says",
        "    every randomized clinical trial is a clinical trial.",
        "    kg:echocrt rdf:type obo:OBI_0004001  [inferred]",
        "      by cax-sco: EchoCRT is a randomized clinical trial because it is a randomized controlled",
        "        trial, and the crtkg ontology says every randomized controlled trial is a randomized",
        "        clinical trial.",
        "        kg:echocrt rdf:type crtkg:RandomizedControlledTrial  [asserted in graph:data]",
        "        crtkg:RandomizedControlledTrial rdfs:subClassOf obo:OBI_0004001  [asserted in",
        "            graph:ontology]",
        "    obo:OBI_0004001 rdfs:subClassOf obo:OBI_0003699  [asserted in graph:imports]"]


def test_a_property_chain_ends_at_asserted_triples(store) -> None:
    explained = proof(store, "kg:prospect", "crtkg:studiedModality", "kg:echocardiography")
    assert leaves(explained)[:3] == [
        "kg:prospect crtkg:reportsFinding kg:prospect-modest-prediction [graph:data]",
        "kg:prospect-modest-prediction crtkg:aboutModality kg:echocardiography [graph:data]",
        "crtkg:studiedModality owl:propertyChainAxiom (crtkg:reportsFinding "
        "crtkg:aboutModality) [graph:ontology]"]


def test_an_inverse_explained(store) -> None:
    explained = proof(store, "kg:prospect-article", "crtkg:publicationOf", "kg:prospect")
    lines = explained.lines()
    assert lines[1].startswith("  by prp-inv1: Results of the Predictors of Response to CRT")
    assert "the crtkg ontology says publication of is the inverse of has publication." in \
        " ".join(line.strip() for line in lines)
    assert leaves(explained) == [
        "kg:prospect crtkg:hasPublication kg:prospect-article [graph:data]",
        "crtkg:hasPublication owl:inverseOf crtkg:publicationOf [graph:ontology]"]


def test_a_property_chain_explained_every_way_with_the_claims_quote(store) -> None:
    lines = tree(store, "kg:prospect", "crtkg:studiedModality", "kg:echocardiography")
    assert [line.split(",")[0].strip() for line in lines if "way " in line] == [
        "way 1 of 3", "way 2 of 3", "way 3 of 3"]
    text = "\n".join(lines)
    assert "kg:prospect crtkg:reportsFinding kg:prospect-variability  [asserted in graph:data]" in text
    assert ("kg:prospect-variability crtkg:aboutModality kg:echocardiography  [asserted in graph:data]\n"
            '      quote: "There was large variability in the analysis of the dyssynchrony parameters."\n'
            "      source: kg:prospect-article") in text
    assert "crtkg:studiedModality owl:propertyChainAxiom (crtkg:usesImaging crtkg:useModality)  [asserted in" in text
    assert all(len(line) <= 100 for line in lines)


def test_a_hasvalue_class_explained_through_a_chain(store) -> None:
    explained = proof(store, "kg:spect", "a", "crtkg:IonizingRadiationModality")
    words = " ".join(line.strip() for line in explained.lines())
    assert "by cls-int1: single-photon emission computed tomography is a modality with ionizing " \
           "radiation because single-photon emission computed tomography exposes patient to " \
           "ionizing radiation and it is an imaging modality, and the crtkg ontology says a " \
           "modality with ionizing radiation is an imaging modality that exposes patient to " \
           "ionizing radiation." in words
    assert leaves(explained) == [
        "kg:spect crtkg:isKindOf kg:nuclear-imaging [graph:data]",
        "kg:nuclear-imaging crtkg:exposesPatientTo crtkg:IonizingRadiation [graph:data]",
        "crtkg:exposesPatientTo owl:propertyChainAxiom (crtkg:isKindOf crtkg:exposesPatientTo) "
        "[graph:ontology]",
        "kg:spect rdf:type crtkg:ImagingModality [graph:data]",
        "crtkg:IonizingRadiationModality owl:equivalentClass (crtkg:ImagingModality and "
        "(crtkg:exposesPatientTo value crtkg:IonizingRadiation)) [graph:ontology]"]


def test_transitive_part_of_explained(store) -> None:
    explained = proof(store, "kg:eacvi-echocardiography-section", "obo:BFO_0000050", "kg:esc")
    assert explained.lines()[1] == ("  by prp-trp: EACVI Echocardiography section part of European Society "
                        "of Cardiology because EACVI")
    assert leaves(explained) == [
        "kg:eacvi-echocardiography-section obo:BFO_0000050 kg:eacvi [graph:data]",
        "kg:eacvi obo:BFO_0000050 kg:esc [graph:data]",
        "obo:BFO_0000050 rdf:type owl:TransitiveProperty [graph:ontology]"]


def test_the_depth_limits_the_tree(store) -> None:
    lines = tree(store, "kg:echocrt", "a", "obo:OBI_0003699", depth=1)
    assert "    kg:echocrt rdf:type obo:OBI_0004001  [inferred]" in lines
    assert "      (deeper steps left out: raise the depth)" in lines


BAD_TERMS = [
    ("s", "nope:x", False, "s: 'nope:x': unknown prefix 'nope'"),
    ("s", "<https://w3id.org/crtkg/id/a b>", False, "is not a valid absolute IRI"),
    ("p", '"label"', False, "p: '\"label\"' is a literal; only an object may be one"),
    ("o", '"2008"^^', True, "is not a valid literal"),
    ("o", "", True, "o: is empty"),
]


@pytest.mark.parametrize(("name", "text", "literal", "message"), BAD_TERMS)
def test_a_malformed_term_names_the_parameter(name, text, literal, message) -> None:
    with pytest.raises(TermError) as caught:
        parse_term(text, name, literal)
    assert message in str(caught.value)


def test_a_literal_object_is_parsed(store) -> None:
    lines = tree(store, "kg:prospect-article", "fabio:hasPublicationYear", '"2008"^^xsd:gYear')
    assert lines == ['kg:prospect-article fabio:hasPublicationYear "2008"^^xsd:gYear  '
                     "[asserted in graph:data]"]


def test_the_command_prints_the_tree(built, capsys) -> None:
    code = main(["--root", str(ROOT), "--artifact", str(built.artifact), "explain",
                 "kg:echocrt", "a", "obo:OBI_0003699", "--depth", "1"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "kg:echocrt rdf:type obo:OBI_0003699  [inferred]"
    assert out[-1] == "    obo:OBI_0004001 rdfs:subClassOf obo:OBI_0003699  [asserted in graph:imports]"


def test_the_command_says_what_is_not_in_the_graph(built, capsys) -> None:
    code = main(["--root", str(ROOT), "--artifact", str(built.artifact), "explain",
                 "kg:echocrt", "a", "crtkg:Finding"])
    assert code == 1
    assert capsys.readouterr().err == ("crtkg: error: kg:echocrt rdf:type crtkg:Finding is not "
                                       "in the graph: neither asserted nor inferred\n")


def test_explain_over_http_answers_json(client: FlaskClient) -> None:
    response = client.get("/explain", query_string={
        "s": "kg:prospect-article", "p": "crtkg:publicationOf", "o": "kg:prospect"},
        headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["message"] == "kg:prospect-article crtkg:publicationOf kg:prospect is inferred, 1 way(s)"
    step = body["proof"]["derivations"][0]
    assert step["rule"] == "prp-inv1"
    assert [(p["text"], p["graph"]) for p in step["premises"]] == [
        ("kg:prospect crtkg:hasPublication kg:prospect-article", "graph:data"),
        ("crtkg:hasPublication owl:inverseOf crtkg:publicationOf", "graph:ontology")]


def test_explain_over_http_answers_a_page_to_a_browser(client: FlaskClient) -> None:
    response = client.get("/explain", query_string={
        "s": "kg:echocrt", "p": "a", "o": "obo:OBI_0003699"},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "EchoCRT is a clinical trial because it is a randomized clinical trial, and OBI " \
           "says every randomized clinical trial is a clinical trial." in page
    assert '<span class="tag">asserted in graph:imports</span>' in page
    assert "crtkg.css" in page
    # Each step's project terms open their pages; external ones (OBI's) have none here.
    assert '<a class="term-page" href="/id/echocrt">kg:echocrt</a>' in page
    assert 'class="term-page" href="/ontology/RandomizedControlledTrial"' in page
    assert '>obo:OBI_0003699</a>' not in page


HTTP_CASES = [
    ({"s": "kg:echocrt", "p": "a", "o": "crtkg:RandomizedControlledTrial"}, 200,
     "kg:echocrt rdf:type crtkg:RandomizedControlledTrial is asserted in graph:data"),
    ({"s": "kg:echocrt", "p": "a", "o": "crtkg:Finding"}, 404,
     "kg:echocrt rdf:type crtkg:Finding is not in the graph: neither asserted nor inferred"),
    ({"s": "kg:echocrt", "p": "a", "o": '"unterminated'}, 400,
     "parameter o: '\"unterminated' is not a valid literal"),
    ({"s": "kg echocrt", "p": "a", "o": "kg:x"}, 400,
     "parameter s: 'kg echocrt' is not an IRI"),
    ({"s": "kg:echocrt", "p": "a"}, 400, "parameter o is missing"),
    ({"s": "kg:echocrt", "p": "a", "o": "kg:x", "depth": "deep"}, 400,
     "parameter depth='deep': expected a whole number from 0 to 20"),
]


@pytest.mark.parametrize(("args", "status", "message"), HTTP_CASES)
def test_explain_over_http_statuses(client: FlaskClient, args, status, message) -> None:
    response = client.get("/explain", query_string=args, headers={"Accept": "application/json"})
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert message in (json.loads(text)["message"] if status == 200 else text)


def test_explain_refuses_what_it_cannot_send(client: FlaskClient) -> None:
    response = client.get("/explain", query_string={"s": "kg:echocrt", "p": "a", "o": "kg:x"},
                          headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert "/explain answers application/json or text/html" in response.get_data(as_text=True)
