"""The evidence map at /map.svg and the CSV behind it at /map.csv, drawn once, when first
asked for, from the served graph (see graph/evidence_map.py); the home page shows the SVG
inline, so that its cells' links work."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, request

from graph import evidence_map
from graph.errors import CrtkgError
from server.protocol import HttpError
from server.state import app_state

bp = Blueprint("evidence_map", __name__)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DrawnMap:
    svg: bytes
    emap: evidence_map.EvidenceMap  # for the CSV, whose links are absolute

    def inline(self) -> str:
        """The SVG as an element for an HTML page: without its XML prolog and DOCTYPE."""
        text = self.svg.decode()
        return text[text.index("<svg"):]


class LazyMap:
    """The map of the served graph, drawn at its first use (the graph does not change while
    it is served); None, logged, where its named queries are missing."""

    def __init__(self, store: ox.Store, queries_dir: Path) -> None:
        self._store, self._queries_dir = store, queries_dir
        self._lock = threading.Lock()
        self._drawn: DrawnMap | None = None
        self._done = False

    def get(self) -> DrawnMap | None:
        with self._lock:
            if not self._done:
                self._drawn, self._done = self._draw(), True
            return self._drawn

    def _draw(self) -> DrawnMap | None:
        try:
            emap = evidence_map.evidence_map(self._store, self._queries_dir)
        except CrtkgError as err:
            log.warning("no evidence map: %s", err)
            return None
        # The cells link to the home page, which is "./" from both the home page and
        # /map.svg, wherever the application is mounted.
        return DrawnMap(evidence_map.draw(emap, "svg", "./"), emap)


@bp.get("/map.svg")
def map_svg() -> Response:
    return served(drawn().svg, "image/svg+xml", "svg")


@bp.get("/map.csv")
def map_csv() -> Response:
    # A downloaded CSV has no page to be relative to: its links name this server.
    return served(drawn().emap.csv(request.url_root).encode(), "text/csv; charset=utf-8",
                  "csv")


def drawn() -> DrawnMap:
    found = app_state().evidence_map.get()
    if found is None:
        raise HttpError(404, "the evidence map is not drawn: its named queries "
                             f"({evidence_map.CELLS_QUERY}, {evidence_map.AXES_QUERY}) "
                             "are not installed")
    return found


def served(body: bytes, content_type: str, kind: str) -> Response:
    # The map changes only with the graph, which changes only by a new build and a restart.
    response = Response(body, content_type=content_type)
    response.set_etag(f"{app_state().page_tag}-map-{kind}")
    response.make_conditional(request)  # turns itself into the 304 where the client has it
    return response
