"""What the application sets up once and every request reads, and the typed way to reach it.

`create_app` keeps an AppState in `app.extensions`; a view reads it with `app_state()`, a
test or a script with `app_state(app)`: typed, where `app.extensions[...]` is Any.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flask import Flask, current_app

if TYPE_CHECKING:  # types only: the modules of these import this one for `app_state()`
    import pyoxigraph as ox

    from graph.catalogue import NamedQuery
    from graph.sparql_messages import KnownIris
    from server.description import Statistics
    from server.evidence_map import LazyMap
    from server.protocol import QueryRequest, Reply
    from server.settings import Settings
    from server.sparql import AnswerCache

EXTENSION = "crtkg"  # the key of the state in app.extensions


class Pool(Protocol):
    """Where queries run: a QueryPool of the app's own, or a PoolClient of the pool that
    the main process shares among its web processes (server.shared_pool)."""

    artifact: Path  # the pool's private copy of the artifact, the graph it serves

    def run(self, request: QueryRequest, client: str = "-") -> Reply: ...

    def close(self) -> None: ...


@dataclass
class AppState:
    """Set up once per application, never changed while serving."""

    settings: Settings
    pool: Pool
    cache: AnswerCache
    statistics: Statistics
    examples: list[NamedQuery]
    graph_tag: str  # identifies the served graph: the build's sources digest
    page_tag: str  # the graph and the pages' own code: an upgrade changes pages' ETags
    store: ox.Store  # for /explain's bounded lookups; user queries go to the pool's workers
    known_iris: KnownIris  # to warn of a query's crtkg: and kg: IRIs that the graph lacks
    evidence_map: LazyMap  # drawn from `store` when first asked for (matplotlib is slow to load)


def app_state(app: Flask | None = None) -> AppState:
    """The state of `app`, by default of the application handling this request."""
    found = (app or current_app).extensions[EXTENSION]
    if not isinstance(found, AppState):
        raise TypeError(f"app.extensions[{EXTENSION!r}] is not an AppState: the app was not "
                        "made by server.create_app")
    return found
