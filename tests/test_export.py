"""Exports: every format round-trips, with a clean prefix map, with or without inferences."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from graph.export import FORMATS, export, load_graphs
from graph.namespaces import INFERRED_GRAPH, PREFIXES

PARSE_AS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}


def merged(graphs: list[Graph]) -> Graph:
    union = Graph()
    for g in graphs:
        union += g
    return union


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("infer", [True, False])
def test_export_round_trips(built, fmt, infer):
    data = export(built.artifact, fmt, infer=infer)
    expected = load_graphs(built.artifact, infer)
    if FORMATS[fmt][1]:  # keeps named graphs: compare graph by graph
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
