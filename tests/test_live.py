"""Real SPARQL clients against a live `crtkg serve`: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper

from graph.namespaces import KG, sparql_prologue
from tests.conftest import ROOT

RECOMMENDED = sparql_prologue() + """
SELECT ?modality ?role WHERE {
  ?claim a crtkg:Recommendation ; crtkg:aboutModality/rdfs:label ?modality ;
         crtkg:aboutRole/rdfs:label ?role .
} ORDER BY ?modality ?role"""


def test_sparqlwrapper_select_by_get_and_post(live_server: str) -> None:
    rows = []
    for method in ("GET", POST):
        client = SPARQLWrapper(live_server + "/sparql")
        client.setQuery(RECOMMENDED)
        client.setMethod(method)
        client.setReturnFormat(JSON)
        answer = client.query().convert()
        rows.append([(b["modality"]["value"], b["role"]["value"])
                     for b in answer["results"]["bindings"]])
    assert rows[0] == rows[1]
    assert rows[0] == [("cardiac magnetic resonance imaging", "assessment of myocardial scar"),
                       ("echocardiography", "CRT optimization"),
                       ("echocardiography", "patient selection")]


def test_sparqlwrapper_construct_as_turtle_and_select_as_csv(live_server: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(sparql_prologue() + "CONSTRUCT WHERE { kg:echocrt crtkg:registryNumber ?n }")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert set(graph) == {(KG.echocrt, URIRef("https://w3id.org/crtkg/ontology/registryNumber"),
                           Literal("NCT00683696"))}
    client.setQuery(sparql_prologue() + "SELECT ?n WHERE { kg:prospect crtkg:registryNumber ?n }")
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines() == ["n", "NCT00253357"]


def test_rdflib_sparqlstore_queries_the_endpoint(live_server: str) -> None:
    graph = Graph(store=SPARQLStore(live_server + "/sparql", returnFormat="json"))
    rows = list(graph.query(RECOMMENDED))
    assert [(r.modality, r.role) for r in rows] == [
        (Literal("cardiac magnetic resonance imaging", lang="en"),
         Literal("assessment of myocardial scar", lang="en")),
        (Literal("echocardiography", lang="en"), Literal("CRT optimization", lang="en")),
        (Literal("echocardiography", lang="en"), Literal("patient selection", lang="en"))]
    assert graph.query(sparql_prologue() + "ASK { kg:echocrt a crtkg:ClinicalStudy }").askAnswer


def test_a_stuck_query_does_not_hold_up_other_clients(live_server: str) -> None:
    stuck = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    outcome: dict = {}

    def run_stuck() -> None:
        url = live_server + "/sparql?" + urllib.parse.urlencode({"query": stuck})
        try:
            urllib.request.urlopen(url, timeout=30)
        except urllib.error.HTTPError as err:
            outcome["status"], outcome["body"] = err.code, err.read().decode()

    thread = threading.Thread(target=run_stuck)
    thread.start()
    time.sleep(0.2)  # let the stuck query take its worker first
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(RECOMMENDED + " LIMIT 2")
    client.setReturnFormat(JSON)
    served = client.query().convert()["results"]["bindings"]
    still_stuck = thread.is_alive()
    thread.join()
    assert len(served) == 2 and still_stuck
    assert outcome["status"] == 503
    assert "the query was stopped after 2 s" in outcome["body"]


def test_serve_refuses_a_bad_setting_naming_its_variable(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "graph.cli", "serve", "--no-build"], cwd=ROOT, text=True,
        capture_output=True, timeout=60,
        env={"CRTKG_TIMEOUT": "soon", "CRTKG_ARTIFACT": str(tmp_path / "none.nq"),
             "PATH": ""})
    assert result.returncode == 1
    assert "crtkg: error: CRTKG_TIMEOUT='soon': expected float" in result.stderr
