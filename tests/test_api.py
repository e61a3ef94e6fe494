"""The REST API over the named queries: listing, running with parameters, errors, the
OpenAPI description and its page, and a schema-based fuzzer (schemathesis) over all of it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings

from graph.artifact import BuildSummary
from graph.errors import SourceError
from server import create_app
from server.settings import Settings
from server.state import app_state
from tests.helpers import ROOT

TRIALS_BY_MODALITY = """#+ summary: Which trials used a modality?
#+ tags:
#+   - trials
#+ enumerate:
#+   - modality:
#+     - kg:echocardiography
#+     - kg:cardiac-mri

SELECT DISTINCT ?trial ?_modality_iri WHERE {
  ?trial crtkg:usesImaging/crtkg:useModality ?_modality_iri .
} ORDER BY ?trial
"""
CLAIMS_FROM_YEAR = """#+ summary: Which claims state a year, at or after a given one?
#+ description: >
#+   Typed parameters: an integer, and an optional text to look for in the quote.

SELECT ?claim ?year ?_from_integer ?__word WHERE {
  ?claim crtkg:statedYear ?year ; crtkg:quote ?quote .
  FILTER(xsd:integer(STR(?year)) >= ?_from_integer)
  FILTER(COALESCE(CONTAINS(LCASE(?quote), LCASE(?__word)), true))
} ORDER BY ?year ?claim
"""


@pytest.fixture(scope="module")
def api(built: BuildSummary, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """An app whose catalogue is two queries of this module, with typed parameters."""
    folder = tmp_path_factory.mktemp("queries")
    (folder / "trials-by-modality.rq").write_text(TRIALS_BY_MODALITY)
    (folder / "claims-from-year.rq").write_text(CLAIMS_FROM_YEAR)
    app = create_app(Settings.from_env(built.artifact, folder, environ={}, workers=1))
    yield app.test_client()
    app_state(app).pool.close()


def records(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return json.loads(response.data)


def test_the_list_gives_each_query_with_its_parameters(api: FlaskClient) -> None:
    listed = {q["name"]: q for q in records(api.get("/api/queries"))}
    assert listed["trials-by-modality"]["parameters"] == [
        {"name": "modality", "type": "iri", "required": True,
         "values": ["kg:echocardiography", "kg:cardiac-mri"]}]
    assert listed["claims-from-year"]["parameters"] == [
        {"name": "from", "type": "integer", "required": True},
        {"name": "word", "type": "string", "required": False}]
    assert listed["claims-from-year"]["url"] == "/api/queries/claims-from-year"


def test_a_query_runs_with_its_parameters_as_records(api: FlaskClient) -> None:
    echo = api.get("/api/queries/trials-by-modality?modality=kg:echocardiography")
    full_iri = api.get("/api/queries/trials-by-modality",
                       query_string={"modality": "https://w3id.org/crtkg/id/echocardiography"})
    assert records(echo) == records(full_iri) == [
        {"trial": f"https://w3id.org/crtkg/id/{trial}"} for trial in (
            "block-hf", "care-hf", "echocrt", "madit-crt", "miracle", "prospect", "rethinq",
            "reverse", "smart-av")]
    assert records(api.get("/api/queries/trials-by-modality?modality=kg:cardiac-mri")) == []


def test_typed_and_optional_parameters(api: FlaskClient) -> None:
    every = records(api.get("/api/queries/claims-from-year?from=2000"))
    worded = records(api.get("/api/queries/claims-from-year?from=2000&word=PROSPECT"))
    later = records(api.get("/api/queries/claims-from-year?from=2100"))
    assert {r["claim"] for r in worded} < {r["claim"] for r in every}
    assert {"claim": "https://w3id.org/crtkg/id/prospect-no-echo-predictor",
            "year": "2009"} in worded
    assert later == []


def test_csv_and_sparql_json_by_accept(api: FlaskClient) -> None:
    url = "/api/queries/trials-by-modality?modality=kg:echocardiography"
    as_csv = api.get(url, headers={"Accept": "text/csv"})
    as_json = api.get(url, headers={"Accept": "application/sparql-results+json"})
    assert as_csv.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True))))
    assert table[0] == ["trial"]
    assert table[1:] == [[row["trial"]] for row in records(api.get(url))]
    assert ["https://w3id.org/crtkg/id/echocrt"] in table
    assert json.loads(as_json.data)["head"] == {"vars": ["trial"]}


@pytest.mark.parametrize(("url", "status", "message"), [
    ("/api/queries/nothing", 404, "no named query 'nothing'; /api/queries lists them"),
    ("/api/queries/trial-by-modality", 404,
     "no named query 'trial-by-modality'; did you mean trials-by-modality?"),
    ("/api/queries/trials-by-modality", 400, "trials-by-modality needs the parameter modality"),
    ("/api/queries/trials-by-modality?modality=kg:spect", 400,
     "parameter modality='kg:spect' is not one of the allowed values: "
     "kg:echocardiography, kg:cardiac-mri"),
    ("/api/queries/claims-from-year?from=recent", 400,
     "parameter from='recent' is not an integer"),
    ("/api/queries/claims-from-year?from=2000&to=2010", 400,
     "claims-from-year has no parameter to; its parameters: from, word"),
    ("/api/queries/claims-from-year?from=2000&from=2001", 400,
     "parameter from is given more than once"),
    ("/api/queries/claims-from-year?from=2000&infer=maybe", 400,
     "infer='maybe': expected true or false"),
])
def test_bad_calls_name_the_parameter(api: FlaskClient, url: str, status: int,
                                      message: str) -> None:
    response = api.get(url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_a_parameter_iri_the_graph_lacks_is_a_warning_header(client: FlaskClient) -> None:
    response = client.get("/api/queries/external-links", query_string={"term": "kg:echocrtt"})
    assert response.status_code == 200 and records(response) == []
    assert response.headers.getlist("X-Crtkg-Warning") == [
        "kg:echocrtt is not in the graph; did you mean kg:echocrt?"]


def test_a_value_cannot_change_the_query(api: FlaskClient) -> None:
    """An injection attempt is only a string the engine compares, never query text."""
    attack = "x')) } UNION { ?claim ?p ?quote } #"
    response = api.get("/api/queries/claims-from-year", query_string={"from": "0",
                                                                       "word": attack})
    assert records(response) == []


def test_the_openapi_description_has_one_operation_per_query(api: FlaskClient) -> None:
    spec = records_object(api.get("/api/openapi.json"))
    operation = spec["paths"]["/queries/trials-by-modality"]["get"]
    assert spec["openapi"].startswith("3.")
    assert operation["summary"] == "Which trials used a modality?"
    assert operation["parameters"][0] == {
        "name": "modality", "in": "query", "required": True,
        "description": "an IRI, or a CURIE of the project's prefixes",
        "schema": {"type": "string", "enum": ["kg:echocardiography", "kg:cardiac-mri"]}}
    assert spec["paths"]["/queries/claims-from-year"]["get"]["parameters"][0]["schema"] == {
        "type": "integer"}
    # Every status the endpoint may answer, the fair shares' 429 and the 500 with its id too.
    assert set(operation["responses"]) == {"200", "400", "406", "429", "500", "503"}
    assert "Retry-After" in operation["responses"]["429"]["headers"]


def records_object(response) -> dict:
    assert response.status_code == 200
    return json.loads(response.data)


def test_the_api_page_renders_the_description(api: FlaskClient) -> None:
    page = api.get("/api/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "GET /api/queries/trials-by-modality" in html
    assert "Which claims state a year, at or after a given one?" in html
    assert "<code>kg:cardiac-mri</code>" in html


def test_a_broken_query_file_stops_start_up_naming_file_and_line(
        built: BuildSummary, tmp_path: Path) -> None:
    (tmp_path / "broken.rq").write_text("#+ summary: broken\n\nSELECT ?x WHERE {\n  ?x ?y ?z )\n}\n")
    with pytest.raises(SourceError) as caught:
        create_app(Settings.from_env(built.artifact, tmp_path, environ={}, workers=1))
    assert str(caught.value) == (
        f"{tmp_path / 'broken.rq'}:4:12: SPARQL syntax error: unexpected \")\"\n"
        "    ?x ?y ?z )\n"
        "             ^")


# --- the fuzzer, over the project's own catalogue ------------------------------------------

@pytest.fixture(scope="session")
def api_schema(app: Flask):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def test_the_api_never_answers_with_a_server_error(api_schema) -> None:
    """Every operation, with inputs generated from its schema; every check of schemathesis
    (no 5xx, status codes, content types and bodies as described) must pass."""
    # Driven through hypothesis directly: schemathesis' pytest plugin does not load under
    # pytest 9.
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def check(case) -> None:
            case.call_and_validate()

        check()


def test_the_fuzzer_sees_every_named_query(api_schema) -> None:
    names = {p.stem for p in (ROOT / "queries").glob("*.rq")}
    operations = {op.ok().path.removeprefix("/queries/") for op in api_schema.get_all_operations()}
    assert names <= operations
