"""What several test files share: the project's paths and figures, query helpers, builds of
a project copy, and live servers. Plain functions and constants; the fixtures are in
conftest.py."""

from __future__ import annotations

import functools
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from werkzeug.datastructures import Headers

from graph.artifact import build
from graph.catalogue import NamedQuery, load_catalogue
from graph.errors import ValidationFailed
from graph.load import SourcePaths
from graph.namespaces import sparql_prologue
from graph.query import run_query, select_rows, short

ROOT = Path(__file__).resolve().parents[1]

# Triples in each named graph of the build, and in their union (no triple is in two).
TRIPLES = {"ontology": 711, "imports": 368, "data": 2632, "mappings": 513, "inferred": 2141}
TOTAL = sum(TRIPLES.values())
# graph:derivations, named but not in the default graph, so not in TOTAL.
DERIVATIONS = 32863


def rows(store: ox.Store, query: str, infer: bool = True) -> list[dict[str, str]]:
    """The rows of a SELECT answer, each term in its short form (CURIE or plain value)."""
    _, solutions = select_rows(run_query(store, query, infer=infer))
    return [{k: short(v) for k, v in row.items()} for row in solutions]


def answer(store: ox.Store, name: str, infer: bool = True, **given: str) -> list[tuple]:
    """The named query NAME's rows as tuples in the order of its variables, '' for an unbound
    one. Parameter variables (projected so that the engine binds them) are left out."""
    names, solutions = select_rows(named_queries()[name].run(store, given, infer=infer))
    shown = [n for n in names if not n.startswith("_")]
    return [tuple(short(row[n]) if n in row else "" for n in shown) for row in solutions]


@functools.cache
def named_queries() -> dict[str, NamedQuery]:
    """The catalogue of queries/, by name, read once."""
    return {q.name: q for q in load_catalogue(ROOT / "queries")}


def column(store: ox.Store, query: str, infer: bool = True) -> set[str]:
    """The values of the first variable of a SELECT answer, as a set."""
    return {next(iter(r.values())) for r in rows(store, query, infer) if r}


def good_build(paths: SourcePaths, tmp_path: Path) -> tuple[Path, bytes]:
    """Build a project copy, for tests that break it: the artifact and its bytes, which a
    failed build must leave as they are."""
    artifact = tmp_path / "crtkg.nq"
    build(paths, artifact)
    return artifact, artifact.read_bytes()


def failed_build(paths: SourcePaths, artifact: Path, good: bytes,
                 error: type[Exception] | tuple[type[Exception], ...],
                 match: str | None = None) -> Any:
    """The error (of type `error`, its message matching `match`) that a build of broken
    sources raises, once the test has seen it leave the last good artifact as it was."""
    with pytest.raises(error, match=match) as caught:
        build(paths, artifact)
    assert artifact.read_bytes() == good, "a failed build changed the last good artifact"
    return caught.value


def failed_report(paths: SourcePaths, tmp_path: Path, edits: list[tuple[str, str, str]]) -> str:
    """Build a good copy, break it by `edits` (a file under graph/data, old, new), build
    again: the report of the failure, once the good artifact is seen kept as it was."""
    artifact, good = good_build(paths, tmp_path)
    for name, old, new in edits:
        edit(paths.data_dir / name, old, new)
    return failed_build(paths, artifact, good, ValidationFailed).report


def line_of(path: Path, subject: str) -> int:
    """The line where `subject` starts a statement in a Turtle file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(subject + " "))


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a file (a test that breaks a source copy)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def start_server(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """`crtkg ARGS --port P` on a free port, once it answers; ARGS end with serve's own.
    `env` adds environment variables (CRTKG_* settings)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "cli", *args, "--port", str(port)],
                               cwd=ROOT, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "CRTKG_ROOT": str(ROOT), **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/sparql?query=ASK%7B%7D", process)
    except RuntimeError:
        process.kill()
        raise
    return process, base


def sparql_get(base: str, query: str, client: str = "127.0.0.1", timeout: float = 30,
               headers: dict[str, str] | None = None) -> tuple[int, Headers, str]:
    """GET a query from `base`, as the client at address `client` (any 127.x.y.z reaches a
    server on 127.0.0.1): the status, headers and body."""
    url = urllib.parse.urlsplit(base)
    assert url.hostname, f"no host in {base}"
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout,
                                            source_address=(client, 0))
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                           headers={"Accept": "application/sparql-results+json", **(headers or {})})
        response = connection.getresponse()
        # header names are case-insensitive (the server sends them in lower case)
        return response.status, Headers(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def log_lines(process: subprocess.Popen) -> list[str]:
    """The lines of a started server's stderr (its log), read as they come by a thread:
    the list grows while the server runs."""
    lines: list[str] = []
    stderr = process.stderr
    assert stderr is not None, "the server was started without stderr=PIPE"

    def read() -> None:
        for line in stderr:
            lines.append(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("crtkg serve exited: "
                               f"{process.stderr.read() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"crtkg serve did not answer {url} within {seconds} s")


# Queries the live-client tests send, with what the graph answers to them.
RECOMMENDED = sparql_prologue() + """
SELECT ?modality ?role WHERE {
  ?claim a crtkg:Recommendation ; crtkg:aboutModality/rdfs:label ?modality ;
         crtkg:aboutRole/rdfs:label ?role .
} ORDER BY ?modality ?role"""
TRIAL = sparql_prologue() + "SELECT ?n WHERE { kg:echocrt crtkg:registryNumber ?n }"
TRIAL_GRAPH = sparql_prologue() + "CONSTRUCT WHERE { kg:echocrt crtkg:registryNumber ?n }"
