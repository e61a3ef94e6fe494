"""Build the graph into one artifact file, atomically, and open it for querying.

The artifact is canonical N-Quads (RDFC-1.0 blank node labels, lines sorted) behind a
comment header that records the sources' digest and the triple counts, so the same
sources give a byte-identical file and an unchanged build can be skipped.
"""

from __future__ import annotations

import gc
import itertools
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.derivations import write_derivations
from graph.derive import Closure
from graph.errors import ArtifactMissing
from graph.files import write_atomically
from graph.links import links_graph
from graph.load import SourcePaths, load_sources, sources_digest
from graph.namespaces import DATA_GRAPH, GRAPHS, IMPORTS_GRAPH, ONTOLOGY_GRAPH
from graph.nquads import Quads
from graph.reason import REASONERS, reason
from graph.rules import Triple
from graph.validate import validate

HEADER = "# crtkg build artifact"
_CHUNK = 65536  # lines written at once


def default_artifact(paths: SourcePaths) -> Path:
    """$CRTKG_ARTIFACT, or build/crtkg.nq under the project root."""
    return Path(os.environ.get("CRTKG_ARTIFACT", paths.root / "build" / "crtkg.nq"))


@dataclass
class BuildSummary:
    """What a build produced: triples per named graph, trimmed inferences, time taken."""

    artifact: Path
    digest: str
    triples: dict[str, int]
    trimmed: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    reused: bool = False
    reasoner: str = REASONERS[0]

    def text(self) -> str:
        if self.reused:
            head = f"Up to date: no source changed since the last build; reusing {self.artifact}"
        else:
            head = f"Built {self.artifact} in {self.seconds:.1f} s (reasoner: {self.reasoner})"
        lines = [head]
        lines += [f"  {name:<10} {count:>6} triples" for name, count in self.triples.items()]
        lines.append(f"  {'total':<10} {sum(self.triples.values()):>6} triples")
        trimmed = sum(self.trimmed.values())
        detail = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.trimmed.items()))
        lines.append(f"  trimmed {trimmed} trivial inferred triples" +
                     (f" ({detail})" if detail else ""))
        return "\n".join(lines)


def build(paths: SourcePaths, artifact: Path | None = None, force: bool = False,
          reasoner: str = REASONERS[0]) -> BuildSummary:
    """Load, validate, reason and write the artifact; reuse it if no source changed.

    `reasoner` is "rules" (crtkg's compiled rules, which also write graph:derivations) or
    "owlrl" (the reference: the same artifact without derivations). A failure at any step
    raises and leaves the previous artifact untouched.
    """
    artifact = artifact or default_artifact(paths)
    paths.check_exists()
    digest = sources_digest(paths)
    if not force and artifact.exists():
        previous = read_header(artifact)
        if previous is not None and previous.digest == digest and \
                previous.reasoner == reasoner:
            previous.reused = True
            return previous
    started = time.perf_counter()
    with _no_cyclic_gc():
        summary = _build(paths, artifact, digest, reasoner)
    summary.seconds = time.perf_counter() - started
    return summary


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a build allocates millions of tuples and terms
    that live to its end, and the collector's repeated passes over them took a fifth of the
    time at 100k triples; reference counting still frees everything else."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(paths: SourcePaths, artifact: Path, digest: str, reasoner: str) -> BuildSummary:
    """The build proper: load, validate, link, reason, write."""
    sources = load_sources(paths)
    validate(sources, paths.texts_dir, paths.check_files)
    mappings = links_graph(sources)
    inference = reason({ONTOLOGY_GRAPH: sources.ontology, IMPORTS_GRAPH: sources.imports,
                        DATA_GRAPH: sources.data}, reasoner, sources.triples)
    listed = sources.triples
    graphs: dict[str, Iterable[Triple]] = {
        "ontology": listed[ONTOLOGY_GRAPH], "imports": listed[IMPORTS_GRAPH],
        "data": listed[DATA_GRAPH], "mappings": mappings, "inferred": inference.graph}
    lines, counts = canonical_nquads(graphs, inference.closure)
    summary = BuildSummary(artifact, digest, counts, inference.trimmed, reasoner=reasoner)
    write_artifact(artifact, lines, summary)
    return summary


def canonical_nquads(graphs: dict[str, Iterable[Triple]],
                     closure: Closure | None = None) -> tuple[list[str], dict[str, int]]:
    """The quads of the named graphs (and of graph:derivations, from the closure) as sorted
    N-Quads lines with canonical blank nodes, and the triples each graph has."""
    quads = Quads()
    for name, triples in graphs.items():
        quads.add_graph(name, str(GRAPHS[name]), triples)
    if closure is not None:
        write_derivations(closure, quads)
    return quads.sorted_lines(), quads.counts


def write_artifact(artifact: Path, lines: list[str], summary: BuildSummary) -> None:
    """Write header + quad lines atomically: a failed write leaves the last artifact."""
    header = [HEADER, f"# sources-digest {summary.digest}", f"# reasoner {summary.reasoner}"]
    header += [f"# triples {name} {count}" for name, count in summary.triples.items()]
    header += [f"# trimmed {kind.replace(' ', '_')} {n}"
               for kind, n in sorted(summary.trimmed.items())]
    chunks = ("\n".join(lines[start:start + _CHUNK]) + "\n"  # joined in C, a chunk at a time
              for start in range(0, len(lines), _CHUNK))
    write_atomically(artifact, itertools.chain(["\n".join(header) + "\n"], chunks))


def read_header(artifact: Path) -> BuildSummary | None:
    """The summary recorded in an artifact's header, or None if it has none."""
    digest: str | None = None
    reasoner: str | None = None
    triples: dict[str, int] = {}
    trimmed = Counter[str]()
    with artifact.open(encoding="utf-8") as lines:
        if lines.readline().rstrip("\n") != HEADER:
            return None
        for line in lines:
            if not line.startswith("# "):
                break
            key, *rest = line[2:].split()
            if key == "sources-digest":
                digest = rest[0]
            elif key == "triples":
                triples[rest[0]] = int(rest[1])
            elif key == "trimmed":
                trimmed[rest[0].replace("_", " ")] = int(rest[1])
            elif key == "reasoner":
                reasoner = rest[0]
    if not digest or not reasoner:
        return None  # an artifact from before this header: build anew
    return BuildSummary(artifact, digest, triples, trimmed, reasoner=reasoner)


def require_artifact(artifact: Path) -> None:
    """Raise ArtifactMissing, with the command that makes one, if the artifact is absent."""
    if not artifact.exists():
        raise ArtifactMissing(f"{artifact}: no build artifact; run `crtkg build` first")


def open_store(artifact: Path) -> ox.Store:
    """An in-memory Oxigraph store loaded from the artifact: the engine for every query."""
    require_artifact(artifact)
    store = ox.Store()
    store.bulk_load(path=artifact, format=ox.RdfFormat.N_QUADS)
    return store
