"""What a resource page costs beyond the engine's own answer about the resource.

    python bench/pages.py [--studies 0,780] [--repeat 30]

For the real graph (0) and bench/scale.py's scale-ups, builds the artifact, creates the
server in process and times, per page, the median of --repeat requests through Flask's test
client (no sockets: the page's own work) against the same store answering the bare question
a page answers, in process: `DESCRIBE <iri>` plus the incoming links (`SELECT ?s ?p
{ ?s ?p <iri> }`), Oxigraph with nothing around it. Pages: a trial, a claim, a modality
(many incoming links on the scale-up), a class, a property, the vocabulary index; each as
HTML and as Turtle. Prints a Markdown table: milliseconds and the ratio page / engine.
Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

import pyoxigraph as ox  # noqa: E402
from scale import build_scaled, quad_count  # noqa: E402

from graph.artifact import open_store  # noqa: E402
from graph.namespaces import ALL_GRAPHS, BASE  # noqa: E402
from server import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.state import app_state  # noqa: E402

PAGES = {"trial": "id/echocrt", "claim": "id/rec-echo-patient-selection",
         "modality": "id/echocardiography", "class": "ontology/ImagingModality",
         "property": "ontology/reportsFinding", "vocabulary index": "ontology"}
HTML = "text/html"


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm: labels, the vocabulary's first read
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def engine(store: ox.Store, iri: str) -> Callable[[], object]:
    union: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
        ox.NamedNode(str(g)) for g in ALL_GRAPHS]

    def ask() -> object:
        described = store.query(f"DESCRIBE <{iri}>", default_graph=union)
        incoming = store.query(f"SELECT ?s ?p {{ ?s ?p <{iri}> }}", default_graph=union)
        assert isinstance(described, ox.QueryTriples)
        assert isinstance(incoming, ox.QuerySolutions)
        return list(described), list(incoming)
    return ask


def measure(artifact: Path, repeat: int) -> list[dict]:
    app = create_app(Settings.from_env(artifact, PROJECT / "queries", environ={}))
    client = app.test_client()
    store = open_store(artifact)
    rows = []
    try:
        for name, path in PAGES.items():
            bare = median_ms(engine(store, BASE + path), repeat)
            for accept in (HTML, "text/turtle"):
                def get(path: str = path, accept: str = accept) -> object:
                    response = client.get("/" + path, headers={"Accept": accept})
                    assert response.status_code == 200, (path, response.status_code)
                    return response.data
                rows.append({"page": name, "format": accept, "ms": median_ms(get, repeat),
                             "engine_ms": bare})
    finally:
        app_state(app).pool.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", default="0,780")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print("| studies | quads | page | format | page ms | engine ms | page / engine |")
    print("|---:|---:|---|---|---:|---:|---:|")
    for studies in (int(n) for n in args.studies.split(",")):
        with tempfile.TemporaryDirectory(prefix="crtkg-pages-") as tmp:
            if studies == 0:
                artifact = PROJECT / "build" / "crtkg.nq"
                if not artifact.exists():
                    sys.exit("build the graph first: crtkg build")
            else:
                artifact, _ = build_scaled(Path(tmp), studies, seed=2016)
            quads = quad_count(artifact)
            for row in measure(artifact, args.repeat):
                print(f"| {studies or 'real'} | {quads:,} | {row['page']} | {row['format']} | "
                      f"{row['ms']:.1f} | {row['engine_ms']:.1f} | "
                      f"{row['ms'] / row['engine_ms']:.1f}x |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
