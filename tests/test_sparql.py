"""The SPARQL 1.1 Protocol at /sparql, through the Flask test client: answers, content
negotiation, the dataset parameters, the service description, errors, limits and caching."""

from __future__ import annotations

import csv
import io
import json
import threading
import time

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.namespaces import PREFIXES, sparql_prologue
from server.state import app_state
from tests.helpers import DERIVATIONS, TOTAL, TRIPLES

TRIAL = "SELECT ?n WHERE { kg:echocrt crtkg:registryNumber ?n }"
ECHOCRT = "CONSTRUCT { kg:echocrt ?p ?o } WHERE { kg:echocrt ?p ?o }"
RADIATION = (f"{sparql_prologue()}SELECT ?m WHERE {{ ?m a crtkg:IonizingRadiationModality }} "
             "ORDER BY ?m")
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
# Four copies of every triple joined with each other: ~8e12 rows to count, never finishes.
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON_TYPE = "application/sparql-results+json"


def bindings(response) -> list[dict[str, str]]:
    """SPARQL JSON rows as {variable: value}."""
    assert response.status_code == 200, response.get_data(as_text=True)
    data = json.loads(response.data)
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


def iri(name: str) -> str:
    prefix, local = name.split(":")
    return PREFIXES[prefix] + local


# RADIATION's answer: what the reasoner classifies (nuclear imaging and its kinds, CT and its).
RADIATION_MODALITIES = [iri(f"kg:{m}") for m in (
    "cardiac-ct", "cardiac-ct-venography", "nuclear-imaging", "pet", "spect",
    "tc99m-myocardial-perfusion-imaging")]


# --- the three ways to send a query ---------------------------------------------------------

def test_get_answers_a_select_as_sparql_json(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": TRIAL})
    assert response.mimetype == JSON_TYPE
    assert bindings(response) == [{"n": "NCT00683696"}]


def test_post_form_and_post_body_give_the_same_answer(client: FlaskClient) -> None:
    form = client.post("/sparql", data={"query": TRIAL})
    body = client.post("/sparql", data=TRIAL, content_type="application/sparql-query")
    assert bindings(form) == bindings(body) == [{"n": "NCT00683696"}]


def test_ask_answers_true_and_false(client: FlaskClient) -> None:
    yes = client.get("/sparql", query_string={"query": "ASK { kg:echocrt a crtkg:ClinicalStudy }"})
    no = client.get("/sparql", query_string={"query": "ASK { kg:echocrt a crtkg:Person }"})
    assert (json.loads(yes.data)["boolean"], json.loads(no.data)["boolean"]) == (True, False)


# --- content negotiation --------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+json", JSON_TYPE),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", JSON_TYPE),
    ("application/json", JSON_TYPE),
    ("text/*", "text/csv"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/html, */*;q=0.1", JSON_TYPE),
    ("application/sparql-results+json;q=0, text/tab-separated-values;q=0.2",
     "text/tab-separated-values"),
])
def test_select_answers_are_negotiated(client: FlaskClient, accept: str, expected: str) -> None:
    response = client.get("/sparql", query_string={"query": TRIAL}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == expected
    assert "NCT00683696" in response.get_data(as_text=True)
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_select_formats_parse_back_to_the_same_rows(client: FlaskClient, fmt: str) -> None:
    response = client.get("/sparql", query_string={"query": RADIATION, "format": fmt})
    parsed = ox.parse_query_results(response.data, format=getattr(
        ox.QueryResultsFormat, fmt.upper()))
    assert [s["m"].value for s in parsed] == RADIATION_MODALITIES


def test_csv_has_a_header_and_plain_values(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": RADIATION, "format": "csv"})
    assert response.content_type == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["m"], *([m] for m in RADIATION_MODALITIES)]


@pytest.mark.parametrize(("accept", "expected", "syntax"), [
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/trig", "application/trig", ox.RdfFormat.TRIG),
    ("application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
    ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/rdf+xml;q=0.4, application/ld+json;q=0.8", "application/ld+json",
     ox.RdfFormat.JSON_LD),
])
def test_construct_answers_are_negotiated(client: FlaskClient, accept: str, expected: str,
                                          syntax: ox.RdfFormat) -> None:
    response = client.get("/sparql", query_string={"query": ECHOCRT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == expected
    triples = list(ox.parse(response.data, format=syntax))
    assert len(triples) == 46
    assert ox.Literal("NCT00683696") in {t.object for t in triples}


def test_nothing_acceptable_is_406_naming_what_there_is(client: FlaskClient) -> None:
    select = client.get("/sparql", query_string={"query": TRIAL},
                        headers={"Accept": "text/turtle"})
    graph = client.get("/sparql", query_string={"query": ECHOCRT},
                       headers={"Accept": "application/sparql-results+json"})
    assert (select.status_code, graph.status_code) == (406, 406)
    assert "csv (text/csv)" in select.get_data(as_text=True)
    assert "turtle (text/turtle)" in graph.get_data(as_text=True)


def test_the_format_parameter_overrides_accept(client: FlaskClient) -> None:
    csv_answer = client.get("/sparql", query_string={"query": TRIAL, "format": "csv"},
                            headers={"Accept": "application/sparql-results+xml"})
    by_type = client.get("/sparql", query_string={"query": ECHOCRT,
                                                  "format": "application/n-triples"})
    wrong = client.get("/sparql", query_string={"query": TRIAL, "format": "turtle"})
    assert csv_answer.mimetype == "text/csv"
    assert by_type.mimetype == "application/n-triples"
    assert wrong.status_code == 406
    assert "format=turtle is not available" in wrong.get_data(as_text=True)


# What SPARQLWrapper, Fuseki's and Virtuoso's users put in `format`, `output` and `results`:
# (query, parameters, the media type answered).
FORMAT_VALUES = [
    (TRIAL, [("format", "json")], JSON_TYPE),
    (TRIAL, [("output", "xml")], "application/sparql-results+xml"),
    (TRIAL, [("results", "tsv")], "text/tab-separated-values"),
    (TRIAL, [("format", "application/sparql-results+json")], JSON_TYPE),
    (TRIAL, [("output", "srx")], "application/sparql-results+xml"),
    (TRIAL, [("format", "text/csv; charset=utf-8")], "text/csv"),
    (ECHOCRT, [("format", "ttl")], "text/turtle"),
    (ECHOCRT, [("output", "turtle")], "text/turtle"),
    (ECHOCRT, [("format", "n3")], "text/turtle"),
    (ECHOCRT, [("format", "nt")], "application/n-triples"),
    (ECHOCRT, [("format", "n-triples")], "application/n-triples"),
    (ECHOCRT, [("output", "text")], "application/n-triples"),
    (ECHOCRT, [("format", "xml")], "application/rdf+xml"),
    (ECHOCRT, [("format", "rdf")], "application/rdf+xml"),
    (ECHOCRT, [("format", "rdf+xml")], "application/rdf+xml"),
    (ECHOCRT, [("format", "json-ld")], "application/ld+json"),
    (ECHOCRT, [("format", "json")], "application/ld+json"),
    (ECHOCRT, [("format", "text/turtle")], "text/turtle"),
    # SPARQLWrapper's RDF/XML: its name, then the media type, in all three parameters
    (ECHOCRT, [(p, v) for p in ("format", "output", "results")
               for v in ("rdf+xml", "application/rdf+xml")], "application/rdf+xml"),
    # repeated values: the first one that fits the kind of answer
    (TRIAL, [("format", "turtle"), ("format", "csv")], "text/csv"),
    (ECHOCRT, [("format", "csv"), ("output", "nt")], "application/n-triples"),
    # a comma-separated list, as SPARQLWrapper sends its Accept list for JSON-LD
    (ECHOCRT, [("format", "application/ld+json,application/x-json+ld")], "application/ld+json"),
    # an empty value (SPARQLWrapper's, for */*) is no choice: the Accept header decides
    (TRIAL, [("format", "")], JSON_TYPE),
]


@pytest.mark.parametrize(("query", "params", "expected"), FORMAT_VALUES)
def test_format_names_other_clients_send(client: FlaskClient, query: str,
                                         params: list[tuple[str, str]], expected: str) -> None:
    response = client.get("/sparql", query_string=[("query", query), *params])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == expected
    assert "NCT00683696" in response.get_data(as_text=True)


def test_format_values_none_of_which_fits_are_406_naming_them(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string=[("query", TRIAL), ("format", "turtle"),
                                                   ("output", "rdf+xml")])
    assert response.status_code == 406
    text = response.get_data(as_text=True)
    assert "format=turtle, rdf+xml is not available" in text
    assert "json (application/sparql-results+json)" in text


def test_relative_iris_resolve_against_the_endpoint_url(client: FlaskClient) -> None:
    # A W3C protocol test: the query has no BASE; the endpoint's URL is its base.
    response = client.get("/sparql", query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}",
                                                   "format": "nt"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert {q.triple for q in ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES)} == {ox.Triple(
        ox.NamedNode("http://localhost/s"), ox.NamedNode("http://localhost/p"),
        ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))}


def test_relative_iris_follow_the_host_the_client_asked(client: FlaskClient) -> None:
    response = client.get("/sparql", base_url="http://kg.example.org/crt/",
                          query_string={"query": "SELECT ?x { BIND(<a> AS ?x) }"})
    assert bindings(response) == [{"x": "http://kg.example.org/crt/a"}]


# --- the dataset: union default graph, dataset parameters, inference switch ----------------

def test_the_default_graph_is_the_union_and_each_graph_is_named(client: FlaskClient) -> None:
    rows = bindings(client.get("/sparql", query_string={"query": PER_GRAPH}))
    assert rows == [{"g": iri(f"graph:{name}"), "n": str(TRIPLES[name])}
                    for name in sorted(TRIPLES)]
    union = bindings(client.get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}))
    assert union == [{"n": str(TOTAL)}]


def test_default_graph_uri_and_named_graph_uri_choose_the_dataset(client: FlaskClient) -> None:
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    ontology = client.get("/sparql", query_string={
        "query": count, "default-graph-uri": iri("graph:ontology")})
    two = client.get("/sparql", query_string=[
        ("query", count), ("default-graph-uri", iri("graph:ontology")),
        ("default-graph-uri", iri("graph:inferred"))])
    named = client.get("/sparql", query_string={
        "query": PER_GRAPH, "named-graph-uri": iri("graph:inferred")})
    assert bindings(ontology) == [{"n": str(TRIPLES["ontology"])}]
    assert bindings(two) == [{"n": str(TRIPLES["ontology"] + TRIPLES["inferred"])}]
    assert bindings(named) == [{"g": iri("graph:inferred"), "n": str(TRIPLES["inferred"])}]


def test_the_query_from_clause_is_honoured_and_the_parameters_override_it(
        client: FlaskClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{iri('graph:data')}> {{ ?s ?p ?o }}"
    assert bindings(client.get("/sparql", query_string={"query": query})) == [
        {"n": str(TRIPLES["data"])}]
    overridden = client.get("/sparql", query_string={
        "query": query, "default-graph-uri": iri("graph:ontology")})
    assert bindings(overridden) == [{"n": str(TRIPLES["ontology"])}]


def test_infer_false_leaves_the_reasoner_out(client: FlaskClient) -> None:
    inferred = bindings(client.get("/sparql", query_string={"query": RADIATION}))
    asserted = bindings(client.get("/sparql", query_string={"query": RADIATION,
                                                            "infer": "false"}))
    graphs = bindings(client.get("/sparql", query_string={"query": PER_GRAPH,
                                                          "infer": "false"}))
    assert [r["m"] for r in inferred] == RADIATION_MODALITIES
    assert asserted == []
    assert {r["g"] for r in graphs} == {iri(f"graph:{name}") for name in TRIPLES
                                        if name != "inferred"}


def test_a_bad_infer_value_is_400_naming_the_parameter(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": TRIAL, "infer": "perhaps"})
    assert response.status_code == 400
    assert "infer='perhaps': expected true or false" in response.get_data(as_text=True)


# --- the service description ----------------------------------------------------------------

def description(client: FlaskClient, accept: str = "text/turtle") -> ox.Store:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    store = ox.Store()
    store.load(response.data, format=ox.RdfFormat.from_media_type(response.mimetype))
    return store


def test_get_without_a_query_describes_the_service_and_its_dataset(client: FlaskClient) -> None:
    store = description(client)
    endpoint = [s["e"].value for s in store.query(
        "SELECT ?e { ?s a sd:Service ; sd:endpoint ?e ; sd:supportedLanguage sd:SPARQL11Query ;"
        " sd:feature sd:UnionDefaultGraph }", prefixes=PREFIXES)]
    per_graph = {s["g"].value: int(s["n"].value) for s in store.query(
        "SELECT ?g ?n { ?d sd:namedGraph [ sd:name ?g ; sd:graph [ void:triples ?n ] ] }",
        prefixes=PREFIXES)}
    assert endpoint == ["http://localhost/sparql"]
    assert per_graph == {iri(f"graph:{name}"): n
                         for name, n in {**TRIPLES, "derivations": DERIVATIONS}.items()}


def test_the_void_partitions_count_classes_and_properties(client: FlaskClient) -> None:
    store = description(client, "application/ld+json")
    recommendations = [int(s["n"].value) for s in store.query(
        "SELECT ?n { ?d void:classPartition [ void:class crtkg:Recommendation ; "
        "void:entities ?n ] }", prefixes=PREFIXES)]
    quotes = [int(s["n"].value) for s in store.query(
        "SELECT ?n { ?d void:propertyPartition [ void:property crtkg:quote ; void:triples ?n ] }",
        prefixes=PREFIXES)]
    assert recommendations == [3]
    answer = bindings_of_count(client, "SELECT (COUNT(*) AS ?n) { ?c crtkg:quote ?q }")
    assert quotes == [answer]


def bindings_of_count(client: FlaskClient, query: str) -> int:
    return int(bindings(client.get("/sparql", query_string={"query": query}))[0]["n"])


def test_a_browser_asking_for_the_endpoint_goes_to_the_web_page(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- CORS -----------------------------------------------------------------------------------

def test_cors_lets_browser_clients_on_other_origins_query(client: FlaskClient) -> None:
    origin = {"Origin": "https://yasgui.example"}
    answer = client.get("/sparql", query_string={"query": TRIAL}, headers=origin)
    preflight = client.options("/sparql", headers={
        **origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type, Accept"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-SPARQL-MaxRows" in answer.headers["Access-Control-Expose-Headers"]
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()


# --- errors ---------------------------------------------------------------------------------

def test_a_syntax_error_is_400_with_the_line_and_a_caret(client: FlaskClient) -> None:
    query = "SELECT ?x WHERE {\n  ?x rdfs:label \"Ärzte\" ;\n     crtkg:nope ?y )\n}"
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (
        "400 Bad Request: SPARQL syntax error at line 3, column 20:\n"
        "       crtkg:nope ?y )\n"
        "                     ^\n"
        'unexpected ")"\n')


def test_an_iri_the_graph_lacks_is_a_warning_header_and_the_query_still_runs(
        client: FlaskClient) -> None:
    query = ("SELECT ?n WHERE { kg:echocrt crtkg:registryNumber ?n "
             "OPTIONAL { kg:echocrtt crtkg:reportFinding ?f } }")
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert [b["n"] for b in bindings(response)] == ["NCT00683696"]
    assert response.headers.getlist("X-Crtkg-Warning") == [
        "kg:echocrtt is not in the graph; did you mean kg:echocrt?",
        "crtkg:reportFinding is not in the graph; did you mean crtkg:reportsFinding?"]
    assert "X-Crtkg-Warning" in response.headers["Access-Control-Expose-Headers"]
    again = client.get("/sparql", query_string={"query": query})  # from the cache
    assert len(again.headers.getlist("X-Crtkg-Warning")) == 2
    assert "X-Crtkg-Warning" not in client.get("/sparql", query_string={"query": TRIAL}).headers


def test_a_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.put("/sparql", data=TRIAL)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert "PUT is not allowed on /sparql; use GET or POST" in response.get_data(as_text=True)


def test_a_wrong_media_type_is_415(client: FlaskClient) -> None:
    response = client.post("/sparql", data=TRIAL, content_type="text/plain")
    assert response.status_code == 415
    assert "Content-Type text/plain is not accepted" in response.get_data(as_text=True)


@pytest.mark.parametrize("request_args", [
    {"query_string": [("query", TRIAL), ("query", "ASK {}")]},
    {"query_string": {"query": TRIAL}, "data": {"query": "ASK {}"}, "method": "POST"},
    {"query_string": {"query": TRIAL}, "data": "ASK {}", "method": "POST",
     "content_type": "application/sparql-query"},
])
def test_two_queries_in_one_request_are_400(client: FlaskClient, request_args: dict) -> None:
    response = client.open("/sparql", **request_args)
    assert response.status_code == 400
    assert "2 queries in one request" in response.get_data(as_text=True)


def test_post_without_a_query_is_400(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"infer": "true"})
    assert response.status_code == 400
    assert "no query" in response.get_data(as_text=True)


@pytest.mark.parametrize("request_args", [
    {"data": {"update": "INSERT DATA { kg:a kg:b kg:c }"}},
    {"data": "INSERT DATA { kg:a kg:b kg:c }", "content_type": "application/sparql-update"},
    {"data": {"query": "PREFIX kg: <https://w3id.org/crtkg/id/> DELETE WHERE { ?s ?p ?o }"}},
])
def test_sparql_update_is_refused_and_changes_nothing(client: FlaskClient,
                                                      request_args: dict) -> None:
    response = client.post("/sparql", **request_args)
    assert response.status_code == 403
    assert "read-only" in response.get_data(as_text=True)
    assert bindings_of_count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == TOTAL


def test_an_oversized_request_is_413(client: FlaskClient, app: Flask) -> None:
    limit = app_state(app).settings.max_request_bytes
    padding = "#" * (limit + 1) + "\n"
    body = client.post("/sparql", data=padding + TRIAL, content_type="application/sparql-query")
    get = client.get("/sparql", query_string={"query": padding + TRIAL})
    assert (body.status_code, get.status_code) == (413, 413)
    assert f"longer than {limit} bytes" in get.get_data(as_text=True)


def test_an_unknown_path_is_404_in_plain_text(client: FlaskClient) -> None:
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert response.get_data(as_text=True).startswith("404 Not Found:")


# --- limits: time and size ------------------------------------------------------------------

def test_the_time_limit_stops_a_query_while_others_are_served(app: Flask) -> None:
    pool = app_state(app).pool
    before = pool.pids()
    slow: dict = {}

    def pathological() -> None:
        started = time.monotonic()
        slow["response"] = app.test_client().get("/sparql", query_string={"query": PATHOLOGICAL})
        slow["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=pathological)
    thread.start()
    served = []
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "127.0.0.2"  # another client: one query a client runs
    while thread.is_alive() and len(served) < 5:  # distinct queries: none comes from the cache
        query = f"SELECT ?n WHERE {{ kg:echocrt crtkg:registryNumber ?n }} LIMIT {len(served) + 1}"
        served.append(other.get("/sparql", query_string={"query": query}))
    assert thread.is_alive(), "the pathological query should still be running"
    thread.join()
    assert [bindings(r) for r in served] == [[{"n": "NCT00683696"}]] * 5
    assert slow["response"].status_code == 503
    assert "stopped after 2 s" in slow["response"].get_data(as_text=True)
    assert 2 <= slow["seconds"] < 10
    after = pool.pids()
    assert len(after) == 2 and len(before - after) == 1  # the stuck worker is gone, replaced
    assert bindings(app.test_client().get("/sparql", query_string={"query": TRIAL}))


def test_the_row_cap_cuts_the_answer_and_says_so(client: FlaskClient) -> None:
    many = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    few = client.get("/sparql", query_string={"query": RADIATION})
    triples = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }",
                                                  "format": "ntriples"})
    assert len(bindings(many)) == 50
    assert many.headers["X-SPARQL-MaxRows"] == "50"
    assert "X-SPARQL-MaxRows" not in few.headers
    assert len(triples.get_data(as_text=True).splitlines()) == 50
    assert triples.headers["X-SPARQL-MaxRows"] == "50"


# --- caching --------------------------------------------------------------------------------

def test_answers_carry_an_etag_and_revalidate_to_304(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": TRIAL})
    second = client.get("/sparql", query_string={"query": TRIAL})
    etag = first.headers["ETag"]
    again = client.get("/sparql", query_string={"query": TRIAL}, headers={"If-None-Match": etag})
    as_csv = client.get("/sparql", query_string={"query": TRIAL}, headers={"Accept": "text/csv"})
    assert second.headers["ETag"] == etag and second.data == first.data
    assert (again.status_code, again.data) == (304, b"")
    assert as_csv.headers["ETag"] != etag
    assert first.headers["Cache-Control"] == "no-cache"
