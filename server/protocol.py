"""What a SPARQL request asks, what the engine replies, and content negotiation between them.

Plain data, so a request can cross to a query worker process and its reply come back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from graph.results import BY_MEDIA_TYPE, BY_NAME, FORMATS, RECORDS, Format, named_format
from graph.sparql_text import has_keyword, is_update, keywords_only

# What /api offers: records by default, SPARQL JSON and CSV too; RDF for CONSTRUCT queries.
API_FORMATS = (RECORDS, BY_NAME["json"], BY_NAME["csv"],
               *(f for f in FORMATS if f.rdf is not None))


class HttpError(Exception):
    """A request the server refuses, with the status, the message the client sees and any
    headers that go with it (Retry-After on 429 and 503)."""

    def __init__(self, status: int, message: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, dict(headers or {})

    def __reduce__(self) -> tuple[type[HttpError], tuple[int, str, dict[str, str]]]:
        # a refusal crosses from the pool to a web process as what the client is told
        return HttpError, (self.status, self.message, self.headers)


def update_refused() -> HttpError:
    return HttpError(403, "SPARQL Update is refused: this endpoint is read-only "
                          "(the graph changes only by `crtkg build`)")


def refuse_unsafe(text: str) -> None:
    """Refuse what a public read-only endpoint must not do: change the graph, or send
    requests to other hosts (SERVICE would, from inside the network it runs in)."""
    bare = keywords_only(text)
    if is_update(bare):
        raise update_refused()
    if has_keyword(bare, "SERVICE"):
        raise HttpError(400, "SERVICE (federated query) is not allowed on this endpoint: it "
                             "would make the server send requests to other hosts")


@dataclass(frozen=True)
class QueryRequest:
    """One query with its dataset, inference switch, wanted format and row cap."""

    query: str
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    infer: bool = True
    accept: str = "*/*"
    formats: tuple[str, ...] = ()  # the values of `format`, `output` and `results`, in order
    cap: int | None = None
    substitutions: tuple[tuple[ox.Variable, ox.NamedNode | ox.Literal], ...] = ()
    api: bool = False  # the REST API's formats (records first) instead of the protocol's
    hidden: tuple[str, ...] = ()  # variables left out of the answer: a named query's parameters
    max_bytes: int | None = None  # the answer is cut before its text passes this size
    base_iri: str | None = None  # what the query's relative IRIs resolve against


@dataclass(frozen=True)
class Reply:
    """The answer as bytes, or the error status and message."""

    status: int
    body: bytes = b""
    media_type: str = "text/plain; charset=utf-8"
    cut_at: int | None = None  # the rows (or triples) kept, when a limit cut the answer
    # One per IRI of the project's namespaces that the query names and the graph lacks: the
    # query runs all the same, and this says why it may find nothing.
    warnings: tuple[str, ...] = ()

    @classmethod
    def error(cls, err: HttpError) -> Reply:
        return cls(err.status, error_text(err.status, err.message).encode())


@dataclass(frozen=True)
class Failure:
    """What a worker replies when answering raised an error that is not the query's fault:
    the traceback, for the web process to log under an error id; the client gets a 500."""

    cause: str


def error_text(status: int, message: str) -> str:
    """An error as plain text a person can read in curl or in the web page.

    >>> error_text(429, "too many queries")
    '429 Too Many Requests: too many queries\\n'
    """
    return f"{status} {HTTPStatus(status).phrase}: {message}\n"


@lru_cache(maxsize=256)  # clients repeat the same few Accept headers; parsing one is not free
def negotiate(answers: str, accept: str, requested: tuple[str, ...] = (),
              api: bool = False) -> Format:
    """The format for an answer of this kind: the first of the `requested` values (the
    `format`, `output` and `results` parameters) that names one, else the Accept header.

    A requested value is a format's name, a name other clients use (graph.results
    FORMAT_NAMES) or a media type; a comma-separated list of them counts as one value each.
    Accept q-values and wildcards count; on a tie the first format of FORMATS wins. Raises
    HttpError 406 when no format of this kind is acceptable, naming the ones there are.
    """
    offered = [f for f in (API_FORMATS if api else FORMATS) if f.answers == answers]
    names = ", ".join(f"{f.name} ({f.media_type})" for f in offered)
    by_type = {f.media_type: f for f in offered}
    if not api:
        by_type = {m: f for m, f in BY_MEDIA_TYPE.items() if f.answers == answers}
    values = [v.strip() for value in requested for v in value.split(",") if v.strip()]
    if values:
        for value in values:
            fmt = {f.name: f for f in offered}.get(value) or by_type.get(value) or \
                named_format(answers, value)
            if fmt is not None and fmt in offered:
                return fmt
        raise HttpError(406, f"format={', '.join(values)} is not available for this answer; "
                             f"the answer ({answers}) can be had as: {names}")
    # Parameters such as charset=utf-8 do not choose a format here; werkzeug would let them
    # rule a media type out.
    ranges = [(value.split(";")[0].strip(), q)
              for value, q in parse_accept_header(accept or "*/*", MIMEAccept)]
    best = MIMEAccept(ranges).best_match(list(by_type))
    if best is None:
        raise HttpError(406, f"nothing in 'Accept: {accept}' can carry this answer "
                             f"({answers}); it can be had as: {names}")
    return by_type[best]
