"""The fixtures: the graph built once per test session, its store, the web application, a
live server and a private copy of the sources. Shared plain helpers are in helpers.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.artifact import BuildSummary, build, open_store
from graph.load import SourcePaths
from server import create_app
from server.settings import Settings
from server.state import app_state
from tests.helpers import ROOT, log_lines, start_server


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildSummary:
    artifact = tmp_path_factory.mktemp("build") / "crtkg.nq"
    return build(SourcePaths(ROOT), artifact, force=True)


@pytest.fixture(scope="session")
def store(built: BuildSummary) -> ox.Store:
    return open_store(built.artifact)


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


