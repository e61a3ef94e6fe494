"""The URL's parameters as werkzeug would decode them, by the faster decoder."""

from __future__ import annotations

import urllib.parse

import werkzeug.urls  # noqa: F401  (registers werkzeug's codec error handler)
from hypothesis import given
from hypothesis import strategies as st

from server.query_string import ERRORS, parse_query_string, unquote

# What a query string holds: escapes good and bad, separators, and any character.
PIECES = st.one_of(st.sampled_from(["%", "%2", "%20", "%3D", "%c3%a9", "%C3", "%ff", "%zz", "=",
                                    "&", "+", "=3D", "==", "&&", "\\", "\n", "é"]),
                   st.text(max_size=4))


@given(st.lists(PIECES, max_size=30).map("".join))
def test_the_same_pairs_as_urllib_with_werkzeugs_errors(text: str) -> None:
    assert parse_query_string(text) == urllib.parse.parse_qsl(text, keep_blank_values=True,
                                                              errors=ERRORS)


@given(st.text())
def test_quoted_text_comes_back_whole(text: str) -> None:
    assert unquote(urllib.parse.quote(text)) == text


def test_a_request_decodes_its_query_the_same_way(client) -> None:
    answer = client.get("/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o } # =%é"),
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200 and answer.json == {"head": {}, "boolean": True}
    bad = client.get("/sparql?query=ASK%7B%7D&infer=%ff")  # not UTF-8: kept as an escape
    assert bad.status_code == 400
    assert "infer='%FF': expected true or false" in bad.get_data(as_text=True)
