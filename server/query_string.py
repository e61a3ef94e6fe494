"""The URL's parameters, decoded by C code: a GET query is a few kilobytes of %-escapes, which
urllib's pure-Python unquote (what werkzeug's `request.args` uses) takes ~0.1 ms to decode.

The result is the same as werkzeug's, invalid UTF-8 left %-encoded included: tests check it
against urllib.parse.parse_qsl with werkzeug's error handler.
"""

from __future__ import annotations

import binascii
import re
import urllib.parse

import flask
from werkzeug.datastructures import MultiDict
from werkzeug.utils import cached_property

ERRORS = "werkzeug.url_quote"  # werkzeug's codec error handler: bad bytes stay %XX
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def unquote(text: str) -> str:
    """What urllib.parse.unquote gives, by binascii's quoted-printable decoder (which reads
    =XX as %XX) where every % starts an escape, else by urllib.

    >>> unquote("SELECT%20%2A%20%7B%7D%20%23%C3%A9"), unquote("50%")
    ('SELECT * {} #é', '50%')
    """
    if "%" not in text:
        return text
    if not text.isascii() or _BAD_ESCAPE.search(text):
        return urllib.parse.unquote(text, errors=ERRORS)
    # Its own = first written as the escape =3D, every = left is one of ours.
    quoted = text.replace("=", "=3D").replace("%", "=")
    return binascii.a2b_qp(quoted).decode("utf-8", ERRORS)


def parse_query_string(text: str) -> list[tuple[str, str]]:
    """The name-value pairs, as urllib.parse.parse_qsl(text, keep_blank_values=True) gives.

    >>> parse_query_string("query=ASK%7B%7D&format=json&infer&&a=b=c")
    [('query', 'ASK{}'), ('format', 'json'), ('infer', ''), ('a', 'b=c')]
    """
    pairs = []
    for field in text.split("&"):
        if not field:
            continue
        name, _, value = field.partition("=")
        pairs.append((unquote(name.replace("+", " ")), unquote(value.replace("+", " "))))
    return pairs


class Request(flask.Request):
    """Flask's request, with `args` parsed by parse_query_string."""

    @cached_property
    def args(self) -> MultiDict[str, str]:  # type: ignore[override]
        return self.parameter_storage_class(parse_query_string(self.query_string.decode()))
