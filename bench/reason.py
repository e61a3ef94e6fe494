"""Reasoning speed and memory: crtkg's compiled rules against owlrl, on scale-ups of the graph.

    python bench/reason.py [--studies 110,650,1350,6900] [--owlrl-max 1350] [--seed S]

For each size, bench/scale.py writes a project root (the real ontology, imports and data plus
N synthetic studies); then each reasoner runs in a fresh process of its own, which loads the
sources and times `graph.reason.reason` alone (the rules' time includes recording the
derivations). Peak RSS is the process's ru_maxrss after reasoning, with the RSS after loading
beside it, so the difference is the reasoner's. The real graph's whole build (`crtkg build
--force`, rules) is timed too. owlrl runs only up to --owlrl-max studies: past that it takes
many minutes. Prints a Markdown table; figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def measure(root: Path, reasoner: str) -> dict:
    """In this process: load the sources of `root`, reason, report time, triples and RSS."""
    from graph.load import SourcePaths, load_sources
    from graph.namespaces import DATA_GRAPH, IMPORTS_GRAPH, ONTOLOGY_GRAPH
    from graph.reason import reason

    sources = load_sources(SourcePaths(root))
    graphs = {ONTOLOGY_GRAPH: sources.ontology, IMPORTS_GRAPH: sources.imports,
              DATA_GRAPH: sources.data}
    loaded_mb = _peak_mb()
    started = time.perf_counter()
    inference = reason(graphs, reasoner)
    seconds = time.perf_counter() - started
    derivations = (sum(len(w) for w in inference.closure.derivations.values())
                   if inference.closure else 0)
    return {"seconds": seconds, "input": sum(len(g) for g in graphs.values()),
            "inferred": len(inference.graph), "derivations": derivations,
            "loaded_mb": loaded_mb, "peak_mb": _peak_mb()}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_child(root: Path, reasoner: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--measure", str(root), reasoner],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{reasoner} on {root} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def time_real_build() -> float:
    from scale import crtkg_command  # bench/scale.py, beside this file

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run([*crtkg_command(), "--root", str(PROJECT), "--artifact",
                        str(Path(folder) / "crtkg.nq"), "build", "--force"],
                       capture_output=True, check=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", default="110,650,1350,6900",
                        help="comma-separated numbers of synthetic studies (0: the real graph)")
    parser.add_argument("--owlrl-max", type=int, default=1350,
                        help="largest number of studies owlrl runs on")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--measure", nargs=2, metavar=("ROOT", "REASONER"),
                        help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), args.measure[1])))
        return
    sys.path.insert(0, str(PROJECT / "bench"))
    from scale import write_root

    print(f"real graph, whole build (`crtkg build --force`, rules): {time_real_build():.2f} s")
    print()
    print("| studies | input triples | inferred | derivations | rules s | rules peak MB "
          "(after load) | owlrl s | owlrl peak MB (after load) | owlrl / rules |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for studies in [int(n) for n in args.studies.split(",")]:
        with tempfile.TemporaryDirectory(prefix="crtkg-reason-") as folder:
            root = PROJECT if studies == 0 else Path(folder)
            if studies:
                write_root(root, studies, args.seed)
            ours = run_child(root, "rules")
            theirs = run_child(root, "owlrl") if studies <= args.owlrl_max else None
        if theirs and theirs["inferred"] != ours["inferred"]:
            print(f"  (!) {studies} studies: owlrl keeps {theirs['inferred']} triples, the "
                  f"rules {ours['inferred']}")
        ratio = f"{theirs['seconds'] / ours['seconds']:.0f}x" if theirs else "not run"
        owl = (f"{theirs['seconds']:.2f} | {theirs['peak_mb']:.0f} ({theirs['loaded_mb']:.0f})"
               if theirs else "not run | not run")
        print(f"| {studies or 'real'} | {ours['input']:,} | {ours['inferred']:,} | "
              f"{ours['derivations']:,} | {ours['seconds']:.2f} | {ours['peak_mb']:.0f} "
              f"({ours['loaded_mb']:.0f}) | {owl} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
