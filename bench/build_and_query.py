"""Time the build and typical queries on this machine. Prints figures; asserts nothing.

    python bench/build_and_query.py [--runs N]

Reports the median of N forced builds (load + SHACL + OWL 2 RL + write), the reuse check,
the store load, and a few queries on Oxigraph's engine (pyoxigraph) and, for scale, on
rdflib's own SPARQL engine over the same quads.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from graph.artifact import build, open_store
from graph.load import SourcePaths, default_root
from graph.namespaces import sparql_prologue
from graph.query import run_query, solutions

QUERIES = {
    "recommendations (2-hop join)": (default_root() / "queries" / "recommendations.rq").read_text(),
    "trials by modality (inferred)": "SELECT ?t { ?t crtkg:studiedModality kg:echocardiography }",
    "count per graph": "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
}


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def oxigraph_rows(store: ox.Store, query: str) -> list:
    return list(solutions(run_query(store, query)))


def rdflib_rows(dataset: Dataset, query: str) -> list:
    return list(dataset.query(query))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    paths = SourcePaths(default_root())
    with tempfile.TemporaryDirectory() as tmp:
        artifact = Path(tmp) / "crtkg.nq"
        summary = build(paths, artifact, force=True)
        print(f"graph: {summary.triples} (total {sum(summary.triples.values())}), "
              f"trimmed {sum(summary.trimmed.values())}")
        print(f"build, forced        median of {runs}: "
              f"{median_seconds(lambda: build(paths, artifact, force=True), runs):.2f} s")
        print(f"build, up to date    median of {runs}: "
              f"{median_seconds(lambda: build(paths, artifact), runs) * 1000:.1f} ms")
        print(f"open store           median of {runs}: "
              f"{median_seconds(lambda: open_store(artifact), runs) * 1000:.1f} ms")
        store = open_store(artifact)
        rdflib_data = Dataset(default_union=True)
        rdflib_data.parse(artifact, format="nquads")
        prologue = sparql_prologue()
        for name, query in QUERIES.items():
            ox_s = median_seconds(partial(oxigraph_rows, store, query), runs * 20)
            rdf_s = median_seconds(partial(rdflib_rows, rdflib_data, prologue + query), runs)
            print(f"query {name:<32} pyoxigraph {ox_s * 1000:8.2f} ms   "
                  f"rdflib {rdf_s * 1000:8.1f} ms   ratio {rdf_s / ox_s:6.0f}x")


if __name__ == "__main__":
    main()
