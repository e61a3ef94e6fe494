"""The REST API over the named queries: /api/queries lists them, /api/queries/NAME runs one
with its parameters as query-string arguments, /api/openapi.json describes it all (OpenAPI 3,
generated from the query files) and /api/ renders that description for people."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from graph import __version__
from graph.catalogue import NamedQuery, Parameter, ParameterError, shorten_all
from graph.identifiers import IRI_PATTERN
from graph.sparql_messages import unknown_name
from server.protocol import HttpError, QueryRequest
from server.sparql import boolean, respond
from server.state import app_state

bp = Blueprint("api", __name__, url_prefix="/api")

RESERVED = ("infer", "format")  # arguments of every query, not parameters of one


@bp.get("/queries")
def list_queries() -> Response:
    return jsonify([query_json(q) for q in catalogue().values()])


@bp.get("/queries/<name>")
def run(name: str) -> Response:
    query = catalogue().get(name)
    if query is None:
        raise HttpError(404, unknown_name(name, catalogue(), url_for("api.list_queries")))
    repeated = [k for k in request.args if len(request.args.getlist(k)) > 1]
    if repeated:
        raise HttpError(400, f"parameter {repeated[0]} is given more than once")
    given = {k: v for k, v in request.args.items() if k not in RESERVED}
    try:
        substitutions = query.bind(given)
    except ParameterError as err:
        raise HttpError(400, str(err)) from None
    state = app_state()
    return respond(QueryRequest(
        query=query.text, infer=boolean(request.args, "infer"),
        accept=request.headers.get("Accept", "*/*"),
        formats=tuple(request.args.getlist("format")),
        cap=state.settings.max_rows, substitutions=tuple(substitutions.items()), api=True,
        hidden=tuple(p.variable for p in query.parameters),
        max_bytes=state.settings.max_answer_bytes))


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(openapi(list(catalogue().values())))


@bp.get("/")
def docs() -> str:
    return render_template("api.html", spec=openapi(list(catalogue().values())))


def catalogue() -> dict[str, NamedQuery]:
    return {q.name: q for q in app_state().examples}


def query_json(query: NamedQuery) -> dict:
    """A named query as /api/queries lists it."""
    return {"name": query.name, "summary": query.summary, "description": query.description,
            "tags": list(query.tags), "url": url_for("api.run", name=query.name),
            "parameters": [parameter_json(p) for p in query.parameters]}


def parameter_json(p: Parameter) -> dict:
    """A parameter as /api/queries lists it, and as the web page's form reads it: the
    allowed values (if enumerated) as CURIEs where a prefix fits."""
    return {"name": p.name, "type": p.kind, "required": p.required,
            **({"values": shorten_all(p.values)} if p.values else {})}


def openapi(queries: list[NamedQuery]) -> dict:
    """The OpenAPI 3.0 description of the API, one operation per named query."""
    paths = {"/queries": {"get": {
        "operationId": "listQueries", "summary": "The named queries, with their parameters",
        "responses": {"200": {"description": "the queries", "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}}}}
    for q in queries:
        paths[f"/queries/{q.name}"] = {"get": operation(q)}
    return {"openapi": "3.0.3",
            "info": {"title": "crtkg named queries", "version": __version__,
                     "description": "Questions about the evidence on imaging in cardiac "
                                    "resynchronization therapy, answered from the crtkg graph."},
            "servers": [{"url": url_for("api.docs").rstrip("/")}],
            "paths": paths}


def operation(q: NamedQuery) -> dict:
    records = {"type": "array", "items": {"type": "object",
                                          "additionalProperties": {"type": "string"}}}
    text = {"schema": {"type": "string"}}
    return {
        "operationId": q.name, "summary": q.summary, "description": q.description,
        "tags": list(q.tags),
        "parameters": [*(openapi_parameter(p) for p in q.parameters),
                       {"name": "infer", "in": "query", "required": False,
                        "description": "false leaves out what the reasoner inferred",
                        "schema": {"type": "string", "enum": ["true", "false"]}}],
        "responses": {
            "200": {"description": "the answer: a list of records by default; CSV, SPARQL "
                                   "JSON (or RDF for CONSTRUCT) by Accept",
                    "content": {"application/json": {"schema": records}, "text/csv": text,
                                "application/sparql-results+json": {"schema": {
                                    "type": "object"}}}},
            "400": {"description": "a parameter is missing, of the wrong type or not allowed",
                    "content": {"text/plain": text}},
            "406": {"description": "no acceptable format", "content": {"text/plain": text}},
            "429": {"description": "this client has its share of the query workers in use, "
                                   "or has spent its worker time for the minute; Retry-After "
                                   "says when to send again",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"text/plain": text}},
            "500": {"description": "an unexpected error; the body's error id is in the "
                                   "server's log", "content": {"text/plain": text}},
            "503": {"description": "the query overran the time limit, or no query worker came "
                                   "free in time", "content": {"text/plain": text}}}}


def openapi_parameter(p: Parameter) -> dict:
    """A parameter as an OpenAPI Parameter Object: where it goes, its schema, its meaning."""
    schema: dict = {"type": "integer"} if p.kind == "integer" else {"type": "string"}
    if p.values:
        schema["enum"] = shorten_all(p.values)
    elif p.kind == "iri":
        schema["pattern"] = f"^{IRI_PATTERN}$"
    described = {"iri": "an IRI, or a CURIE of the project's prefixes",
                 "language": f"text in language '{p.language}'", "string": "text",
                 "integer": "an integer", "datatype": f"a literal of type <{p.datatype}>"}
    return {"name": p.name, "in": "query", "required": p.required,
            "description": described[p.kind], "schema": schema}
