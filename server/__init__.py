"""crtkg's HTTP layer: the SPARQL 1.1 endpoint and the web page, over the build artifact.

`create_app(settings)` loads what the server needs once (the dataset's statistics, the named
queries, the query workers); `serve(settings)` runs it in Granian's web processes, over one
pool of query workers.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import signal
from pathlib import Path

from flask import Flask, Response, g, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from graph import __version__
from graph.artifact import open_store, read_header, require_artifact
from graph.catalogue import load_catalogue
from graph.sparql_messages import KnownIris
from server.description import count
from server.evidence_map import LazyMap
from server.logs import configure, log_requests
from server.pool import ClientLimits, QueryPool, WorkerFailed
from server.protocol import HttpError, error_text
from server.query_string import Request
from server.settings import Settings
from server.sparql import WARNING_HEADER, AnswerCache
from server.state import EXTENSION, AppState, Pool


def create_app(settings: Settings, pool: Pool | None = None) -> Flask:
    """The application; its queries go to `pool`, by default a pool of its own."""
    require_artifact(settings.artifact)
    examples = load_catalogue(settings.queries_dir) if settings.queries_dir.is_dir() else []
    pool = pool or new_pool(settings)
    app = Flask(__name__)
    app.request_class = Request  # the URL's parameters decoded in C: a GET query is long
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    store = open_store(pool.artifact)
    tag = graph_tag(pool.artifact)
    app.extensions[EXTENSION] = AppState(  # all read from the pool's own copy of the artifact
        settings=settings, pool=pool,
        cache=AnswerCache(settings.cache_entries, settings.cache_bytes),
        statistics=count(store), examples=examples,
        graph_tag=tag, page_tag=page_tag(tag),
        store=store, known_iris=KnownIris.of(store),
        evidence_map=LazyMap(store, settings.queries_dir))
    # Browser clients such as YASGUI query from other origins; the graph is public and
    # read-only, so any origin may read it, with the headers that carry answer metadata.
    CORS(app, send_wildcard=True, expose_headers=["ETag", "X-SPARQL-MaxRows", WARNING_HEADER],
         max_age=86400)
    from server import api, evidence_map, explain, pages, resource, sparql

    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(explain.bp)
    app.register_blueprint(resource.bp)
    app.register_blueprint(evidence_map.bp)
    # The one place errors become statuses: a refusal its own, anything else 500 with an id.
    app.register_error_handler(HttpError, http_error)
    app.register_error_handler(HTTPException, http_exception)
    app.register_error_handler(Exception, unexpected)
    log_requests(app)
    return app


def new_pool(settings: Settings) -> QueryPool:
    return QueryPool(settings.artifact, settings.workers, settings.timeout,
                     settings.worker_memory_mb,
                     ClientLimits(settings.client_queries, settings.client_waiting,
                                  settings.client_budget))


def graph_tag(artifact: Path) -> str:
    summary = read_header(artifact)
    return summary.digest if summary else hashlib.sha256(artifact.read_bytes()).hexdigest()


def page_tag(graph: str) -> str:
    """The graph's tag with the version and the templates and static files that draw pages,
    so a page cached before an upgrade is not reused after it."""
    digest = hashlib.sha256(f"{graph} {__version__}".encode())
    here = Path(__file__).parent
    for path in sorted([*here.glob("templates/*"), *here.glob("static/*"), *here.glob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def error_response(status: int, message: str) -> Response:
    return Response(error_text(status, message), status=status,
                    content_type="text/plain; charset=utf-8")


def http_error(err: HttpError) -> Response:
    response = error_response(err.status, err.message)
    response.headers.update(err.headers)  # e.g. Retry-After on 429
    return response


errors = logging.getLogger("crtkg.error")


def unexpected(err: Exception) -> Response:
    """A fault of the server's: 500 with an error id, and the cause in the log under it."""
    g.error_id = secrets.token_hex(4)
    where = f"{request.method} {request.path} from {request.remote_addr}"
    if isinstance(err, WorkerFailed):  # the traceback is the worker's, sent as text
        errors.error("error %s: a query worker failed on %s:\n%s", g.error_id, where,
                     err.cause.rstrip(), extra={"error_id": g.error_id})
    else:
        errors.error("error %s: unexpected %s on %s", g.error_id, type(err).__name__, where,
                     exc_info=err, extra={"error_id": g.error_id})
    return error_response(500, f"an unexpected error on the server, error id {g.error_id}; "
                               "the server's log gives its cause under this id")


def http_exception(err: HTTPException) -> Response:
    message = err.description or err.name
    if isinstance(err, MethodNotAllowed):
        message = f"{request.method} is not allowed on {request.path}; use " \
                  f"{' or '.join(sorted(set(err.valid_methods or []) - {'HEAD', 'OPTIONS'}))}"
    response = error_response(err.code or 500, message)
    for name, value in err.get_headers():  # e.g. Allow on 405
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _interrupt(*_: object) -> None:
    """SIGTERM (from a service manager) ends the server like Ctrl-C does, so the cleanup in
    serve() runs and no worker is left behind."""
    raise KeyboardInterrupt


def serve(settings: Settings) -> None:
    """Serve until interrupted: Granian's web processes answer requests, the main process's
    workers run the queries (server.processes)."""
    from server.processes import serve_processes

    signal.signal(signal.SIGTERM, _interrupt)  # Granian handles it once started
    configure(settings.log_format)
    serve_processes(settings)
