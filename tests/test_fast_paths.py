"""The query worker's SPARQL JSON, which Oxigraph writes itself when no limit can cut the
answer (graph.results.native_json), is the answer collect() and write() give: same rows, same
terms, same cuts."""

from __future__ import annotations

import json

import pytest

from graph.catalogue import load_catalogue
from graph.namespaces import sparql_prologue
from graph.query import run_query
from graph.results import BY_NAME, MIN_ROW_BYTES, collect, native_json, write
from server.protocol import QueryRequest
from server.worker import Graph, reply_to
from tests.helpers import ROOT

NAMED = {q.name: sparql_prologue() + q.text for q in load_catalogue(ROOT / "queries")}
MORE = {  # what the named queries do not show: graphs by name, unbound values, bnodes
    "graphs": "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "empty graph pattern": "SELECT ?g { GRAPH ?g { } }",
    "unbound": "SELECT ?s ?none { ?s a <https://w3id.org/crtkg/ontology/Trial> "
               "OPTIONAL { ?s <urn:x:none> ?none } }",
    "no bindings": "SELECT * { } ",
    "bnode and lang": 'SELECT ?b ?l { BIND(BNODE("x") AS ?b) BIND("é"@fr AS ?l) }',
    "from derivations": "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/crtkg/graph/derivations>"
                        " { ?s ?p ?o }",
}
QUERIES = {**NAMED, **MORE}
JSON = BY_NAME["json"]


@pytest.fixture(scope="module")
def graph(built) -> Graph:
    return Graph.load(built.artifact)


def request(query: str, cap: int = 10_000, max_bytes: int = 32_000_000,
            hidden: tuple[str, ...] = ()) -> QueryRequest:
    return QueryRequest(query=query, accept=JSON.media_type, cap=cap, max_bytes=max_bytes,
                        hidden=hidden)


def plain_json(graph: Graph, query: str, cap: int | None, max_bytes: int | None) -> dict:
    """The answer as collect() and write() give it, the way every other format goes."""
    return json.loads(write(collect(run_query(graph.store, query), cap, (), max_bytes), JSON))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_the_workers_sparql_json_is_the_plain_writers(graph: Graph, name: str) -> None:
    reply = reply_to(graph, request(QUERIES[name]))
    assert reply.status == 200 and reply.cut_at is None
    assert reply.media_type == JSON.media_type
    found, plain = json.loads(reply.body), plain_json(graph, QUERIES[name], 10_000, None)
    if name == "bnode and lang":  # a fresh blank node each time
        found["results"]["bindings"][0]["b"]["value"] = "x"
        plain["results"]["bindings"][0]["b"]["value"] = "x"
    assert found == plain


ROWS_1000 = ("SELECT ?i { VALUES ?a { 0 1 2 3 4 5 6 7 8 9 } VALUES ?b { 0 1 2 3 4 5 6 7 8 9 } "
             "VALUES ?c { 0 1 2 3 4 5 6 7 8 9 } BIND(100 * ?a + 10 * ?b + ?c AS ?i) } ORDER BY ?i")


@pytest.mark.parametrize(("cap", "cut"), [(999, 999), (1000, None), (300, 300)])
def test_a_row_cap_cuts_the_answer_whichever_writer(graph: Graph, cap: int,
                                                    cut: int | None) -> None:
    reply = reply_to(graph, request(ROWS_1000, cap=cap))
    bindings = json.loads(reply.body)["results"]["bindings"]
    assert reply.cut_at == cut
    assert [int(b["i"]["value"]) for b in bindings] == list(range(cut or 1000))


def test_the_shortest_rows_are_counted_against_the_cap(graph: Graph) -> None:
    # 1000 rows that bind nothing: the fewest bytes a row can take
    empty = "SELECT ?x { VALUES ?a { 0 1 2 3 4 5 6 7 8 9 } VALUES ?b { 0 1 2 3 4 5 6 7 8 9 } " \
            "VALUES ?c { 0 1 2 3 4 5 6 7 8 9 } }"
    body = native_json(run_query(graph.store, empty), cap=1000)
    assert body is not None and len(body) >= MIN_ROW_BYTES * 999
    assert json.loads(body)["results"]["bindings"] == [{}] * 1000
    assert native_json(run_query(graph.store, empty), cap=999) is None


def test_a_byte_limit_cuts_the_answer_whichever_writer(graph: Graph) -> None:
    reply = reply_to(graph, request(ROWS_1000, max_bytes=2000))
    bindings = json.loads(reply.body)["results"]["bindings"]
    plain = plain_json(graph, ROWS_1000, 10_000, 2000)["results"]["bindings"]
    assert reply.cut_at == len(bindings) == len(plain) < 1000
    assert bindings == plain


def test_an_answer_too_long_for_the_native_writer_is_collected(graph: Graph,
                                                               monkeypatch) -> None:
    monkeypatch.setattr("graph.results.NATIVE_MAX_BYTES", 5000)
    assert native_json(run_query(graph.store, ROWS_1000)) is None
    reply = reply_to(graph, request(ROWS_1000))
    assert reply.cut_at is None
    assert len(json.loads(reply.body)["results"]["bindings"]) == 1000


def test_named_query_parameters_are_left_out_of_the_answer(graph: Graph) -> None:
    query = "SELECT ?s ?p { VALUES ?s { 1 2 } }"
    reply = reply_to(graph, request(query, hidden=("s",)))
    assert json.loads(reply.body) == {"head": {"vars": ["p"]},
                                      "results": {"bindings": [{}, {}]}}

