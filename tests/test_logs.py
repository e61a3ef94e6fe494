"""The server's log and its error statuses: a line per request, a line per timeout and
worker restart, text or JSON; an unexpected error is a 500 whose id the log carries, a
query's own error a 400."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest
from flask import Flask

from graph.artifact import BuildSummary
from server import sparql
from server.protocol import QueryRequest
from tests.helpers import log_lines, sparql_get, start_server

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ERROR_ID = re.compile(r"error id ([0-9a-f]{8})")


def test_an_unexpected_worker_error_is_500_with_an_id_the_log_carries(
        app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> QueryRequest:  # a bug of ours: a request the worker chokes on
        return QueryRequest("SELECT * { ?s ?p ?o }", max_bytes="many")  # type: ignore[arg-type]

    monkeypatch.setattr(sparql, "read_query_request", broken)
    with caplog.at_level(logging.INFO):
        response = app.test_client().get("/sparql?query=x")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    error_id = ERROR_ID.search(body).group(1)
    logged = [r for r in caplog.records if r.name == "crtkg.error"]
    assert len(logged) == 1 and logged[0].error_id == error_id
    assert f"error {error_id}: a query worker failed on GET /sparql" in logged[0].getMessage()
    assert "TypeError: '<' not supported" in logged[0].getMessage()  # the worker's traceback
    line = next(r for r in caplog.records if r.name == "crtkg.request")
    assert (line.status, line.error_id) == (500, error_id)
    assert "Traceback" not in body  # the cause stays in the log


def test_an_unexpected_error_in_the_web_process_is_500_with_an_id(
        client, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(sparql, "reply_response", broken)
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p 'unexpected' }"})
    error_id = ERROR_ID.search(response.get_data(as_text=True)).group(1)
    assert response.status_code == 500
    logged = next(r for r in caplog.records if r.name == "crtkg.error")
    assert logged.error_id == error_id and logged.exc_info[0] is ValueError


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT * { ?s ?p ?o FILTER(<http://example.org/f>(?o)) }",
     "the query cannot be evaluated: The custom function <http://example.org/f> is not "
     "supported"),
    ("SELECT * { SERVICE ?where { ?s ?p ?o } }", "SERVICE (federated query) is not allowed"),
    ("SELECT * { ?s ?p }", "SPARQL syntax error"),
])
def test_a_query_s_own_error_stays_400(client, caplog: pytest.LogCaptureFixture, query: str,
                                      message: str) -> None:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not [r for r in caplog.records if r.name == "crtkg.error"]


def test_each_request_is_a_line_of_the_log(client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        ok = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        missing = client.get("/no-such-page")
    lines = [r for r in caplog.records if r.name == "crtkg.request"]
    assert [(r.method, r.path, r.status, r.bytes, r.client) for r in lines] == [
        ("GET", "/sparql", 200, len(ok.data), "127.0.0.1"),
        ("GET", "/no-such-page", 404, len(missing.data), "127.0.0.1")]
    assert all(r.ms >= 0 for r in lines)
    assert re.fullmatch(r'127\.0\.0\.1 "GET /sparql" 200 \d+ B \d+\.\d ms',
                        lines[0].getMessage())


def wait_for(lines: list[str], pattern: str, seconds: float = 15) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [line for line in lines if re.search(pattern, line)]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no log line matches {pattern!r} in:\n" + "\n".join(lines))


def test_the_live_server_logs_json_lines_with_the_proxy_s_client(built: BuildSummary) -> None:
    process, base = start_server("--artifact", str(built.artifact), "serve", "--no-build",
                                 "--timeout", "1", "--log-format", "json",
                                 env={"CRTKG_TRUSTED_PROXY": "127.0.0.2"})
    lines = log_lines(process)
    try:
        via_proxy = sparql_get(base, "ASK { ?s ?p 1 }", "127.0.0.2",
                               headers={"X-Forwarded-For": "203.0.113.7"})
        not_a_proxy = sparql_get(base, "ASK { ?s ?p 2 }", "127.0.0.3",
                                 headers={"X-Forwarded-For": "203.0.113.8"})
        stuck = sparql_get(base, PATHOLOGICAL, "127.0.0.4")
        wait_for(lines, "started in place of")
    finally:
        process.terminate()
        process.wait(10)
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(entries) == len([line for line in lines if line.strip()])  # every line JSON
    requests = [e for e in entries if e["logger"] == "crtkg.request"
                and e["path"] == "/sparql" and e["client"] != "127.0.0.1"]
    assert [(e["method"], e["status"], e["client"]) for e in requests] == [
        ("GET", 200, "203.0.113.7"), ("GET", 200, "127.0.0.3"), ("GET", 503, "127.0.0.4")]
    assert [e["bytes"] for e in requests[:2]] == [len(via_proxy[2]), len(not_a_proxy[2])]
    assert stuck[0] == 503
    timeout = next(e for e in entries if e["message"].startswith("timeout:"))
    assert timeout["level"] == "WARNING" and "a query of 127.0.0.4" in timeout["message"]
    assert "?a ?b ?c" in timeout["message"]  # which query it was
    assert any("started in place of worker" in e["message"] for e in entries)
