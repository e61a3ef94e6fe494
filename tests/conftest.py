"""Build the graph once per test session; give tests the store and small query helpers."""

from __future__ import annotations

import functools
import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.artifact import BuildSummary, build, open_store
from graph.catalogue import NamedQuery, load_catalogue
from graph.load import SourcePaths
from graph.query import run_query, select_rows, short
from server import create_app
from server.settings import Settings
from server.state import app_state

ROOT = Path(__file__).resolve().parents[1]

# Triples in each named graph of the build, and in their union (no triple is in two).
TRIPLES = {"ontology": 711, "imports": 368, "data": 2632, "mappings": 513, "inferred": 2141}
TOTAL = sum(TRIPLES.values())
ASSERTED = TOTAL - TRIPLES["inferred"]
# graph:derivations, named but not in the default graph, so not in TOTAL.
DERIVATIONS = 32863


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildSummary:
    artifact = tmp_path_factory.mktemp("build") / "crtkg.nq"
    return build(SourcePaths(ROOT), artifact, force=True)


@pytest.fixture(scope="session")
def store(built: BuildSummary) -> ox.Store:
    return open_store(built.artifact)


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


@pytest.fixture(scope="session")
def app(built: BuildSummary) -> Iterator[Flask]:
    """The web application over the session's build, with a short time limit and row cap."""
    settings = Settings.from_env(built.artifact, ROOT / "queries", environ={}, workers=2,
                                 timeout=2.0, max_rows=50)
    application = create_app(settings)
    yield application
    app_state(application).pool.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def good_build(paths: SourcePaths, tmp_path: Path) -> tuple[Path, bytes]:
    """Build a project copy, for tests that break it: the artifact and its bytes, which a
    failed build must leave as they are."""
    artifact = tmp_path / "crtkg.nq"
    build(paths, artifact)
    return artifact, artifact.read_bytes()


@pytest.fixture
def project_copy(tmp_path: Path) -> SourcePaths:
    """A private copy of the sources, for tests that break them."""
    for folder in ("ontology", "graph/data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return SourcePaths(tmp_path)


@pytest.fixture(scope="session")
def live_server(built: BuildSummary) -> Iterator[str]:
    """`crtkg serve` in a process of its own on a free port; yields its base URL."""
    process, base = start_server("--artifact", str(built.artifact), "serve", "--no-build",
                                 "--timeout", "2")
    log_lines(process)  # read, so that a full pipe never blocks the server
    try:
        yield base
    finally:
        process.terminate()
        process.wait(10)


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
               headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
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
        return response.status, dict(response.getheaders()), response.read().decode()
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
            raise RuntimeError(f"crtkg serve exited: {process.stderr and process.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"crtkg serve did not answer {url} within {seconds} s")
