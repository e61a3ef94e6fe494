"""Run SPARQL over the built graph with Oxigraph's engine, and render the answers.

The same function serves the CLI, the tests and (later) the HTTP endpoint, so a query
behaves the same everywhere.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from graph import results
from graph.errors import QueryError, SourceError
from graph.namespaces import ALL_GRAPHS, ASSERTED_GRAPHS, PREFIXES, shorten
from graph.sparql_messages import syntax_problem
from graph.sparql_text import has_keyword, keywords_only, nesting_depth

# What `render` writes: a table for people, or the result formats of the same names.
RENDER_FORMATS = ("table", "json", "csv")

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
              substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
              base_iri: str | None = None, served: ox.Store | None = None) -> Answer:
    """Run a query over the union of the graphs, or the graphs the caller names.

    `default_graph` and `named_graphs` (IRIs) replace the query's FROM and FROM NAMED, as the
    SPARQL protocol's dataset parameters do: giving one leaves the other empty unless given.
    Without them and without FROM, the default graph is the union of the graphs of
    ALL_GRAPHS, which GRAPH can also name: graph:derivations only when asked for by name.
    `infer=False` leaves the inferred graph out of both. Every prefix of graph.namespaces is
    predeclared. `substitutions` binds variables to terms in the engine (a named query's
    parameters). `base_iri` is what relative IRIs resolve against (the endpoint gives its
    own URL); without it, and without BASE in the query, a relative IRI is an error.
    `served` is `store`'s served_store(): a query over the union of the graphs then runs on
    it, its whole content the default graph, which Oxigraph evaluates faster than the same
    union given as a list of graphs (1.6x on claim-evidence). The rows are the same; rows
    that no ORDER BY orders, or that tie, may come in another order.
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
    elif served is not None and infer:  # the same graphs, alone in a store of their own
        store, dataset["use_default_graph_as_union"] = served, True
    else:  # the union of the graphs, and the same graphs by name; not the derivations
        dataset["default_graph"] = dataset["named_graphs"] = _nodes(allowed)
    try:
        return store.query(query, prefixes=PREFIXES, base_iri=base_iri, **dataset,
                           substitutions=None if substitutions is None else dict(substitutions))
    except SyntaxError as err:
        raise QueryError(syntax_problem(query, err).text()) from err
    except OSError as err:
        raise QueryError(f"query failed: {err}") from err


def served_store(store: ox.Store) -> ox.Store:
    """A store of the graphs of ALL_GRAPHS alone, as `store` has them (run_query's `served`):
    more memory by the size of those graphs, not of the derivations."""
    served = ox.Store()
    for graph in _nodes(ALL_GRAPHS):
        served.add_graph(graph)  # named even if empty, as in the list run_query gives
        served.bulk_extend(store.quads_for_pattern(None, None, None, graph))
    return served


def _nodes(iris: Iterable[str]) -> list[ox.NamedNode]:
    return [ox.NamedNode(i) for i in iris]


def select_rows(answer: Answer) -> tuple[list[str], list[dict[str, ox.NamedNode | ox.Literal |
                                                                  ox.BlankNode]]]:
    """The variables and rows of a SELECT answer (a row maps bound variables to terms)."""
    found = solutions(answer)
    names = [v.value for v in found.variables]
    rows = [{n: s[n] for n in names if s[n] is not None} for s in found]
    return names, rows


def solutions(answer: Answer) -> ox.QuerySolutions:
    """A SELECT query's answer, as such; QueryError for the answer of another kind of query."""
    if not isinstance(answer, ox.QuerySolutions):
        raise QueryError("not a SELECT query")
    return answer


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
    if fmt not in RENDER_FORMATS:
        raise QueryError(f"unknown format {fmt!r}; choose one of: {', '.join(RENDER_FORMATS)}")
    collected = results.collect(answer, hidden=hidden)
    if collected.answers == results.TRIPLES:
        return results.write(collected, results.BY_NAME["turtle"]).decode()
    if fmt != "table":
        return results.write(collected, results.BY_NAME[fmt]).decode().rstrip("\n") + "\n"
    if collected.boolean is not None:
        return "yes\n" if collected.boolean else "no\n"
    return table(collected.variables,
                 [["" if t is None else short(t) for t in row] for row in collected.rows])


SEPARATOR = " | "
LONGEST_WORD = 30  # a word (an IRI, say) wider than this may be broken across lines


def table(header: list[str], rows: list[list[str]], width: int | None = None) -> str:
    """A plain-text table with the row count under it, as wide as the terminal (`width`,
    else $COLUMNS or the terminal's width, else 100): a cell too long for its column is
    wrapped onto more lines within it, never cut, and a blank line then parts the rows.
    Words are kept whole where they fit; only headers too wide together make the table wider.

    >>> print(table(["name", "quote"], [["kg:a", "the quick brown fox jumps"]], width=20),
    ...       end="")
    name | quote
    -----+--------------
    kg:a | the quick
         | brown fox
         | jumps
    (1 row)
    """
    total = width or shutil.get_terminal_size((100, 24)).columns
    widths = column_widths(header, rows, total - len(SEPARATOR) * (len(header) - 1))
    line = lambda cells: SEPARATOR.join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    out = [line(header), "-+-".join("-" * w for w in widths)]
    wrapped = [[wrap(c, w) for c, w in zip(row, widths, strict=True)] for row in rows]
    tall = any(len(c) > 1 for cells in wrapped for c in cells)
    for number, cells in enumerate(wrapped):
        if tall and number:  # a blank line tells one row of many lines from the next
            out.append("")
        height = max((len(c) for c in cells), default=1)
        out += [line([c[i] if i < len(c) else "" for c in cells]) for i in range(height)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(s.rstrip() for s in out) + "\n"


def column_widths(header: list[str], rows: list[list[str]], room: int) -> list[int]:
    """Widths that fit the columns in `room`: each at least its header and, where there is
    room for them, its longest words (up to LONGEST_WORD); the rest of the room goes, a
    character at a time, to the column that shortens the table most, never past the
    column's natural width."""
    natural = [max([len(h), *(len(line) for r in rows for line in r[i].splitlines())])
               for i, h in enumerate(header)]
    words = [max([0, *(len(w) for r in rows for w in r[i].split())]) for i in range(len(header))]
    for longest in (LONGEST_WORD, 20, 12, 8, 0):  # words broken before the table grows wider
        widths = [min(n, max(len(h), min(w, longest)))
                  for n, h, w in zip(natural, header, words, strict=True)]
        if sum(widths) <= room:
            break
    lengths = [[len(c) for c in r] for r in rows[:200]]  # enough rows to judge by

    def height(w: list[int]) -> float:  # about the lines the rows take, smoothly
        return sum(max((n / k for n, k in zip(r, w, strict=True)), default=0) for r in lengths)

    for _ in range(room - sum(widths)):
        growing = [i for i, w in enumerate(widths) if w < natural[i]]
        if not growing:
            break
        widths[min(growing, key=lambda i: height(
            [w + (j == i) for j, w in enumerate(widths)]))] += 1
    return widths


def wrap(cell: str, width: int) -> list[str]:
    """A cell's lines within the width: its own lines, each wrapped at spaces (a longer
    word broken), nothing left out.

    >>> wrap("kg:echocrt-no-benefit and more\\nsecond line", 12)
    ['kg:echocrt-n', 'o-benefit', 'and more', 'second line']
    """
    return [part for line in cell.splitlines() or [""]
            for part in textwrap.wrap(line, width, break_on_hyphens=False) or [""]]
