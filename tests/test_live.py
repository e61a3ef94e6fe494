"""Real SPARQL clients against a live `crtkg serve`: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from cli import main as main_cli
from graph.namespaces import KG, sparql_prologue
from tests.helpers import RECOMMENDED, ROOT, TOTAL, TRIAL, TRIAL_GRAPH, sparql_get, start_server

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


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
    outcome: dict = {}

    def run_stuck() -> None:  # from another address than SPARQLWrapper's 127.0.0.1
        outcome["status"], _, outcome["body"] = sparql_get(live_server, PATHOLOGICAL,
                                                           "127.0.0.2")

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
        [sys.executable, "-m", "cli", "serve", "--no-build"], cwd=ROOT, text=True,
        capture_output=True, timeout=60,
        env={"CRTKG_TIMEOUT": "soon", "CRTKG_ARTIFACT": str(tmp_path / "none.nq"),
             "PATH": ""})
    assert result.returncode == 1
    assert "crtkg: error: CRTKG_TIMEOUT='soon': expected float" in result.stderr


def children(pid: int) -> set[int]:
    """Live child processes of `pid`, read from /proc (zombies count as gone)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def command_line(pid: int) -> bytes:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def request_until_killed(url: str) -> None:
    with contextlib.suppress(OSError):  # the server is killed while it answers
        urllib.request.urlopen(url, timeout=30)


def test_workers_die_with_a_killed_server_even_mid_query(built) -> None:
    server, base = start_server("--artifact", str(built.artifact), "serve", "--no-build",
                                "--timeout", "120")
    try:
        workers = children(server.pid)
        commands = {p: command_line(p) for p in workers}  # read while they run
        stuck = base + "/sparql?" + urllib.parse.urlencode({"query": PATHOLOGICAL})
        threading.Thread(target=request_until_killed, args=(stuck,), daemon=True).start()
        time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    deadline = time.monotonic() + 10
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    # the two query workers, the web process and multiprocessing's resource tracker
    assert sum(b"server.worker" in command for command in commands.values()) == 2
    assert not any(alive(p) for p in workers)


def test_serve_keeps_serving_the_last_good_build_when_the_build_fails(project_copy) -> None:
    artifact = project_copy.root / "build" / "crtkg.nq"
    assert main_cli(["--root", str(project_copy.root), "--artifact", str(artifact), "build"]) == 0
    claims = project_copy.root / "graph" / "data" / "claims.ttl"
    claims.write_text(claims.read_text() + "\nkg:broken crtkg:quote .\n")
    server, base = start_server("--root", str(project_copy.root), "--artifact", str(artifact),
                                "serve")
    try:
        query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                                        "format": "csv"})
        with urllib.request.urlopen(f"{base}/sparql?{query}") as answer:
            assert answer.read().decode().split() == ["n", str(TOTAL)]
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)
    assert "claims.ttl:" in stderr and "Turtle syntax error" in stderr
    assert f"the build failed; serving the last good build, {artifact}" in stderr


# SPARQLWrapper's return formats, each as it sends them (format, output and results, some
# twice), and what a user gets back from convert(): SELECT rows, or the graph's triples.
SELECT_FORMATS = {"json": JSON, "xml": XML, "csv": CSV, "tsv": TSV}
GRAPH_FORMATS = {"xml": XML, "rdf+xml": RDFXML, "rdf": RDF, "turtle": TURTLE, "n3": N3,
                 "json-ld": JSONLD, "json": JSON}


@pytest.mark.parametrize("name", SELECT_FORMATS)
def test_sparqlwrapper_select_in_each_format(live_server: str, name: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(TRIAL)
    client.setReturnFormat(SELECT_FORMATS[name])
    answer = client.query().convert()
    if name == "json":
        values = [b["n"]["value"] for b in answer["results"]["bindings"]]
    elif name == "xml":
        values = [e.firstChild.nodeValue for e in answer.getElementsByTagName("literal")]
    else:
        values = answer.decode().splitlines()[1:]
    assert values == (['"NCT00683696"'] if name == "tsv" else ["NCT00683696"])


@pytest.mark.parametrize("name", GRAPH_FORMATS)
def test_sparqlwrapper_construct_in_each_format(live_server: str, name: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(TRIAL_GRAPH)
    client.setReturnFormat(GRAPH_FORMATS[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its own warning: it sends */* for some formats
        result = client.query()
    with warnings.catch_warnings():
        # SPARQLWrapper warns (RuntimeWarning) when it gets another format than it asked
        warnings.simplefilter("error", RuntimeWarning)
        answer = result.convert()
    graph = answer if isinstance(answer, Graph) else Graph().parse(
        data=answer, format="turtle")
    assert set(graph) == {(KG.echocrt, URIRef("https://w3id.org/crtkg/ontology/registryNumber"),
                           Literal("NCT00683696"))}


def web_processes(server: int) -> set[int]:
    """The server's web processes: its children that are neither query workers nor
    multiprocessing's resource tracker."""
    return {p for p in children(server) if b"server.worker" not in command_line(p)
            and b"resource_tracker" not in command_line(p)}


def test_a_killed_web_process_is_replaced_and_the_other_keeps_serving(built) -> None:
    server, base = start_server("--artifact", str(built.artifact), "serve", "--no-build",
                                "--web-processes", "2")
    try:
        before = web_processes(server.pid)
        assert len(before) == 2
        victim = min(before)
        subprocess.run(["kill", "-KILL", str(victim)], check=True)
        while alive(victim):
            time.sleep(0.05)
        resets = 0
        answered = []
        for n in range(20):
            try:
                answered.append(sparql_get(base, f"ASK {{ ?s ?p {n} }}")[0])
            except ConnectionResetError:  # at times one, within ms of the death: sent again
                resets += 1
                answered.append(sparql_get(base, f"ASK {{ ?s ?p {n} }}")[0])
        deadline = time.monotonic() + 30
        while len(web_processes(server.pid) - {victim}) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        after = web_processes(server.pid)
        again = sparql_get(base, "ASK { ?s ?p 'after' }")[0]
    finally:
        server.terminate()
        server.wait(15)
    assert answered == [200] * 20  # the other process answered while one was gone
    assert resets <= 1
    assert victim not in after and len(after) == 2
    assert again == 200
