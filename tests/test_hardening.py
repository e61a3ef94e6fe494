"""What a public endpoint must withstand: requests to other hosts, queries that crash or
flood, workers that die, a rebuild under a running server, odd but valid HTTP."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.artifact import BuildSummary
from graph.errors import CrtkgError
from graph.query import run_query
from server import create_app
from server.settings import Settings
from server.sparql import AnswerCache
from server.state import app_state
from tests.helpers import ROOT, TOTAL, log_lines, sparql_get, start_server

COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


def count(response) -> int:
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])


def text(response) -> str:
    return response.get_data(as_text=True)


# --- no requests to other hosts -------------------------------------------------------------

@pytest.mark.parametrize("keyword", ["SERVICE", "service", "\\u0053ERVICE"])
def test_service_is_refused_and_nothing_leaves_the_server(client: FlaskClient,
                                                          keyword: str) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        query = f"SELECT * {{ {keyword} <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}"
        response = client.get("/sparql", query_string={"query": query})
        with pytest.raises(TimeoutError):
            listener.accept()
    assert response.status_code == 400
    assert "SERVICE (federated query) is not allowed" in text(response)


def test_words_that_look_like_keywords_are_not_taken_for_them(client: FlaskClient) -> None:
    in_a_string = ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o "
                   "FILTER(?o != '''don't take it FROM me, SERVICE''') }")
    local_names = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER(?p != kg:a-from) }"
    assert count(client.get("/sparql", query_string={"query": in_a_string})) == TOTAL
    assert count(client.get("/sparql", query_string={"query": local_names})) == TOTAL


# --- the inference switch cannot be got round -----------------------------------------------

def test_infer_false_does_not_combine_with_from(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) FROM graph:inferred { ?s ?p ?o }"
    refused = client.get("/sparql", query_string={"query": query, "infer": "false"})
    by_parameter = client.get("/sparql", query_string={
        "query": COUNT, "infer": "false",
        "default-graph-uri": "https://w3id.org/crtkg/graph/inferred"})
    assert refused.status_code == 400
    assert "does not combine with FROM" in text(refused)
    assert count(by_parameter) == 0


def test_the_protocol_dataset_replaces_the_query_dataset_whole(client: FlaskClient) -> None:
    named_only = client.get("/sparql", query_string={
        "query": COUNT, "named-graph-uri": "https://w3id.org/crtkg/graph/ontology"})
    over_from = client.get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) FROM graph:data { ?s ?p ?o }",
        "named-graph-uri": "https://w3id.org/crtkg/graph/ontology"})
    assert count(named_only) == 0  # no default-graph-uri: an empty default graph
    assert count(over_from) == 0


# --- queries that would crash or flood ------------------------------------------------------

def test_a_deeply_nested_query_is_400_and_no_worker_dies(client: FlaskClient,
                                                         app: Flask) -> None:
    before = app_state(app).pool.pids()
    nested = "ASK { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }"
    response = client.post("/sparql", data=nested, content_type="application/sparql-query")
    assert response.status_code == 400
    assert "nests brackets more than 200 deep" in text(response)
    assert app_state(app).pool.pids() == before


def test_a_broken_update_is_refused_at_once(client: FlaskClient) -> None:
    update = "PREFIX kg: <https://w3id.org/crtkg/id/> INSERT DATA { " + "kg:a kg:b kg:c . " * 12_000
    started = time.monotonic()
    response = client.post("/sparql", data=update, content_type="application/sparql-query")
    assert response.status_code == 403
    assert time.monotonic() - started < 1


def test_the_answer_cache_keeps_to_its_byte_budget() -> None:
    cache = AnswerCache(size=100, max_bytes=100)
    for key in range(9):  # 9 x 12 = 108 bytes: the oldest goes
        cache.put(key, b"x" * 12)
    cache.put("big", b"x" * 13)  # over an eighth of the budget: never kept
    assert [cache.get(k) is not None for k in [*range(9), "big"]] == [False] + [True] * 8 + [
        False]


# --- HTTP details ---------------------------------------------------------------------------

def test_accept_parameters_do_not_rule_a_format_out(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": COUNT}, headers={
        "Accept": "application/sparql-results+json; charset=utf-8"})
    assert count(response) == TOTAL


def test_if_none_match_star_and_weak_tags(client: FlaskClient) -> None:
    etag = client.get("/sparql", query_string={"query": COUNT}).headers["ETag"]
    star = client.get("/sparql", query_string={"query": COUNT}, headers={"If-None-Match": "*"})
    weak = client.get("/sparql", query_string={"query": COUNT},
                      headers={"If-None-Match": f"W/{etag}"})
    post = client.post("/sparql", data={"query": COUNT}, headers={"If-None-Match": etag})
    assert (star.status_code, weak.status_code, post.status_code) == (200, 304, 200)


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("CRTKG_TIMEOUT", "nan", "timeout (CRTKG_TIMEOUT) must be a number of seconds above 0"),
    ("CRTKG_TIMEOUT", "inf", "timeout (CRTKG_TIMEOUT) must be a number of seconds above 0"),
    ("CRTKG_PORT", "99999", "port (CRTKG_PORT) must be at most 65535"),
    ("CRTKG_WORKERS", "0", "workers (CRTKG_WORKERS) must be at least 1"),
    ("CRTKG_WEB_PROCESSES", "0", "web_processes (CRTKG_WEB_PROCESSES) must be at least 1"),
    ("CRTKG_CLIENT_WAITING", "7", "client_queries (CRTKG_CLIENT_QUERIES) + client_waiting "
                                  "(CRTKG_CLIENT_WAITING) must be less than threads"),
    ("CRTKG_CLIENT_QUERIES", "0", "client_queries (CRTKG_CLIENT_QUERIES) must be at least 1"),
    ("CRTKG_CLIENT_BUDGET", "-1", "client_budget (CRTKG_CLIENT_BUDGET) must be a number of "
                                  "seconds, 0 or more"),
    ("CRTKG_LOG_FORMAT", "xml", "log_format (CRTKG_LOG_FORMAT) must be one of text, json"),
])
def test_settings_the_server_cannot_use_are_refused(variable: str, value: str,
                                                    message: str) -> None:
    with pytest.raises(CrtkgError, match=re.escape(message)):
        Settings.from_env(Path("crtkg.nq"), ROOT / "queries", environ={variable: value})


def test_a_web_process_reads_the_settings_the_main_process_was_given() -> None:
    settings = Settings.from_env(Path("crtkg.nq"), ROOT / "queries",
                                 environ={"CRTKG_TIMEOUT": "2.5", "CRTKG_TRUSTED_PROXY": "10.0.0.1"},
                                 web_processes=3)
    assert Settings.from_json(settings.as_json()) == settings


# --- workers that die, artifacts that change ------------------------------------------------

@pytest.fixture(scope="module")
def own(built: BuildSummary, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app of its own over a copy of the artifact, for tests that break things."""
    artifact = tmp_path_factory.mktemp("own") / "crtkg.nq"
    shutil.copyfile(built.artifact, artifact)
    app = create_app(Settings.from_env(artifact, ROOT / "queries", environ={}, workers=2,
                                       timeout=5, max_answer_bytes=3000, cache_entries=0,
                                       worker_memory_mb=400))
    yield app
    app_state(app).pool.close()


def kill_workers(app: Flask) -> None:
    for pid in app_state(app).pool.pids():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)


def test_a_worker_that_died_idle_is_replaced_before_it_is_used(own: Flask) -> None:
    kill_workers(own)
    assert [count(own.test_client().get("/sparql", query_string={"query": COUNT}))
            for _ in range(3)] == [TOTAL] * 3
    assert len(app_state(own).pool.pids()) == 2


def test_a_rebuilt_artifact_does_not_reach_a_running_server(own: Flask) -> None:
    original = app_state(own).settings.artifact
    original.write_text("<https://example.org/a> <https://example.org/b> "
                        "<https://example.org/c> .\n")
    kill_workers(own)  # their replacements must still load the graph the server started with
    assert count(own.test_client().get("/sparql", query_string={"query": COUNT})) == TOTAL


def test_a_worker_that_cannot_start_costs_a_503_not_its_slot(own: Flask) -> None:
    pool = app_state(own).pool
    hidden = pool.artifact.with_suffix(".away")
    pool.artifact.rename(hidden)
    kill_workers(own)
    failed = own.test_client().get("/sparql", query_string={"query": COUNT})
    hidden.rename(pool.artifact)
    answers = [count(own.test_client().get("/sparql", query_string={"query": COUNT}))
               for _ in range(2)]
    assert failed.status_code == 503
    assert "a query worker could not load" in text(failed)
    assert answers == [TOTAL, TOTAL]


def test_an_answer_is_cut_at_its_byte_budget_and_says_so(own: Flask) -> None:
    response = own.test_client().get("/sparql", query_string={"query": "SELECT * {?s ?p ?o}"})
    rows = json.loads(response.data)["results"]["bindings"]
    assert 0 < len(rows) < 50
    assert response.headers["X-SPARQL-MaxRows"] == str(len(rows))


def test_a_query_whose_worker_is_killed_meanwhile_is_answered_all_the_same(
        own: Flask, store: ox.Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    query = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d a ?e }"  # about a second's work
    expected = next(iter(run_query(store, query)))["n"].value
    answered: list = []
    asking = threading.Thread(target=lambda: answered.append(
        own.test_client().get("/sparql", query_string={"query": query})))
    asking.start()
    time.sleep(0.3)
    kill_workers(own)  # the one answering, and the idle one
    asking.join()
    assert answered[0].status_code == 200
    assert str(count(answered[0])) == expected
    logged = [r.getMessage() for r in caplog.records if r.name == "crtkg.pool"]
    assert any("stopped while answering" in m for m in logged)
    assert any(re.fullmatch(r"running the query of 127.0.0.1 again, on worker \d+", m)
               for m in logged)


def test_a_query_that_outgrows_its_memory_fails_alone(own: Flask,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    doublings = "".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1}) " for i in range(28))
    query = f'SELECT (STRLEN(?a28) AS ?n) WHERE {{ BIND("xy" AS ?a0) {doublings}}}'  # 512 MB
    response = own.test_client().get("/sparql", query_string={"query": query})
    assert response.status_code == 500
    assert "the query worker stopped while answering (out of memory, or killed)" in text(response)
    died = [r.getMessage() for r in caplog.records if r.name == "crtkg.pool"]
    stopped = [m for m in died if re.search(r"worker \d+ stopped while answering a query of "
                                            r"127.0.0.1 \((killed by SIG\w+|exit status \d+); "
                                            r"EOFError\)", m)]
    assert len(stopped) == 2, died  # run once more, in case a worker died of something else
    assert any("started in place of worker" in m for m in died)
    assert count(own.test_client().get("/sparql", query_string={"query": COUNT})) == TOTAL


# --- one client cannot starve the others ----------------------------------------------------

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_a_client_s_pathological_queries_leave_workers_for_the_others(built) -> None:
    """Four 4-way cartesian COUNTs at once from one address, against a live server: one
    runs, two wait, one is refused at once; the other client's queries answer meanwhile."""
    process, base = start_server("--artifact", str(built.artifact), "serve", "--no-build",
                                 "--timeout", "2", env={"CRTKG_CLIENT_BUDGET": "1"})
    lines = log_lines(process)
    try:
        hog: list[tuple[int, dict, str]] = []
        threads = [threading.Thread(target=lambda: hog.append(
            sparql_get(base, PATHOLOGICAL, "127.0.0.2"))) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        other = []
        while any(t.is_alive() for t in threads):  # distinct queries: none from the cache
            started = time.monotonic()
            status, _, _ = sparql_get(base, f"ASK {{ ?s ?p {len(other)} }}", "127.0.0.3")
            other.append((status, time.monotonic() - started))
        for thread in threads:
            thread.join()
        spent = sparql_get(base, "ASK { ?s ?p 'x' }", "127.0.0.2")  # the hog's budget is gone
    finally:
        process.terminate()
        process.wait(10)
    # One refused at once; one runs out its time; the two that waited behind it are told
    # their own queries held their share (429), or got a worker in time and ran out theirs.
    refused = [h for h in hog if "you have 3 queries running or waiting" in h[2]]
    assert len(refused) == 1 and refused[0][0] == 429 and refused[0][1]["Retry-After"] == "1"
    stopped = [h for h in hog if h[0] == 503 and "stopped after 2 s" in h[2]]
    behind = [h for h in hog if h[0] == 429 and "your other queries held your share" in h[2]]
    assert len(stopped) >= 1 and len(refused) + len(stopped) + len(behind) == 4, hog
    assert len(other) > 5 and {s for s, _ in other} == {200}
    assert max(seconds for _, seconds in other) < 1.5  # loose: bench/fairness.py measures
    assert spent[0] == 429 and int(spent[1]["Retry-After"]) > 1
    assert "CRTKG_CLIENT_BUDGET" in spent[2]
    assert any("refused: 127.0.0.2 has 3 queries running or waiting" in line for line in lines)
