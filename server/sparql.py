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

from flask import Blueprint, Response, current_app, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from graph.results import TRIPLES, Collected, write
from server.description import service_description
from server.protocol import HttpError, QueryRequest, Reply, negotiate, update_refused

bp = Blueprint("sparql", __name__)

FORM, QUERY_BODY, UPDATE_BODY = ("application/x-www-form-urlencoded", "application/sparql-query",
                                 "application/sparql-update")
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    state = current_app.extensions["crtkg"]
    query = read_query_request(state.settings.max_request_bytes, state.settings.max_rows)
    if query is None:
        return describe_service()
    return answer(query)


def answer(query: QueryRequest) -> Response:
    """The answer to a query: 304 if the client has it, else from the cache or a worker."""
    state = current_app.extensions["crtkg"]
    etag = state.etag(query)
    if etag in request.if_none_match:
        return Response(status=304, headers={"ETag": f'"{etag}"', "Vary": "Accept"})
    reply = state.cache.get(query)
    if reply is None:
        reply = state.pool.run(query)
        state.cache.put(query, reply)
    return reply_response(reply, etag, query.cap)


def read_query_request(max_bytes: int, cap: int) -> QueryRequest | None:
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
        format=params.get("format") or None,
        cap=cap)


def boolean(params: MultiDict, name: str, default: bool = True) -> bool:
    value = params.get(name)
    if value is None:
        return default
    if value.lower() not in BOOLEANS:
        raise HttpError(400, f"{name}={value!r}: expected true or false")
    return BOOLEANS[value.lower()]


def reply_response(reply: Reply, etag: str, cap: int | None) -> Response:
    response = Response(reply.body, status=reply.status, content_type=with_charset(
        reply.media_type))
    if reply.status == 200:
        response.headers["ETag"] = f'"{etag}"'
        response.headers["Cache-Control"] = "no-cache"  # revalidate: cheap 304 by ETag
    response.headers["Vary"] = "Accept"
    if reply.truncated:
        # Virtuoso's header for "the answer was cut at this many rows".
        response.headers["X-SPARQL-MaxRows"] = str(cap)
    return response


def with_charset(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("xml", "json"))
    return f"{media_type}; charset=utf-8" if textual and "charset" not in media_type else media_type


def describe_service() -> Response:
    """The Service Description in the RDF format asked for; browsers go to the web page."""
    best = request.accept_mimetypes.best_match(["text/turtle", "text/html"])
    if best == "text/html" and "format" not in request.args:
        return redirect(url_for("pages.index"))
    fmt = negotiate(TRIPLES, request.headers.get("Accept", "*/*"), request.args.get("format"))
    state = current_app.extensions["crtkg"]
    key = ("service description", request.base_url, fmt.name)  # base URL: the sd:endpoint
    body = state.cache.get(key)
    if body is None:
        triples = service_description(state.statistics, request.base_url)
        body = write(Collected(TRIPLES, triples=triples), fmt)
        state.cache.put(key, body)
    return Response(body, content_type=with_charset(fmt.media_type), headers={"Vary": "Accept"})


class AnswerCache:
    """The most recently used answers, by request; thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            reply = self._items.get(key)
            if reply is not None:
                self._items.move_to_end(key)
            return reply

    def put(self, key: Hashable, reply: Any) -> None:
        if self.size == 0:
            return
        with self._lock:
            self._items[key] = reply
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def etag_for(graph_tag: str, query: QueryRequest) -> str:
    """Same graph and same request, same answer: the ETag needs no answer to be computed."""
    return hashlib.sha256(f"{graph_tag}\n{query!r}".encode()).hexdigest()[:32]
