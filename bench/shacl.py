"""Shape validation: pyshacl (the reference) against graph/shacl.py's compiled queries.

    python bench/shacl.py [--studies 0,300,1180] [--seed S] [--runs N]

For each size, bench/scale.py writes a project root (0: the real project), its sources are
loaded, then timed, each the best of --runs: pyshacl on data + ontology (once past 50,000
data triples: it takes tens of seconds), the Oxigraph store of data + ontology that
graph/validate.py builds (checks.checked_store), and graph.shacl.shape_results on it
(compiling the shapes included). Prints a Markdown table; figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

from pyshacl import validate as pyshacl_validate  # noqa: E402 (the project, from its checkout)
from scale import write_root  # noqa: E402

from graph.checks import checked_store  # noqa: E402
from graph.load import SourcePaths, load_sources  # noqa: E402
from graph.shacl import shape_results  # noqa: E402


def best(run: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """The shortest of `runs` timings of `run`, and its answer."""
    times, answer = [], None
    for _ in range(runs):
        started = time.perf_counter()
        answer = run()
        times.append(time.perf_counter() - started)
    return min(times), answer


def measure(root: Path, runs: int) -> str:
    """One table row: data triples, pyshacl s, store s, queries s, the ratios."""
    sources = load_sources(SourcePaths(root))
    pyshacl_s, (conforms, _, _) = best(lambda: pyshacl_validate(
        sources.data + sources.ontology, shacl_graph=sources.shapes, inference="none",
        allow_warnings=True), 1 if len(sources.data) > 50_000 else runs)
    store_s, store = best(lambda: checked_store(sources.data, sources.ontology), runs)
    queries_s, results = best(
        lambda: shape_results(store, sources.shapes, sources.shapes_file), runs)
    assert conforms == (not results), "pyshacl and graph/shacl.py disagree"
    return (f"| {len(sources.data):,} | {pyshacl_s:.2f} | {store_s:.2f} | {queries_s:.3f} | "
            f"{pyshacl_s / queries_s:.0f}x | {pyshacl_s / (store_s + queries_s):.1f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", default="0,300,1180")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| data triples | pyshacl s | store s | queries s | pyshacl / queries | "
          "pyshacl / (store + queries) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for studies in (int(n) for n in args.studies.split(",")):
        if studies == 0:
            print(measure(PROJECT, args.runs), flush=True)
            continue
        with tempfile.TemporaryDirectory() as folder:
            write_root(Path(folder), studies, args.seed)
            print(measure(Path(folder), args.runs), flush=True)


if __name__ == "__main__":
    main()
