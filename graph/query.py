"""Run SPARQL over the built graph with Oxigraph's engine, and render the answers.

The same function serves the CLI, the tests and (later) the HTTP endpoint, so a query
behaves the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from graph import results
from graph.errors import QueryError, SourceError
from graph.namespaces import ALL_GRAPHS, ASSERTED_GRAPHS, PREFIXES, shorten
from graph.sparql_messages import syntax_problem
from graph.sparql_text import has_keyword, keywords_only, nesting_depth

FORMATS = ("table", "json", "csv")

Answer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def sparql_syntax_error(path: Path, text: str, err: SyntaxError) -> SourceError:
    """A query file's SPARQL syntax error at its line and column, the line shown with a
    caret under the column."""
    problem = syntax_problem(text, err)
    return SourceError(path, f"SPARQL syntax error: {problem.reason}\n{problem.excerpt()}",
                       problem.line, problem.column)


def names_a_file(text: str) -> bool:
    """Whether `text` is the path of an existing file (a query text, however long, is not).

    >>> names_a_file("SELECT * WHERE { ?s ?p ?o }" * 20)
    False
    """
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # a name too long for the file system, or a NUL byte
        return False


def read_query(query_or_file: str) -> str:
    """The query text: the contents of the file if the argument names one, else itself."""
    path = Path(query_or_file)
    if query_or_file.endswith((".rq", ".sparql")) or names_a_file(query_or_file):
        try:
            return path.read_text(encoding="utf-8")
        except OSError as err:
            raise QueryError(f"{query_or_file}: cannot read query file: {err}") from err
    return query_or_file


MAX_NESTING = 200  # deeper brackets overflow the engine's parser and crash its process


def run_query(store: ox.Store, query: str, infer: bool = True,
              default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None,
              substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None) -> Answer:
    """Run a query over the union of the graphs, or the graphs the caller names.

    `default_graph` and `named_graphs` (IRIs) replace the query's FROM and FROM NAMED, as the
    SPARQL protocol's dataset parameters do: giving one leaves the other empty unless given.
    Without them and without FROM, the default graph is the union of the graphs of
    ALL_GRAPHS, which GRAPH can also name: graph:derivations only when asked for by name.
    `infer=False` leaves the inferred graph out of both. Every prefix of graph.namespaces is
    predeclared. `substitutions` binds variables to terms in the engine (a named query's
    parameters).
    """
    bare = keywords_only(query)
    if nesting_depth(bare) > MAX_NESTING:
        raise QueryError(f"the query nests brackets more than {MAX_NESTING} deep")
    allowed = [str(g) for g in (ALL_GRAPHS if infer else ASSERTED_GRAPHS)]
    dataset: dict = {}
    if default_graph is not None or named_graphs is not None:
        dataset["default_graph"] = _nodes(g for g in default_graph or () if g in allowed or infer)
        dataset["named_graphs"] = _nodes(g for g in named_graphs or () if g in allowed or infer)
    elif has_keyword(bare, "FROM"):
        if not infer:  # the query's own FROM could name the inferred graph
            raise QueryError("leaving out the inferred graph does not combine with FROM in "
                             "the query; name the graphs with default-graph-uri and "
                             "named-graph-uri instead")
    else:  # the union of the graphs, and the same graphs by name; not the derivations
        dataset["default_graph"] = dataset["named_graphs"] = _nodes(allowed)
    try:
        return store.query(query, prefixes=PREFIXES, substitutions=substitutions, **dataset)
    except SyntaxError as err:
        raise QueryError(syntax_problem(query, err).text()) from err
    except OSError as err:
        raise QueryError(f"query failed: {err}") from err


def _nodes(iris: Iterable[str]) -> list[ox.NamedNode]:
    return [ox.NamedNode(i) for i in iris]


def select_rows(answer: Answer) -> tuple[list[str], list[dict[str, ox.NamedNode | ox.Literal |
                                                                  ox.BlankNode]]]:
    """The variables and rows of a SELECT answer (a row maps bound variables to terms)."""
    if not isinstance(answer, ox.QuerySolutions):
        raise QueryError("not a SELECT query")
    names = [v.value for v in answer.variables]
    rows = [{n: s[n] for n in names if s[n] is not None} for s in answer]
    return names, rows


def short(term: object) -> str:
    """A term as a person reads it: a CURIE where a prefix fits, a literal's plain value."""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def render(answer: Answer, fmt: str = "table", hidden: Iterable[str] = ()) -> str:
    """An answer as text: a table for people, SPARQL JSON or CSV for programs.

    CONSTRUCT and DESCRIBE answers are Turtle whatever the format. `hidden` variables are
    left out (see graph.results.collect).
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    collected = results.collect(answer, hidden=hidden)
    if collected.answers == results.TRIPLES:
        return results.write(collected, results.BY_NAME["turtle"]).decode()
    if fmt != "table":
        return results.write(collected, results.BY_NAME[fmt]).decode().rstrip("\n") + "\n"
    if collected.boolean is not None:
        return "yes\n" if collected.boolean else "no\n"
    return table(collected.variables,
                 [["" if t is None else short(t) for t in row] for row in collected.rows])


def table(header: list[str], rows: list[list[str]], width: int = 60) -> str:
    """A plain-text table with the row count under it; long cells are cut with '…'."""
    cut = [[c if len(c) <= width else c[: width - 1] + "…" for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cut)]) for i, h in enumerate(header)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    out = [line(header), "-+-".join("-" * w for w in widths), *(line(r) for r in cut)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(s.rstrip() for s in out) + "\n"
