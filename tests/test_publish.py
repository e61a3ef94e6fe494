"""`crtkg publish` against a real Oxigraph server (the PyPI package `oxigraph`, the test
extra): every graph put and counted, every named query answered as ours, a re-run safe, a
broken store reported, a failed request named."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import main
from graph.artifact import BuildSummary
from graph.namespaces import DATA_GRAPH, GRAPHS, MAPPINGS_GRAPH
from graph.publish import bind_values, compare_answers, concatenated, order_keys
from tests.helpers import DERIVATIONS, ROOT, TRIPLES

COUNTS = {**TRIPLES, "derivations": DERIVATIONS}


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"  # the venv's, installed by pip
    return str(beside) if beside.exists() else shutil.which("oxigraph")


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`oxigraph serve` on a free loopback port, its data in a temporary folder; stopped,
    and checked to be gone, when the module's tests are done."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("no oxigraph server binary: pip install 'oxigraph>=0.5,<0.6' (test extra)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = tmp_path_factory.mktemp("oxigraph")
    server = subprocess.Popen([binary, "serve", "--location", str(folder), "--bind",
                               f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                pytest.fail(f"oxigraph serve exited: {server.stderr.read()}")
            try:
                with urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("oxigraph serve did not answer within 30 s")
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(10)
        server.stderr.close()
    assert server.poll() is not None  # no server left behind


def publish(built: BuildSummary, capsys: pytest.CaptureFixture[str], *args: str
            ) -> tuple[int, str, str]:
    """`crtkg publish ARGS` over the session's build: exit status, output, errors."""
    capsys.readouterr()
    status = main(["--root", str(ROOT), "--artifact", str(built.artifact), "publish", *args])
    out, err = capsys.readouterr()
    return status, out, err


def graph_rows(report: str) -> dict[str, tuple[int, str, str]]:
    """The report's table of graphs: name -> (ours, theirs, ok)."""
    found = re.findall(r"^(\w+)\s+\| (\d+)\s+\| (\S+)\s+\| (\S+)$", report, re.M)
    return {name: (int(ours), theirs, ok) for name, ours, theirs, ok in found}


def query_rows(report: str) -> dict[str, str]:
    """The report's table of named queries: name -> same / DIFFERENT / skipped."""
    return dict(re.findall(r"^([\w-]+)\s+\|[^|]*\|[^|]*\| (same|DIFFERENT|skipped)\b",
                           report, re.M))


def store_count(base: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(base + "/query?" + urllib.parse.urlencode(
        {"query": query}), headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.read().decode().split()[1])


def gsp(base: str, method: str, graph: str, body: bytes | None = None) -> None:
    request = urllib.request.Request(
        f"{base}/store?{urllib.parse.urlencode({'graph': graph})}", data=body, method=method,
        headers={"Content-Type": "application/n-triples"} if body else {})
    urllib.request.urlopen(request, timeout=10).close()


def test_publish_puts_every_graph_and_every_named_query_answers_as_ours(
        built: BuildSummary, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, report, err = publish(built, capsys, "--target", store_url)
    assert status == 0, report + err
    assert graph_rows(report) == {name: (n, str(n), "ok") for name, n in COUNTS.items()}
    queries = query_rows(report)
    assert len(queries) == len(list((ROOT / "queries").glob("*.rq")))
    # trials-by-size's minimum has no enumerated value to run it with; it says so.
    assert {name for name, seen in queries.items() if seen != "same"} == {"trials-by-size"}
    assert "required parameter minimum has no enumerated value" in report
    assert "findings-of-trial" in report and "trial=kg:prospect" in report
    assert "OK: every graph's triples and every named query's answer match" in report


def test_a_second_publish_replaces_the_graphs_rather_than_adding_to_them(
        built: BuildSummary, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        status, report, _ = publish(built, capsys, "--target", store_url)
        assert status == 0, report
    assert store_count(store_url, str(DATA_GRAPH)) == TRIPLES["data"]
    assert store_count(store_url, str(GRAPHS["derivations"])) == DERIVATIONS


def test_a_deleted_graph_is_a_difference(built: BuildSummary, store_url: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    publish(built, capsys, "--target", store_url)
    gsp(store_url, "DELETE", str(MAPPINGS_GRAPH))
    status, report, _ = publish(built, capsys, "--target", store_url, "--verify-only")
    assert status == 1
    assert "Verified only: no graph was replaced" in report
    assert graph_rows(report)["mappings"] == (TRIPLES["mappings"], "0", "DIFFERENT")
    assert graph_rows(report)["data"][2] == "ok"
    queries = query_rows(report)
    assert queries["external-links"] == "DIFFERENT"  # the links live in graph:mappings
    assert queries["trial-timeline"] == "same"
    assert re.search(r"^  external-links: only ours: \{", report, re.M)
    assert "DIFFERENT: 1 graph(s) and" in report
    status, report, _ = publish(built, capsys, "--target", store_url, "--graphs", "mappings")
    assert status == 0, report  # putting the one graph back mends the store


def test_an_added_triple_is_a_difference(built: BuildSummary, store_url: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    publish(built, capsys, "--target", store_url)
    gsp(store_url, "POST", str(DATA_GRAPH),
        b"<https://w3id.org/crtkg/id/madeup> <http://www.w3.org/2000/01/rdf-schema#label> "
        b'"made up" .\n')
    status, report, _ = publish(built, capsys, "--target", store_url, "--verify-only")
    assert status == 1
    assert graph_rows(report)["data"] == (TRIPLES["data"], str(TRIPLES["data"] + 1),
                                          "DIFFERENT")
    status, _, _ = publish(built, capsys, "--target", store_url)
    assert status == 0
    assert store_count(store_url, str(DATA_GRAPH)) == TRIPLES["data"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(("where", "expected"), [
    # No store listens: the URL, the reason, nothing changed.
    (lambda base: ["--target", f"http://127.0.0.1:{free_port()}"],
     r"PUT http://127\.0\.0\.1:\d+/store\?graph=https%3A%2F%2Fw3id\.org%2Fcrtkg%2Fgraph%2F"
     r"ontology: cannot reach the store \(.*refused.*\); nothing was changed in the store"),
    # A password written into the URL is never shown.
    (lambda base: ["--target", f"http://dba:secret@127.0.0.1:{free_port()}"],
     r"PUT http://dba@127\.0\.0\.1:\d+/store\?graph=\S+: cannot reach the store"),
    # A Graph Store path the store does not have: its status and its own message.
    (lambda base: ["--target", base, "--gsp", "/nowhere"],
     r"PUT http://127\.0\.0\.1:\d+/nowhere\?graph=\S+: HTTP 404 Not Found: .*"
     r"nowhere.*; nothing was changed in the store"),
    # A wrong SPARQL path fails after the puts: it lists the graphs already replaced.
    (lambda base: ["--target", base, "--sparql", "/nowhere"],
     r"POST http://127\.0\.0\.1:\d+/nowhere: HTTP 404 Not Found: .*; the graphs replaced "
     r"before it: ontology, imports, data, mappings, inferred, derivations; nothing else"),
])
def test_a_failed_request_names_the_url_the_status_and_what_was_changed(
        built: BuildSummary, store_url: str, capsys: pytest.CaptureFixture[str],
        where, expected: str) -> None:
    status, out, err = publish(built, capsys, *where(store_url))
    assert status == 1
    assert re.search(expected, err), err
    assert "secret" not in out + err


def solutions(names: list[str], *rows: tuple) -> dict:
    """A SPARQL JSON answer; a cell is a plain string (a literal), <iri>, _:b, or None."""
    def term(cell: str) -> dict:
        if cell.startswith("<"):
            return {"type": "uri", "value": cell[1:-1]}
        if cell.startswith("_:"):
            return {"type": "bnode", "value": cell[2:]}
        return {"type": "literal", "value": cell}
    return {"head": {"vars": names}, "results": {"bindings": [
        {n: term(c) for n, c in zip(names, row, strict=True) if c is not None}
        for row in rows]}}


@pytest.mark.parametrize(("ours", "theirs", "keys", "concat", "difference"), [
    # The same rows in another order, and the query does not order them: the same.
    ((("a", "1"), ("b", "2")), (("b", "2"), ("a", "1")), [], {}, ""),
    # Ordered by ?x, and the rows tie on ?x: any order of the tied rows is right.
    ((("a", "1"), ("a", "2")), (("a", "2"), ("a", "1")), ["x"], {}, ""),
    # Ordered by ?x, and the order of ?x differs.
    ((("a", "1"), ("b", "2")), (("b", "2"), ("a", "1")), ["x"], {},
     'same rows, other order: row 1 ours {x="a", y="1"}, theirs {x="b", y="2"}'),
    # A row missing, a row extra: the first, and how many more.
    ((("a", "1"), ("b", "2")), (("a", "1"), ("c", "3")), [], {},
     'only ours: {x="b", y="2"} (and 1 more row not in both)'),
    # A row twice here, once there: multisets, not sets.
    ((("a", "1"), ("a", "1")), (("a", "1"),), [], {}, 'only ours: {x="a", y="1"}'),
    # GROUP_CONCAT's parts in another order: the same.
    ((("a", "p; q"),), (("a", "q; p"),), [], {"y": "; "}, ""),
    # Blank nodes are labelled as each store likes.
    ((("a", "_:b1"),), (("a", "_:x9"),), [], {}, ""),
    # An unbound cell is not an empty string.
    ((("a", None),), (("a", ""),), [], {}, 'only ours: {x="a"} (and 1 more row not in both)'),
])
def test_answers_compare_as_multisets_in_the_order_the_query_defines(
        ours, theirs, keys, concat, difference) -> None:
    names = ["x", "y"]
    compared = compare_answers(solutions(names, *ours), solutions(names, *theirs), keys, concat)
    assert compared == (len(ours), len(theirs), difference)


def test_a_string_typed_literal_is_the_plain_literal() -> None:
    plain = solutions(["x"], ("a",))
    typed = {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {
        "type": "literal", "value": "a",
        "datatype": "http://www.w3.org/2001/XMLSchema#string"}}]}}
    assert compare_answers(plain, typed) == (1, 1, "")


@pytest.mark.parametrize(("query", "keys"), [
    ("SELECT * { ?s ?p ?o } ORDER BY ?s DESC(?o)", ["s", "o"]),
    ("SELECT * { ?s ?p ?o } ORDER BY COALESCE(STR(?o), '9') ?s LIMIT 2", ["o", "s"]),
    ("SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?o LIMIT 1 } }", []),  # a subquery's
    ("SELECT * { ?s ?p ?o }  # ORDER BY ?s", []),  # a comment's
])
def test_order_keys(query: str, keys: list[str]) -> None:
    assert order_keys(query) == keys


def test_group_concat_separators() -> None:
    query = ('SELECT (GROUP_CONCAT(DISTINCT STR(?m); separator="; ") AS ?ms) '
             "(GROUP_CONCAT(?n) AS ?ns) {}")
    assert concatenated(query) == {"ms": "; ", "ns": " "}


def test_parameters_are_bound_in_the_outer_group_not_in_a_string_or_comment() -> None:
    import pyoxigraph as ox

    query = '# a { in a comment\nSELECT ?_t_iri ("{" AS ?b) WHERE { ?_t_iri ?p ?o }'
    bound = bind_values(query, {ox.Variable("_t_iri"): ox.NamedNode("https://e.org/t")})
    assert bound.endswith('WHERE { VALUES (?_t_iri) { (<https://e.org/t>) } ?_t_iri ?p ?o }')
    assert bound.startswith('# a { in a comment\nSELECT ?_t_iri ("{" AS ?b)')
