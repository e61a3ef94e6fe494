"""Exports: every format round-trips, with a clean prefix map, with or without inferences."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from cli import main
from graph.export import EXPORT_FORMATS, export, load_graphs
from graph.namespaces import ALL_GRAPHS, CRTKG, DERIVATIONS_GRAPH, INFERRED_GRAPH, PREFIXES
from server import create_app
from server.settings import Settings
from server.state import app_state
from tests.helpers import ROOT

PARSE_AS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}


def merged(graphs: list[Graph]) -> Graph:
    union = Graph()
    for g in graphs:
        union += g
    return union


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
@pytest.mark.parametrize("infer", [True, False])
def test_export_round_trips(built, fmt, infer):
    data = export(built.artifact, fmt, infer=infer)
    expected = load_graphs(built.artifact, infer)
    if EXPORT_FORMATS[fmt][1]:  # keeps named graphs: compare graph by graph
        parsed = Dataset()
        parsed.parse(data=data, format=PARSE_AS[fmt])
        names = {g.identifier for g in parsed.graphs() if len(g)}
        assert names == {g.identifier for g in expected}
        for graph in expected:
            assert isomorphic(parsed.graph(graph.identifier), graph), graph.identifier
    else:
        parsed = Graph().parse(data=data, format=PARSE_AS[fmt])
        assert isomorphic(parsed, merged(expected))


def test_export_without_inference_leaves_the_inferred_triples_out(built):
    with_inferred = Graph().parse(data=export(built.artifact, "nt"), format="nt")
    asserted = Graph().parse(data=export(built.artifact, "nt", infer=False), format="nt")
    assert len(with_inferred) > len(asserted)
    spect_typing = "<https://w3id.org/crtkg/id/spect> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/crtkg/ontology/IonizingRadiationModality>"
    assert spect_typing in export(built.artifact, "nt").decode()
    assert spect_typing not in export(built.artifact, "nt", infer=False).decode()
    trig = export(built.artifact, "trig", infer=False).decode()
    assert str(INFERRED_GRAPH) not in trig and "graph:inferred" not in trig


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_turtle_prefixes_are_our_own(built, fmt):
    text = export(built.artifact, fmt).decode()
    declared = dict(re.findall(r"^@prefix (\w*): <([^>]+)> \.$", text, flags=re.M))
    assert declared, "no prefixes declared"
    assert all(PREFIXES.get(p) == iri for p, iri in declared.items()), declared
    assert not re.search(r"\bns\d+:", text)
    assert "kg:prospect a crtkg:ObservationalStudy" in text or "kg:prospect a " in text


def test_jsonld_uses_our_compact_context(built):
    doc = json.loads(export(built.artifact, "jsonld"))
    assert doc["@context"]["crtkg"] == PREFIXES["crtkg"]
    ids = {node.get("@id") for node in doc["@graph"]}
    assert "kg:prospect" in ids and "kg:stankovic-interview" in ids


# --- the export, the endpoint and the CLI give the same terms ------------------------------

XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
PRIMARY_HR = "https://w3id.org/crtkg/id/echocrt-primary-hr"
REPORTED = (f"SELECT ?value ?text WHERE {{ <{PRIMARY_HR}> crtkg:value ?value ; "
            "crtkg:reportedText ?text }")


def test_a_reported_number_is_the_same_from_sparql_the_cli_and_the_export(
        built, client, capsys):
    response = client.get("/sparql", query_string={"query": REPORTED})
    [row] = json.loads(response.data)["results"]["bindings"]
    assert row == {"value": {"type": "literal", "value": "1.2", "datatype": XSD_DECIMAL},
                   "text": {"type": "literal", "value": "1.20"}}
    main(["--root", str(ROOT), "--artifact", str(built.artifact), "query", REPORTED,
          "--format", "csv"])
    assert capsys.readouterr().out.splitlines() == ["value,text", "1.2,1.20"]
    exported = export(built.artifact, "nt").decode().splitlines()
    assert {line for line in exported if line.startswith(f"<{PRIMARY_HR}> <{CRTKG}value")
            or line.startswith(f"<{PRIMARY_HR}> <{CRTKG}reportedText")} == {
        f'<{PRIMARY_HR}> <{CRTKG}value> "1.2"^^<{XSD_DECIMAL}> .',
        f'<{PRIMARY_HR}> <{CRTKG}reportedText> "1.20" .'}


@pytest.fixture(scope="module")
def whole_client(built) -> Iterator[FlaskClient]:
    """An endpoint whose caps let the largest graph (graph:derivations) through whole."""
    settings = Settings.from_env(built.artifact, ROOT / "queries", environ={}, workers=1,
                                 timeout=60.0, max_rows=100_000)
    application = create_app(settings)
    yield application.test_client()
    app_state(application).pool.close()


def ground_and_blank(graph: Graph) -> tuple[set, Graph]:
    """The triples without blank nodes, as a set (compared term for term), and the others,
    as a graph (compared up to blank node labels)."""
    blank = Graph()
    ground = set()
    for triple in graph:
        if any(isinstance(t, BNode) for t in triple):
            blank.add(triple)
        else:
            ground.add(triple)
    return ground, blank


@pytest.fixture(scope="module")
def exported(built) -> Dataset:
    """`crtkg export --format nq --with-derivations`, read back."""
    return Dataset().parse(data=export(built.artifact, "nq", derivations=True), format="nquads")


@pytest.mark.parametrize("name", [*ALL_GRAPHS, DERIVATIONS_GRAPH], ids=lambda n: n.split("/")[-1])
def test_each_graph_from_sparql_equals_its_export(exported, whole_client, name):
    response = whole_client.get("/sparql", query_string={
        "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}",
        "named-graph-uri": str(name), "format": "nt"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "X-SPARQL-MaxRows" not in response.headers
    answered = Graph().parse(data=response.data, format="nt")
    want_ground, want_blank = ground_and_blank(exported.graph(URIRef(str(name))))
    got_ground, got_blank = ground_and_blank(answered)
    assert len(want_ground) > 0
    assert got_ground - want_ground == set(), "from /sparql, not in the export"
    assert want_ground - got_ground == set(), "in the export, not from /sparql"
    assert isomorphic(got_blank, want_blank)
