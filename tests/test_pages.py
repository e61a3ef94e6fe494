"""The web page at /, as HTML: the dataset's description, the examples, nothing fetched off-site."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from graph.namespaces import GRAPHS, PREFIXES
from graph.results import FORMATS
from server.protocol import API_FORMATS
from server.state import app_state

# Elements that make a browser fetch something, and the attribute that says from where.
FETCHING = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src",
            "video": "src", "audio": "src", "embed": "src", "object": "data", "input": "src",
            "track": "src"}


class Elements(HTMLParser):
    """Every start tag of a page, with its attributes, and the text of <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs).get("id") or ""

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts[self._script] = self.scripts.get(self._script, "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags
                if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def page(app: Flask) -> str:
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def elements(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


def test_every_named_query_is_offered(app: Flask, page: str, elements: Elements) -> None:
    examples = app_state(app).examples
    assert {q.name for q in examples} >= {"recommendations", "radiation-modalities"}
    for q in examples:
        assert str(escape(q.summary)) in page
        assert elements.find("button", **{"data-name": q.name}), q.name
    data = json.loads(elements.scripts["page-data"])
    assert data["examples"] == {q.name: q.text for q in examples}


def test_the_dataset_is_described_with_its_counts(app: Flask, page: str) -> None:
    stats = app_state(app).statistics
    assert set(stats.graphs) == {str(iri) for iri in GRAPHS.values()}
    for iri, triples in stats.graphs.items():
        name = stats.graph_names[iri]
        row = re.search(rf'<tr data-graph="{name}">(.*?)</tr>', page, re.DOTALL)
        assert row is not None, f"no row for the {name} graph"
        assert f'<td class="num">{triples}</td>' in row.group(1)
    for pattern in (rf'<strong id="class-count">{len(stats.classes)}</strong>\s+classes',
                    rf'<strong id="property-count">{len(stats.properties)}</strong>\s+properties',
                    rf"<strong>{stats.triples}</strong>\s+distinct triples"):
        assert re.search(pattern, page), pattern
    assert "PROSPECT" in page and "EchoCRT" in page


def test_the_page_shows_how_to_query_with_curl(client: FlaskClient, page: str) -> None:
    text = html.unescape(page)
    command = re.search(r"curl -H 'Accept: text/csv' --data-urlencode 'query=(.*?)' (\S+)</code>",
                        text)
    assert command is not None
    assert command.group(1).startswith("SELECT ")
    assert command.group(2) == "http://localhost/sparql"
    assert "--data-urlencode 'infer=false'" in text
    # The command works as shown.
    answer = client.post("/sparql", data={"query": command.group(1)},
                         headers={"Accept": "text/csv"})
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.get_data(as_text=True).splitlines()[0] == "modality,label"


def test_the_editor_is_labelled_and_inference_is_on(elements: Elements) -> None:
    labels = {a.get("for") for a in elements.find("label") if a.get("for")}
    assert "query" in labels
    assert elements.find("textarea", id="query", name="query")
    infer = elements.find("input", id="infer")
    assert infer and infer[0]["type"] == "checkbox" and "checked" in infer[0]
    assert elements.find("button", id="run", type="submit")


def test_the_page_data_has_what_the_script_needs(elements: Elements) -> None:
    data = json.loads(elements.scripts["page-data"])
    assert data["endpoint"] == "/sparql"
    assert data["prefixes"] == PREFIXES
    assert [(f["name"], f["answers"]) for f in data["formats"]] == \
        [(f.name, f.answers) for f in FORMATS]


def test_the_page_data_has_each_examples_parameters(app: Flask, elements: Elements) -> None:
    data = json.loads(elements.scripts["page-data"])
    assert data["api"] == "/api/queries"
    assert [(f["name"], f["answers"]) for f in data["api_formats"]] == \
        [(f.name, f.answers) for f in API_FORMATS]
    examples = app_state(app).examples
    assert set(data["parameters"]) == {q.name for q in examples}
    # The form reads each parameter as /api/queries lists it.
    listed = {q["name"]: q["parameters"] for q in app.test_client().get("/api/queries").json}
    assert data["parameters"] == {q.name: listed[q.name] for q in examples}
    assert data["parameters"]["findings-of-trial"] == [
        {"name": "trial", "type": "iri", "required": True,
         "values": ["kg:prospect", "kg:echocrt"]}]
    assert data["parameters"]["trials-by-size"] == [
        {"name": "minimum", "type": "integer", "required": True}]
    assert data["parameters"]["claim-evidence"] == [
        {"name": "evidence", "type": "iri", "required": False,
         "values": ["obo:ECO_0000180", "obo:ECO_0001097", "obo:ECO_0006016", "obo:ECO_0000034",
                    "obo:ECO_0000204", "obo:ECO_0000006", "obo:ECO_0000000"]}]
    assert data["parameters"]["recommendations"] == []


def test_the_parameter_form_is_in_the_page_hidden(elements: Elements) -> None:
    """The script fills it when a question with parameters is chosen."""
    box = elements.find("fieldset", id="params")
    assert box and "hidden" in box[0]
    assert elements.find("div", id="param-fields")
    assert "novalidate" in elements.find("form", id="query-form")[0]


def test_nothing_is_fetched_off_site(client: FlaskClient, elements: Elements) -> None:
    assets = []
    for tag, attrs in elements.tags:
        where = attrs.get(FETCHING.get(tag, ""))
        if where is None:
            continue
        parts = urlsplit(where)
        assert parts.scheme in ("", "data") and not parts.netloc, f"<{tag}> fetches {where}"
        if parts.scheme != "data":
            assets.append(where)
    assert "/static/crtkg.js" in assets and "/static/crtkg.css" in assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        text = response.get_data(as_text=True)
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text), asset
        if asset.endswith(".js"):
            # The script asks only its own server: the endpoint and the API the page names.
            assert re.findall(r"fetch\(([^,)]*)", text) == [
                "data.endpoint", "data.api + linksPath", "data.endpoint", "data.api + job.path"]
            assert "innerHTML" not in text and "insertAdjacentHTML" not in text


def test_data_in_the_page_is_escaped(app: Flask) -> None:
    """A summary or query text with markup in it stays text."""
    state = app_state(app)
    original = state.examples
    evil = replace(original[0], name="evil", summary="<script>alert(1)</script>",
                   text="SELECT * { ?s ?p '</script><script>alert(2)</script>' }")
    state.examples = [*original, evil]
    try:
        page = app.test_client().get("/").get_data(as_text=True)
    finally:
        state.examples = original
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
