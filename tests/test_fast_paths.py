"""The query worker's two fast paths give the answers of the plain ones.

- served: a query over the union of the graphs runs on a store of those graphs alone, its
  whole content the default graph (graph.query.served_store), not on the artifact's store
  with the graphs listed: the same rows;
- native_json: Oxigraph writes SPARQL JSON itself when no limit can cut the answer: the
  answer collect() and write() give, same rows, same terms, same cuts.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from graph.catalogue import load_catalogue
from graph.errors import QueryError
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


def rows(answer: object) -> list[str]:
    """An answer's rows (or boolean) as sorted text, blank nodes unlabelled, the parts of a
    GROUP_CONCAT sorted (SPARQL leaves their order to the engine): a multiset."""
    if isinstance(answer, ox.QueryBoolean):
        return [str(bool(answer))]
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    return sorted(repr([_text(s[n]) for n in names]) for s in answer)


def _text(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.Literal):
        return repr((sorted(term.value.split("; ")), term.datatype, term.language))
    return str(term)


def outcome(graph: Graph, query: str, infer: bool, served: ox.Store | None) -> list[str]:
    try:
        return rows(run_query(graph.store, query, infer, served=served))
    except QueryError as err:  # FROM with infer=false: refused either way
        return [str(err)]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_the_served_store_answers_as_the_listed_graphs(graph: Graph, name: str) -> None:
    for infer in (True, False):
        assert outcome(graph, QUERIES[name], infer, graph.served) == \
            outcome(graph, QUERIES[name], infer, None), (name, infer)


def test_the_served_store_has_every_graph_but_the_derivations(graph: Graph) -> None:
    derivations = ox.NamedNode("https://w3id.org/crtkg/graph/derivations")
    assert set(graph.served.named_graphs()) == set(graph.store.named_graphs()) - {derivations}
    assert len(graph.served) == len(graph.store) - len(
        list(graph.store.quads_for_pattern(None, None, None, derivations)))


def request(query: str, cap: int = 10_000, max_bytes: int = 32_000_000,
            hidden: tuple[str, ...] = ()) -> QueryRequest:
    return QueryRequest(query=query, accept=JSON.media_type, cap=cap, max_bytes=max_bytes,
                        hidden=hidden)


def plain_json(graph: Graph, query: str, cap: int | None, max_bytes: int | None) -> dict:
    """The answer as collect() and write() give it, the way every other format goes."""
    answer = run_query(graph.store, query, served=graph.served)
    return json.loads(write(collect(answer, cap, (), max_bytes), JSON))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_the_workers_sparql_json_is_the_plain_writers(graph: Graph, name: str) -> None:
    reply = reply_to(graph, request(QUERIES[name]))
    assert reply.status == 200 and reply.cut_at is None
    assert reply.media_type == JSON.media_type
    found, plain = json.loads(reply.body), plain_json(graph, QUERIES[name], 10_000, None)
    if name == "bnode and lang":  # a fresh blank node each time
        found["results"]["bindings"][0]["b"]["value"] = "x"
        plain["results"]["bindings"][0]["b"]["value"] = "x"
    assert found["head"] == plain["head"]
    # two runs of a query: rows that tie under its ORDER BY may come in another order
    assert sorted(map(repr, found["results"]["bindings"])) == \
        sorted(map(repr, plain["results"]["bindings"]))


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

