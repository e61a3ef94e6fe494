"""What a person reads when a query goes wrong: a SPARQL syntax error shown at its line with
a caret and the parser's expectation in words, whether typed at the CLI or read from a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from graph.catalogue import read_named_query
from graph.errors import SourceError
from graph.namespaces import PREFIXES
from tests.helpers import ROOT

DECLARED = ", ".join(PREFIXES)

# A query with a syntax error, and the message after "crtkg: error: ".
SYNTAX_ERRORS = [
    ("SELECT * WHERE { ?s crtkg:reportsFinding ?o",
     'SPARQL syntax error at line 1, column 44:\n'
     '  SELECT * WHERE { ?s crtkg:reportsFinding ?o\n'
     '                                             ^\n'
     'the query ends here; expected "}" or more of the triple pattern ("," "." ";"), "{", '
     '"{|", "~" or a name character'),
    # the error on line 3, after a line with non-ASCII text: columns count characters
    ('SELECT ?s WHERE {\n  ?s rdfs:label "Über Ärzte" .\n  ?s crtkg:reportsFinding ?o )\n}',
     'SPARQL syntax error at line 3, column 30:\n'
     '    ?s crtkg:reportsFinding ?o )\n'
     '                               ^\n'
     'unexpected ")"'),
    ('SELECT * WHERE { ?s rdfs:label "Ärzte" ; ?p ?o ) }',
     'SPARQL syntax error at line 1, column 48:\n'
     '  SELECT * WHERE { ?s rdfs:label "Ärzte" ; ?p ?o ) }\n'
     '                                                 ^\n'
     'unexpected ")"'),
    ("SELECT * WHERE { ?s ?p ?o } LIMT 3",
     'SPARQL syntax error at line 1, column 29:\n'
     '  SELECT * WHERE { ?s ?p ?o } LIMT 3\n'
     '                              ^\n'
     'unexpected "LIMT"'),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT x",
     'SPARQL syntax error at line 1, column 35:\n'
     '  SELECT * WHERE { ?s ?p ?o } LIMIT x\n'
     '                                    ^\n'
     'expected HAVING, OFFSET, OPTIONAL, VALUES or a digit'),
    ("SELECT (COUNT(?s) AS ?n WHERE { ?s ?p ?o }",
     'SPARQL syntax error at line 1, column 25:\n'
     '  SELECT (COUNT(?s) AS ?n WHERE { ?s ?p ?o }\n'
     '                          ^\n'
     'expected ")"'),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  ?s foo:bar ?o }",
     'SPARQL syntax error at line 3, column 6:\n'
     '    ?s foo:bar ?o }\n'
     '       ^\n'
     f"unknown prefix 'foo:'; declared prefixes are {DECLARED} (or add PREFIX foo: <...>)"),
    ("SELECT * WHERE { ?s ?p 'a quote }",
     'SPARQL syntax error at line 1, column 34:\n'
     "  SELECT * WHERE { ?s ?p 'a quote }\n"
     '                                   ^\n'
     'the query ends here; expected "\'", "\\", "\\U" or "\\u"'),
]


@pytest.mark.parametrize(("text", "message"), SYNTAX_ERRORS)
def test_a_syntax_error_shows_the_line_a_caret_and_what_was_expected(
        built, capsys, text: str, message: str) -> None:
    status = main(["--root", str(ROOT), "--artifact", str(built.artifact), "query", text])
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    assert err == f"crtkg: error: {message}\n"


def test_a_query_file_names_file_line_and_column_and_shows_the_caret(tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("#+ summary: broken\n\nSELECT ?x WHERE {\n  ?x rdfs:label ?y )\n}\n")
    with pytest.raises(SourceError) as caught:
        read_named_query(path)
    assert str(caught.value) == (f'{path}:4:20: SPARQL syntax error: unexpected ")"\n'
                                 "    ?x rdfs:label ?y )\n"
                                 "                     ^")
