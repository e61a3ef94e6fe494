"""GET /explain?s=&p=&o=[&depth=]: why a triple is in the graph, as JSON or an HTML page.

The proof tree comes from graph.explain over the store create_app loaded: a few point
lookups per step, bounded by the depth, so it runs in the web process and not in a query
worker. A malformed term is a 400 naming the parameter, a triple in no graph a 404.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template, request

from graph.explain import DEFAULT_DEPTH, NotInGraph, TermError, explain, parse_term
from graph.namespaces import shorten
from server.protocol import HttpError
from server.state import app_state

bp = Blueprint("explain", __name__)

MAX_DEPTH = 20
MEDIA_TYPES = ("application/json", "text/html")


@bp.route("/explain")
def explain_triple() -> Response | str:
    wanted = request.accept_mimetypes.best_match(MEDIA_TYPES)
    if wanted is None:
        raise HttpError(406, f"/explain answers {' or '.join(MEDIA_TYPES)}; the Accept header "
                             f"asks for {request.headers.get('Accept')}")
    terms = []
    for name, literal in (("s", False), ("p", False), ("o", True)):
        value = request.args.get(name)
        if value is None:
            raise HttpError(400, f"parameter {name} is missing; /explain?s=...&p=...&o=... "
                                 "takes CURIEs, IRIs or (for o) a literal")
        try:
            terms.append(parse_term(value, name, literal))
        except TermError as err:
            raise HttpError(400, f"parameter {err}") from err
    depth = _depth(request.args.get("depth"))
    try:
        s, p, o = terms
        proof = explain(app_state().store, s, p, o, depth=depth)
    except NotInGraph as err:
        raise HttpError(404, str(err)) from err
    message = (f"{proof.text} is asserted in {proof.graph}" if proof.asserted
               else f"{proof.text} is inferred, {len(proof.steps)} way(s)")
    if wanted == "text/html":
        return render_template("explain.html", proof=proof, message=message, depth=depth,
                               pages=pages)
    return jsonify({"message": message, "depth": depth, "proof": proof.as_json()})


def pages(triple: tuple) -> list[tuple[str, str]]:
    """The pages of a step's terms that have one here (the project's IRIs): CURIE, path."""
    from server.resource import local_path

    found = [(shorten(t.value), local_path(t.value)) for t in triple
             if isinstance(t, ox.NamedNode)]
    return [(curie, path) for curie, path in dict.fromkeys(found) if path is not None]


def _depth(text: str | None) -> int:
    if text is None:
        return DEFAULT_DEPTH
    if not text.isdigit() or not 0 <= int(text) <= MAX_DEPTH:
        raise HttpError(400, f"parameter depth={text!r}: expected a whole number from 0 to "
                             f"{MAX_DEPTH}")
    return int(text)
