"""The full answer of every named query, for every allowed value of its parameters, against
a reviewed copy in tests/answers/ (one CSV file a case, as `crtkg query NAME --format csv`
would print it with CURIEs).

The hand-written tests (test_queries.py, test_landscape.py) say why each row is right; these
files make any change to any answer show up as a diff to review. After a deliberate change
to the data or a query, rewrite them with `CRTKG_WRITE_ANSWERS=1 pytest tests/test_answers.py`
and read the diff before committing it.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.catalogue import Parameter, load_catalogue
from graph.namespaces import EXTERNAL_PREFIXES, RDFS
from graph.query import select_rows, short
from tests.helpers import ROOT

QUERIES = {q.name: q for q in load_catalogue(ROOT / "queries")}
ANSWERS = Path(__file__).parent / "answers"
# A value for each parameter that has no enumeration.
FREE_VALUES = {("trials-by-size", "minimum"): ["500"], ("external-links", "term"): ["kg:crt"]}


def cases() -> list[tuple[str, dict[str, str]]]:
    """Each query once with its optional parameters unset, and once per allowed value of each
    parameter, the other required parameters at their first value (evidence-map-cell has two
    parameters; the others at most one)."""
    found = []
    for name, query in sorted(QUERIES.items()):
        required = [p for p in query.parameters if p.required]
        if not required:
            found.append((name, {}))
        for p in query.parameters:
            others = {r.name: values_of(name, r)[0] for r in required if r is not p}
            found += [(name, {**others, p.name: v}) for v in values_of(name, p)]
    return found


def values_of(name: str, p: Parameter) -> list[str]:
    return [short(ox.NamedNode(v)) for v in p.values] or FREE_VALUES[(name, p.name)]


def file_of(name: str, given: dict[str, str]) -> Path:
    suffix = "".join(f"--{k}={v.replace(':', '_')}" for k, v in given.items())
    return ANSWERS / f"{name}{suffix}.csv"


def as_csv(store: ox.Store, name: str, given: dict[str, str]) -> str:
    names, solutions = select_rows(QUERIES[name].run(store, given))
    shown = [n for n in names if not n.startswith("_")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(shown)
    writer.writerows([short(row[n]) if n in row else "" for n in shown] for row in solutions)
    return out.getvalue()


@pytest.mark.parametrize(("name", "given"), cases(),
                         ids=lambda c: c if isinstance(c, str) else ",".join(c.values()))
def test_the_answer_is_the_reviewed_one(store: ox.Store, name: str, given: dict[str, str]) -> None:
    path = file_of(name, given)
    answer = as_csv(store, name, given)
    if os.environ.get("CRTKG_WRITE_ANSWERS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(answer, encoding="utf-8")
    assert path.exists(), f"no reviewed answer {path}; write it with CRTKG_WRITE_ANSWERS=1"
    assert answer == path.read_text(encoding="utf-8")


def test_every_reviewed_answer_belongs_to_a_case() -> None:
    expected = {file_of(name, given).name for name, given in cases()}
    assert sorted(p.name for p in ANSWERS.glob("*.csv")) == sorted(expected)


CODED = tuple(EXTERNAL_PREFIXES[p] for p in ("ECO", "OBI", "MAXO"))


@pytest.mark.parametrize(("name", "given"), cases(),
                         ids=lambda c: c if isinstance(c, str) else ",".join(c.values()))
def test_a_code_of_eco_obi_or_maxo_has_its_label_beside_it(store: ox.Store, name: str,
                                                           given: dict[str, str]) -> None:
    """Nobody reads obo:ECO_0000180: the column after such a code is the term's label."""
    names, solutions = select_rows(QUERIES[name].run(store, given))
    shown = [n for n in names if not n.startswith("_")]
    for row in solutions:
        for here, beside in zip(shown, [*shown[1:], None], strict=True):
            term = row.get(here)
            if isinstance(term, ox.NamedNode) and term.value.startswith(CODED):
                labels = {q.object.value for q in store.quads_for_pattern(
                    term, ox.NamedNode(str(RDFS.label)), None)}
                assert beside is not None and row.get(beside) is not None, (here, term)
                assert row[beside].value in labels, (here, term, row[beside])
