"""What a person is told about a SPARQL query: where its syntax breaks, and which of its IRIs
the graph does not hold. The one place these messages are worded, for the CLI, the server
and the query files alike.

Oxigraph reports a syntax error as `error at LINE:COLUMN: expected one of ...`, the column
counted in characters of the user's text (predeclared prefixes are passed apart from it, so
lines are the user's own). Its position is the farthest its parser got on any alternative,
which is often past the real mistake (for a stray `)` mid-query, the end of the text);
rdflib's parser, asked only once Oxigraph has failed, usually stops at the offending token,
so its position wins when it is the earlier one.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from graph.namespaces import CRTKG, KG, PREFIXES, shorten
from graph.sparql_text import declared_prefixes, iris_in, prefixed_names

_WHERE = re.compile(r"error at (\d+):(\d+): (?:expected )?")
# One expectation of Oxigraph's list: a quoted token, a character class, or a word.
_EXPECTATION = re.compile(r'"(?:[^"\\]|\\.)*"'  # "token"
                          r"|\[(?:[^\]\\']|\\.|'(?:[^'\\]|\\.)*')*\]"  # ['a' ..= 'z' | '_']
                          r"|[^,\s][^,]*")  # a word
_TRIPLE_PATTERN = ('","', '"."', '";"')
# Words that begin a clause or term of SPARQL: rdflib stopping at one says less than Oxigraph.
KEYWORDS = frozenset((
    "SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "FROM", "NAMED", "PREFIX", "BASE",
    "DISTINCT", "REDUCED", "AS", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE",
    "SILENT", "BIND", "VALUES", "UNDEF", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC",
    "LIMIT", "OFFSET", "NOT", "IN", "EXISTS", "A", "TRUE", "FALSE", "LATERAL"))
EXCERPT = 72  # characters of the offending line shown around the caret


@dataclass(frozen=True)
class SyntaxProblem:
    """A SPARQL syntax error located in the user's text: 1-based line and column (in
    characters), the line itself and what the parser wanted there."""

    line: int
    column: int
    source_line: str
    reason: str

    def excerpt(self) -> str:
        """The offending line, indented, with a caret under the column."""
        text, column = _window(self.source_line, self.column)
        return f"  {text}\n  {_pad(text[:column - 1])}^"

    def text(self) -> str:
        """The whole message, for a query typed at the CLI or sent to the endpoint:

        SPARQL syntax error at line 1, column 34:
          SELECT * WHERE { ?s crtkg:nope ?o
                                           ^
        expected "}" or more of the triple pattern ("," "." ";"), ...
        """
        return (f"SPARQL syntax error at line {self.line}, column {self.column}:\n"
                f"{self.excerpt()}\n{self.reason}")


RELATIVE_IRI = ("a relative IRI (or one that is not a valid IRI) and no base to resolve it "
                "against: write the IRI in full, or start the query with BASE <...>")


def syntax_problem(query: str, err: SyntaxError) -> SyntaxProblem:
    """Oxigraph's syntax error of `query` as a person reads it: where, and what was wanted.

    >>> try:
    ...     ox.Store().query("SELECT * WHERE { ?s ?p ?o ) }")
    ... except SyntaxError as err:
    ...     print(syntax_problem("SELECT * WHERE { ?s ?p ?o ) }", err).text())
    SPARQL syntax error at line 1, column 27:
      SELECT * WHERE { ?s ?p ?o ) }
                                ^
    unexpected ")"
    """
    message = str(err)
    where = _WHERE.match(message)
    lines = query.split("\n")
    if where is None:  # not a position we can show: pass the engine's words on
        return SyntaxProblem(1, 1, lines[0] if lines else "", message)
    line, column = int(where[1]), int(where[2])
    expected = _expectations(message[where.end():])
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    unknown = _unknown_prefix(query)
    if unknown is not None:  # Oxigraph says so only sometimes, and not always where
        return unknown
    earlier = _rdflib_position(query)
    if earlier is not None and earlier < (line, column):
        token = _stray_token(lines[earlier[0] - 1][earlier[1] - 1:])
        if token is not None:
            return SyntaxProblem(*earlier, lines[earlier[0] - 1], f'unexpected "{token}"')
    if "IRI parsing failed" in expected:  # Oxigraph's words for a relative IRI without a base
        return SyntaxProblem(line, column, source_line, RELATIVE_IRI)
    at_end = not "\n".join([source_line[column - 1:], *lines[line:]]).strip()
    return SyntaxProblem(line, column, source_line, _expected_text(expected, at_end))


def _expectations(listing: str) -> list[str]:
    listing = listing.removeprefix("one of ")
    return [m[0].strip() for m in _EXPECTATION.finditer(listing)]


def _expected_text(expected: list[str], at_end: bool) -> str:
    """Oxigraph's expectations in words: quoted tokens kept, keywords kept, character classes
    named ("a name character", "a digit"), the triple pattern's separators grouped."""
    words: list[str] = []
    # Tokens as a person types them: Oxigraph escapes a backslash in its quotes.
    tokens = [re.sub(r"\\(.)", r"\1", e) for e in expected if e.startswith('"')]
    if all(t in tokens for t in _TRIPLE_PATTERN):
        tokens = [t for t in tokens if t not in _TRIPLE_PATTERN]
        closing = [t for t in tokens if t == '"}"']
        tokens = [t for t in tokens if t != '"}"']
        words.append(" or ".join([*closing, 'more of the triple pattern ("," "." ";")']))
    words += tokens
    words += [e for e in expected if not e.startswith(('"', "["))]
    for kind in (_character_class(e) for e in expected if e.startswith("[")):
        if kind and kind not in words and not (kind == '"_"' and "a name character" in words):
            words.append(kind)
    if not words:
        return "the query ends here, too soon" if at_end else "unexpected text"
    listed = ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]
    return ("the query ends here; " if at_end else "") + f"expected {listed}"


def _character_class(text: str) -> str | None:
    """A character class of Oxigraph's message in words; None for [_], any character (which
    only the end of the text fails to give)."""
    if text == "[_]":
        return None
    if "'A'" in text or "\\u{00B7}" in text:
        return "a name character"
    if "'0'" in text:
        return "a digit"
    chars = re.findall(r"'((?:[^'\\]|\\.)+)'", text)
    return " ".join(f'"{c.replace(chr(92) * 2, chr(92))}"' for c in chars) or None


def _unknown_prefix(query: str) -> SyntaxProblem | None:
    """The first prefixed name whose prefix is neither predeclared nor declared."""
    declared = {**PREFIXES, **declared_prefixes(query)}
    for prefix, start in prefixed_names(query):
        if prefix not in declared:
            line = query.count("\n", 0, start) + 1
            column = start - (query.rfind("\n", 0, start) + 1) + 1
            names = ", ".join(p for p in declared if p)
            return SyntaxProblem(line, column, query.split("\n")[line - 1],
                                 f"unknown prefix '{prefix}:'; declared prefixes are {names} "
                                 f"(or add PREFIX {prefix}: <...>)")
    return None


def _stray_token(rest: str) -> str | None:
    """The token at the start of `rest` if it cannot begin anything there: punctuation, or a
    word that is no SPARQL keyword or function (a misspelt one); None for the start of a
    term or clause, where rdflib stops when a whole pattern fails to parse."""
    token = re.match(r"[A-Za-z]+\b(?!\s*[(:])|[^\s\w?$<\"'_:+-]", rest)
    if token is None or token[0].upper() in KEYWORDS:
        return None
    return token[0]


def _rdflib_position(query: str) -> tuple[int, int] | None:
    """Where rdflib's parser stops, as (line, column), if it fails too; None if it parses the
    text or cannot tell (it decodes \\u escapes first, which would move its positions)."""
    if re.search(r"\\[uU]", query):
        return None
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(query.replace("\t", " "))  # pyparsing would widen tabs, moving positions
    except ParseException as err:
        before = query[:err.loc]
        if not query[err.loc:].strip():
            return None  # "found end of text": Oxigraph's own expectations say more
        return before.count("\n") + 1, err.loc - (before.rfind("\n") + 1) + 1
    except (RecursionError, ValueError):  # only a hint: Oxigraph's position stands
        return None
    return None


def _window(line: str, column: int) -> tuple[str, int]:
    """At most EXCERPT characters of the line around the column, and the column in them."""
    if len(line) <= EXCERPT:
        return line, column
    start = max(0, min(column - EXCERPT // 2, len(line) - EXCERPT))
    text = line[start:start + EXCERPT]
    if start:
        text, column = "…" + text[1:], column - start
    else:
        column -= start
    if start + EXCERPT < len(line):
        text = text[:-1] + "…"
    return text, column


def _pad(before: str) -> str:
    """Blank space as wide on a terminal as `before`: tabs kept, wide characters doubled.

    >>> _pad("\\tkg:a 日本")
    '\\t         '
    """
    return "".join("\t" if c == "\t" else "" if unicodedata.combining(c)
                   else "  " if unicodedata.east_asian_width(c) in "WF" else " "
                   for c in before)


# --- IRIs of the project's namespaces that the graph does not hold ----------------------

PROJECT_NAMESPACES = (str(CRTKG), str(KG))


class KnownIris:
    """Every IRI of the project's namespaces (crtkg:, kg:) the graph holds, read once."""

    QUERY = ("SELECT DISTINCT ?term WHERE { { ?term ?p ?o } UNION { ?s ?term ?o } UNION "
             "{ ?s ?p ?term } FILTER(isIRI(?term) && (" + " || ".join(
                 f'STRSTARTS(STR(?term), "{ns}")' for ns in PROJECT_NAMESPACES) + ")) }")

    def __init__(self, iris: Iterable[str]) -> None:
        self.iris = frozenset(iris)
        self._locals = {ns: sorted(i[len(ns):] for i in self.iris if i.startswith(ns))
                        for ns in PROJECT_NAMESPACES}

    @classmethod
    def of(cls, store: ox.Store) -> KnownIris:
        """The IRIs of the store's default graph: the union of the served graphs (about
        10 ms for the project's graph)."""
        from graph.query import run_query, solutions

        return cls(row["term"].value for row in solutions(run_query(store, cls.QUERY)))

    def warnings(self, query: str, values: Iterable[object] = ()) -> list[str]:
        """One warning per IRI of the project's namespaces that the query names (or a
        parameter value binds) and the graph lacks, with its near matches:

        >>> KnownIris([CRTKG + "reportsFinding"]).warnings("SELECT * { ?s crtkg:reportFinding ?o }")
        ['crtkg:reportFinding is not in the graph; did you mean crtkg:reportsFinding?']
        """
        named = iris_in(query, PREFIXES)  # and the query's own PREFIX declarations
        named += [v.value for v in values if isinstance(v, ox.NamedNode)]
        found = []
        for iri in dict.fromkeys(named):
            if iri in self.iris or self._namespace(iri) is None:
                continue
            near = self.near(iri)
            found.append(f"{shorten(iri)} is not in the graph" + (
                f"; did you mean {' or '.join(map(shorten, near))}?" if near else ""))
        return found

    def near(self, iri: str, n: int = 3) -> list[str]:
        """The IRIs of `iri`'s namespace whose names are nearest to its name (difflib), then
        those whose names contain it; none outside the project's namespaces.

        >>> KnownIris([KG + "echocrt", KG + "echocrt-article", KG + "esc"]).near(KG + "echocr")
        ['https://w3id.org/crtkg/id/echocrt', 'https://w3id.org/crtkg/id/echocrt-article']
        """
        namespace = self._namespace(iri)
        if namespace is None:
            return []
        name, names = iri[len(namespace):], self._locals[namespace]
        near = difflib.get_close_matches(name, names, n=n, cutoff=0.75)
        if len(name) >= 3:
            near += [m for m in names if name.lower() in m.lower() and m not in near]
        return [namespace + m for m in near[:n]]

    @staticmethod
    def _namespace(iri: str) -> str | None:
        return next((ns for ns in PROJECT_NAMESPACES
                     if iri.startswith(ns) and len(iri) > len(ns)), None)


def unknown_name(name: str, names: Iterable[str], listed_at: str) -> str:
    """The message for a named query that does not exist, with the nearest names:

    >>> unknown_name("trial-finding", ["trial-findings", "events"], "`crtkg queries`")
    "no named query 'trial-finding'; did you mean trial-findings?"
    """
    near = difflib.get_close_matches(name, list(names), n=3)
    if near:
        return f"no named query {name!r}; did you mean {' or '.join(near)}?"
    return f"no named query {name!r}; {listed_at} lists them"
