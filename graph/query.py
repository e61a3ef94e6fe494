"""Run SPARQL over the built graph with Oxigraph's engine, and render the answers.

The same function serves the CLI, the tests and (later) the HTTP endpoint, so a query
behaves the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from graph import results
from graph.errors import QueryError
from graph.namespaces import ALL_GRAPHS, ASSERTED_GRAPHS, PREFIXES, shorten

FORMATS = ("table", "json", "csv")

Answer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def read_query(query_or_file: str) -> str:
    """The query text: the contents of the file if the argument names one, else itself."""
    path = Path(query_or_file)
    if query_or_file.endswith((".rq", ".sparql")) or (len(query_or_file) < 4096 and path.is_file()):
        try:
            return path.read_text(encoding="utf-8")
        except OSError as err:
            raise QueryError(f"{query_or_file}: cannot read query file: {err}") from err
    return query_or_file


def run_query(store: ox.Store, query: str, infer: bool = True,
              default_graph: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None,
              substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None) -> Answer:
    """Run a query over the union of the graphs, or the graphs the caller names.

    `default_graph` and `named_graphs` (IRIs) override the query's FROM and FROM NAMED, as
    the SPARQL protocol's dataset parameters do. Without them and without FROM, the default
    graph is the union of the graphs. `infer=False` leaves the inferred graph out of both.
    Every prefix of graph.namespaces is predeclared, so queries may use them without PREFIX.
    `substitutions` binds variables to terms in the engine (a named query's parameters).
    """
    allowed = [str(g) for g in (ALL_GRAPHS if infer else ASSERTED_GRAPHS)]
    dataset: dict = {}
    if default_graph is not None:
        dataset["default_graph"] = _nodes(g for g in default_graph if infer or g in allowed)
    elif has_dataset_clause(query):
        pass  # pyoxigraph's dataset options would override the query's FROM
    elif infer:
        dataset["use_default_graph_as_union"] = True
    else:
        dataset["default_graph"] = _nodes(allowed)
    if named_graphs is not None:
        dataset["named_graphs"] = _nodes(g for g in named_graphs if infer or g in allowed)
    elif not infer and not has_dataset_clause(query):
        dataset["named_graphs"] = _nodes(allowed)
    try:
        return store.query(query, prefixes=PREFIXES, substitutions=substitutions, **dataset)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from err
    except OSError as err:
        raise QueryError(f"query failed: {err}") from err


def _nodes(iris: Iterable[str]) -> list[ox.NamedNode]:
    return [ox.NamedNode(i) for i in iris]


# What may hide the word FROM without being a dataset clause: comments, strings and IRIs.
_NOT_KEYWORDS = re.compile(r"""#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|<[^<>"{}|^`\s]*>""")
_FROM = re.compile(r"(?<![\w:?$])FROM(?![\w:-])", re.IGNORECASE)


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset (FROM or FROM NAMED)."""
    return bool(_FROM.search(_NOT_KEYWORDS.sub(" ", query)))


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
