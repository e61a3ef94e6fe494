"""Write the built graph in the usual RDF formats, with our own prefix map and JSON-LD context."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, URIRef

from graph.artifact import open_store
from graph.errors import CrtkgError
from graph.identifiers import snomed_namespaces
from graph.mappings import read_mapping_set, sssom_graph, write_tsv
from graph.namespaces import ALL_GRAPHS, ASSERTED_GRAPHS, DERIVATIONS_GRAPH, PREFIXES

# format name -> (rdflib serializer, keeps named graphs)
EXPORT_FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": ("turtle", False),
    "nt": ("nt", False),
    "jsonld": ("json-ld", False),
    "trig": ("trig", True),
    "nq": ("nquads", True),
}
# The mapping set alone, as SSSOM TSV or in SSSOM's RDF form (Turtle).
MAPPING_FORMATS = ("sssom-tsv", "sssom-ttl")

def _prefixes(snomed: bool) -> dict[str, str]:
    return {p: ns for p, ns in PREFIXES.items()
            if snomed or not ns.startswith(snomed_namespaces())}


def _bind(graph: Graph, prefixes: dict[str, str]) -> None:
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)


def load_graphs(artifact: Path, infer: bool = True, derivations: bool = False) -> list[Graph]:
    """The artifact's named graphs: those of the default graph, or only the asserted ones;
    and graph:derivations if asked.

    The terms are the store's, as /sparql and `crtkg query` give them: Oxigraph keeps a typed
    literal by its value (1.20 as 1.2; an xsd:nonNegativeInteger as xsd:integer), so the
    export does too, and no two ways to read the graph disagree. crtkg:reportedText keeps a
    reported number as the source wrote it.
    """
    store = open_store(artifact)
    names = [*(ALL_GRAPHS if infer else ASSERTED_GRAPHS),
             *((DERIVATIONS_GRAPH,) if derivations else ())]
    quads = itertools.chain.from_iterable(
        store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))) for name in names)
    dataset = Dataset()  # one parse, so a blank node shared by two graphs stays one node
    dataset.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    return [dataset.graph(name) for name in names]


def is_snomed(term: object) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(snomed_namespaces())


def without_snomed(graph: Graph) -> Graph:
    """The graph without SNOMED CT: no triple naming a SNOMED IRI, and no SSSOM mapping
    annotation (a blank node) about one."""
    about = {s for s, _, o in graph if isinstance(s, BNode) and is_snomed(o)}
    kept = Graph(identifier=graph.identifier)
    for triple in graph:
        if not any(is_snomed(t) or t in about for t in triple):
            kept.add(triple)
    return kept


def export(artifact: Path, fmt: str = "turtle", infer: bool = True,
           snomed: bool = True, derivations: bool = False) -> bytes:
    """Serialize the graph: Turtle, N-Triples and JSON-LD merge the named graphs;
    TriG and N-Quads keep them apart. `infer=False` leaves the inferred graph out;
    `derivations=True` adds graph:derivations; `snomed=False` leaves out SNOMED CT, which
    may need a licence to redistribute."""
    if fmt not in EXPORT_FORMATS:
        raise CrtkgError(f"unknown export format {fmt!r}; valid formats: "
                         f"{', '.join([*EXPORT_FORMATS, *MAPPING_FORMATS])}")
    serializer, keeps_graphs = EXPORT_FORMATS[fmt]
    graphs = load_graphs(artifact, infer, derivations)
    if not snomed:
        graphs = [without_snomed(g) for g in graphs]
    target: Graph
    if keeps_graphs:
        target = dataset = Dataset()
        for named in graphs:
            copy = dataset.graph(named.identifier)
            copy += named
    else:
        target = Graph(bind_namespaces="none")
        for named in graphs:
            target += named
    prefixes = _prefixes(snomed)
    _bind(target, prefixes)
    options: dict[str, Any] = {"context": prefixes, "auto_compact": True} if fmt == "jsonld" else {}
    return target.serialize(format=serializer, encoding="utf-8", **options)


def export_mappings(mappings_file: Path, fmt: str = "sssom-tsv", snomed: bool = True) -> bytes:
    """The mapping set as SSSOM TSV or as SSSOM RDF (Turtle), read and checked by the
    build's reader (the CLI builds first, which also checks it against the graph)."""
    mapping_set = read_mapping_set(mappings_file)
    if not snomed:
        mapping_set = mapping_set.without_snomed()
    if fmt == "sssom-tsv":
        return write_tsv(mapping_set).encode("utf-8")
    if fmt != "sssom-ttl":
        raise CrtkgError(f"unknown mapping set format {fmt!r}; valid: "
                         f"{', '.join(MAPPING_FORMATS)}")
    graph = sssom_graph(mapping_set)
    _bind(graph, {**_prefixes(snomed), **mapping_set.curie_map})
    return graph.serialize(format="turtle", encoding="utf-8")
