"""Write the built graph in the usual RDF formats, with our own prefix map and JSON-LD context."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from graph.artifact import require_artifact
from graph.errors import CrtkgError
from graph.namespaces import ALL_GRAPHS, ASSERTED_GRAPHS, PREFIXES

# format name -> (rdflib serializer, keeps named graphs)
FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": ("turtle", False),
    "nt": ("nt", False),
    "jsonld": ("json-ld", False),
    "trig": ("trig", True),
    "nq": ("nquads", True),
}

JSONLD_CONTEXT: dict[str, str] = dict(PREFIXES)


def _bind(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)


def load_graphs(artifact: Path, infer: bool = True) -> list[Graph]:
    """The artifact's named graphs: all of them, or only the asserted ones."""
    require_artifact(artifact)
    dataset = Dataset()
    dataset.parse(artifact, format="nquads")
    return [dataset.graph(name) for name in (ALL_GRAPHS if infer else ASSERTED_GRAPHS)]


def export(artifact: Path, fmt: str = "turtle", infer: bool = True) -> bytes:
    """Serialize the graph: Turtle, N-Triples and JSON-LD merge the named graphs;
    TriG and N-Quads keep them apart. `infer=False` leaves the inferred graph out."""
    if fmt not in FORMATS:
        raise CrtkgError(f"unknown export format {fmt!r}; valid formats: {', '.join(FORMATS)}")
    serializer, keeps_graphs = FORMATS[fmt]
    graphs = load_graphs(artifact, infer)
    if keeps_graphs:
        target: Graph = Dataset()
        for named in graphs:
            copy = target.graph(named.identifier)
            copy += named
    else:
        target = Graph(bind_namespaces="none")
        for named in graphs:
            target += named
    _bind(target)
    options = {"context": JSONLD_CONTEXT, "auto_compact": True} if fmt == "jsonld" else {}
    return target.serialize(format=serializer, encoding="utf-8", **options)
