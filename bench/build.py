"""The whole build, rules against owlrl, on scale-ups of the graph: time and peak memory.

    python bench/build.py [--studies 0,50,370,780,4000] [--owlrl-max 780] [--runs N]

For each size, bench/scale.py writes a project root (the real sources plus N synthetic
studies; 0 is the real graph); then `crtkg build --force --reasoner R` runs in a process of
its own for each reasoner, timed from outside (wall clock) with its peak RSS from wait4.
The rules build runs --runs times (default 3) and its median is reported, with the range:
on a shared machine one short run can be off by a third. owlrl's build runs once: at
minutes long, it averages such noise out by itself.
The same build either way: loading, SHACL and the SPARQL checks, the mappings, reasoning,
writing the artifact (the rules also record and write every derivation). Both artifacts
must hold the same inferred triples. owlrl runs only up to --owlrl-max studies. Prints a
Markdown table; figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

from scale import crtkg_command, write_root  # noqa: E402

from graph.artifact import read_header  # noqa: E402

INPUT_GRAPHS = ("ontology", "imports", "data")


def timed_build(root: Path, artifact: Path, reasoner: str) -> dict:
    """Run one build in a child process; its wall time, peak RSS and triple counts."""
    command = [*crtkg_command(), "--root", str(root), "--artifact", str(artifact), "build",
               "--force", "--reasoner", reasoner]
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: wait4 cannot block on it
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise RuntimeError(f"{reasoner} build of {root} failed:\n{err.read().decode()}")
    header = read_header(artifact)
    assert header is not None, artifact
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "triples": header.triples}


def median_run(root: Path, artifact: Path, runs: int) -> dict:
    """The rules build `runs` times: the median run, with the fastest and slowest time."""
    done = sorted((timed_build(root, artifact, "rules") for _ in range(runs)),
                  key=lambda run: run["seconds"])
    return {**done[len(done) // 2], "range": (done[0]["seconds"], done[-1]["seconds"])}


def row(studies: int, ours: dict, theirs: dict | None) -> str:
    counts = ours["triples"]
    given = sum(counts[g] for g in INPUT_GRAPHS)
    low, high = ours["range"]
    cells = [str(studies or "real"), f"{given:,}", f"{counts['inferred']:,}",
             f"{counts.get('derivations', 0):,}", f"{ours['seconds']:.1f} ({low:.1f}-{high:.1f})",
             f"{ours['peak_mb']:,.0f}"]
    if theirs is None:
        cells += ["not run", "not run", "not run"]
    else:
        cells += [f"{theirs['seconds']:.1f}", f"{theirs['peak_mb']:,.0f}",
                  f"{theirs['seconds'] / ours['seconds']:.1f}x"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", default="0,50,370,780,4000",
                        help="comma-separated numbers of synthetic studies (0: the real graph)")
    parser.add_argument("--owlrl-max", type=int, default=780,
                        help="largest number of studies owlrl builds")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--runs", type=int, default=3, help="rules builds per size")
    args = parser.parse_args()
    print("| studies | input triples | inferred | derivation triples | rules s (range) "
          "| rules peak MB "
          "| owlrl s | owlrl peak MB | owlrl / rules |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for studies in [int(n) for n in args.studies.split(",")]:
        with tempfile.TemporaryDirectory(prefix="crtkg-build-") as folder:
            root = PROJECT if studies == 0 else Path(folder)
            if studies:
                write_root(root, studies, args.seed)
            ours = median_run(root, Path(folder) / "rules.nq", args.runs)
            theirs = (timed_build(root, Path(folder) / "owlrl.nq", "owlrl")
                      if studies <= args.owlrl_max else None)
        if theirs and theirs["triples"]["inferred"] != ours["triples"]["inferred"]:
            print(f"  (!) {studies} studies: owlrl keeps {theirs['triples']['inferred']} "
                  f"inferred triples, the rules {ours['triples']['inferred']}")
        print(row(studies, ours, theirs), flush=True)


if __name__ == "__main__":
    main()
