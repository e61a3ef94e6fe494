"""The SPARQL 1.1 Protocol at /sparql: query by GET, POST form or POST sparql-query body.

Read-only: SPARQL Update is refused. Answers are cached, and carry an ETag, for as long as
the server runs, because the graph only changes by a new build and a restart.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse  # what redirect() gives, as Flask types it

from graph.results import TRIPLES, Collected, write
from server.description import service_description
from server.protocol import HttpError, QueryRequest, Reply, negotiate, update_refused
from server.state import app_state

bp = Blueprint("sparql", __name__)

FORM, QUERY_BODY, UPDATE_BODY = ("application/x-www-form-urlencoded", "application/sparql-query",
                                 "application/sparql-update")
# One header per IRI of the project's namespaces that a query names and the graph lacks:
# the query runs all the same, and this says why it may find nothing.
WARNING_HEADER = "X-Crtkg-Warning"
FORMAT_PARAMETERS = ("format", "output", "results")
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> BaseResponse:
    state = app_state()
    settings = state.settings
    query = read_query_request(settings.max_request_bytes, settings.max_rows,
                               settings.max_answer_bytes)
    if query is None:
        return describe_service()
    return respond(query)


def respond(query: QueryRequest) -> Response:
    """The response to a query: 304 if the client has it, else from the cache or a worker."""
    state = app_state()
    etag = etag_for(state.graph_tag, query)
    matches = request.if_none_match  # weak comparison, as RFC 9110 says for If-None-Match
    if request.method in ("GET", "HEAD") and not matches.star_tag and matches.contains_weak(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"', "Vary": "Accept"})
    reply = state.cache.get(query)
    if reply is None:  # the worker refuses what is unsafe, and finds the warnings
        reply = state.pool.run(query, request.remote_addr or "-")  # fair among clients
        state.cache.put(query, reply)
    response = reply_response(reply, etag)
    for warning in reply.warnings:
        # HTTP header values are Latin-1: other characters as SPARQL's own \u escapes
        response.headers.add(WARNING_HEADER, warning.encode("latin-1", "backslashreplace")
                             .decode("latin-1"))
    return response


def read_query_request(max_bytes: int, cap: int,
                       max_answer_bytes: int) -> QueryRequest | None:
    """The request's query and its parameters, or None for a GET without a query."""
    params = MultiDict(request.args)
    queries = params.getlist("query")
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == UPDATE_BODY:
            raise update_refused()
        if mimetype == FORM:
            params.update(request.form)
            queries += request.form.getlist("query")
        elif mimetype == QUERY_BODY:
            queries.append(request.get_data(as_text=True))
        else:
            raise HttpError(415, f"Content-Type {mimetype or '(none)'} is not accepted; "
                                 f"POST a query as {FORM} or {QUERY_BODY}")
    if "update" in params:
        raise update_refused()
    if len(queries) > 1:
        raise HttpError(400, f"{len(queries)} queries in one request; send one query at a time")
    if not queries:
        if request.method == "POST":
            raise HttpError(400, "no query: send it as the `query` parameter or as a "
                                 f"{QUERY_BODY} body")
        return None
    if len(queries[0].encode()) > max_bytes:
        raise HttpError(413, f"the query is longer than {max_bytes} bytes, the server's limit "
                             "(CRTKG_MAX_REQUEST_BYTES)")
    return QueryRequest(
        query=queries[0],
        default_graph=tuple(params.getlist("default-graph-uri")) or None,
        named_graphs=tuple(params.getlist("named-graph-uri")) or None,
        infer=boolean(params, "infer"),
        accept=request.headers.get("Accept", "*/*"),
        formats=format_values(params), cap=cap, max_bytes=max_answer_bytes,
        base_iri=request.base_url)  # relative IRIs name things at the endpoint, as Fuseki's do


def format_values(params: MultiDict) -> tuple[str, ...]:
    """What the client asked for in `format`, `output` or `results`, in that order: clients
    differ in which they send (Virtuoso reads `format`, Fuseki `output`), and SPARQLWrapper
    sends all three, some twice."""
    return tuple(v for name in FORMAT_PARAMETERS for v in params.getlist(name) if v)


def boolean(params: MultiDict, name: str, default: bool = True) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if value.lower() not in BOOLEANS:
        raise HttpError(400, f"{name}={value!r}: expected true or false")
    return BOOLEANS[value.lower()]


def reply_response(reply: Reply, etag: str) -> Response:
    response = Response(reply.body, status=reply.status, content_type=with_charset(
        reply.media_type))
    if reply.status == 200:
        response.headers["ETag"] = f'"{etag}"'
        response.headers["Cache-Control"] = "no-cache"  # revalidate: cheap 304 by ETag
    response.headers["Vary"] = "Accept"
    if reply.cut_at is not None:
        # Virtuoso's header for "the answer was cut at this many rows".
        response.headers["X-SPARQL-MaxRows"] = str(reply.cut_at)
    return response


def with_charset(media_type: str) -> str:
    """The media type with `charset=utf-8` if it is text and does not say its charset.

    >>> with_charset("text/csv"), with_charset("application/sparql-results+json")
    ('text/csv; charset=utf-8', 'application/sparql-results+json; charset=utf-8')
    >>> with_charset("image/png"), with_charset("text/turtle; charset=utf-8")
    ('image/png', 'text/turtle; charset=utf-8')
    """
    textual = media_type.startswith("text/") or media_type.endswith(("xml", "json"))
    return f"{media_type}; charset=utf-8" if textual and "charset" not in media_type else media_type


def describe_service() -> BaseResponse:
    """The Service Description in the RDF format asked for; browsers go to the web page."""
    best = request.accept_mimetypes.best_match(["text/turtle", "text/html"])
    asked = format_values(request.args)
    if best == "text/html" and not asked:
        return redirect(url_for("pages.index"))
    fmt = negotiate(TRIPLES, request.headers.get("Accept", "*/*"), asked)
    state = app_state()
    key = ("service description", request.base_url, fmt.name)  # base URL: the sd:endpoint
    body = state.cache.get(key)
    if body is None:
        triples = service_description(state.statistics, request.base_url)
        body = write(Collected(TRIPLES, triples=triples), fmt)
        state.cache.put(key, body)
    return Response(body, content_type=with_charset(fmt.media_type), headers={"Vary": "Accept"})


class AnswerCache:
    """The most recently used answers (bytes, or replies that carry them), by request, within
    a number of entries and a number of bytes; an answer over an eighth of the bytes is not
    kept. Thread-safe."""

    def __init__(self, size: int, max_bytes: int) -> None:
        self.size, self.max_bytes, self._bytes = size, max_bytes, 0
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            reply = self._items.get(key)
            if reply is not None:
                self._items.move_to_end(key)
            return reply

    def put(self, key: Hashable, reply: Any) -> None:
        size = _size(reply)
        if self.size == 0 or size > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._items:
                self._bytes -= _size(self._items.pop(key))
            self._items[key] = reply
            self._bytes += size
            while len(self._items) > self.size or self._bytes > self.max_bytes:
                self._bytes -= _size(self._items.popitem(last=False)[1])


def _size(item: Any) -> int:
    return len(item.body if isinstance(item, Reply) else item)


def etag_for(graph_tag: str, query: QueryRequest) -> str:
    """Same graph and same request, same answer: the ETag needs no answer to be computed."""
    return hashlib.sha256(f"{graph_tag}\n{query!r}".encode()).hexdigest()[:32]
