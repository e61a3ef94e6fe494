"""The named queries' grlc-style headers, and what a broken one tells the user."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.catalogue import Parameter, ParameterError, load_catalogue, read_named_query
from graph.errors import SourceError
from graph.identifiers import IRI_PATTERN
from tests.helpers import ROOT


def test_the_project_queries_have_their_headers() -> None:
    queries = {q.name: q for q in load_catalogue(ROOT / "queries")}
    radiation = queries["radiation-modalities"]
    assert radiation.summary == ("Which imaging modalities expose the patient to ionizing "
                                 "radiation?")
    assert radiation.description.startswith("Answered by the reasoner: a modality")
    assert radiation.tags == ("safety", "inference")
    assert "SELECT ?modality ?label" in radiation.text


def test_a_broken_header_names_the_file_and_line(tmp_path: Path) -> None:
    query = tmp_path / "broken.rq"
    query.write_text("#+ summary: fine\n#+ description: a: b: c\nSELECT * {}\n")
    with pytest.raises(SourceError) as err:
        read_named_query(query)
    assert str(err.value).startswith(f"{query}:2: broken `#+` header: mapping values")


def test_a_header_without_a_summary_is_refused(tmp_path: Path) -> None:
    query = tmp_path / "bare.rq"
    query.write_text("SELECT * {}\n")
    with pytest.raises(SourceError, match=r"bare.rq:1: the `#\+` header needs a `summary:`"):
        read_named_query(query)


@settings(max_examples=2000, deadline=None)
@given(st.from_regex(re.compile(IRI_PATTERN), fullmatch=True))
def test_every_value_the_iri_pattern_admits_is_an_iri_oxigraph_accepts(value: str) -> None:
    # The pattern is also the OpenAPI schema's: a value it admits must not be a 400.
    ox.NamedNode(value)


@pytest.mark.parametrize("value", ["a:%zz", "a://host:port", "a:b]", "a:#x#y", "a:\U0010ebaa"])
def test_an_iri_oxigraph_would_refuse_is_a_parameter_error(value: str) -> None:
    parameter = Parameter(name="term", variable="__term_iri", kind="iri", required=False)
    with pytest.raises(ParameterError, match="is not an IRI or a CURIE of a known prefix"):
        parameter.term(value)
