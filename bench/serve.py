"""HTTP throughput and latency of `crtkg serve` against four peers, same graph, same queries.

    bench/setup.sh                      # once: wrk, Virtuoso, the peer venv
    python bench/serve.py [--duration S] [--skip virtuoso,rdflib-endpoint,...] [--json FILE]

Run it with the project's Python (the venv crtkg is installed in). Targets:
  ours             crtkg serve (waitress, --threads T)
  ours-nocache     the same with its answer cache off (CRTKG_CACHE_ENTRIES=0): the cache
                   answers a repeated query from memory, this row shows the query engine
  rdflib-endpoint  rdflib-endpoint under uvicorn, default graph = union of the named graphs
  hello-world      Flask hello-world under waitress (T threads): the framework's ceiling
  oxigraph-app     a minimal Flask app over a pyoxigraph Store, under waitress (T threads)
  virtuoso         Virtuoso Open Source, the quads loaded into their named graphs
Datasets: the project's built graph, and bench/scale.py's synthetic scale-up (built for
real: SHACL, OWL 2 RL). Queries: every queries/*.rq, plus scale.JOIN_QUERY on the scale-up.
Every target's answer to every query is checked against Oxigraph in process before timing;
a target answering other rows is not timed. Load: wrk, GET, SPARQL JSON, --latency.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import scale
import servers
import wrk

from graph.namespaces import sparql_prologue
from graph.query import solutions

PROJECT = Path(__file__).resolve().parent.parent
OURS = ("ours", "ours-nocache", "ours-new")  # crtkg serve: cache on, off, and new queries
PEERS = ("rdflib-endpoint", "hello-world", "oxigraph-app", "oxigraph-gunicorn",
         "oxigraph-gunicorn-new", "virtuoso", "virtuoso-new")
TARGETS = (*OURS, *PEERS)
NEW = "-new"  # a target named so is its server's, sent a query it has not seen each time
NO_ANSWER = {"hello-world"}  # answers no query: only its speed counts
SPARQL_JSON = "application/sparql-results+json"
JOIN_NAME = "2-hop join"
SORTED_JOIN_NAME = "2-hop join, all sorted, first 20"
# The graphs a query sees: crtkg serves graph:derivations only to a query that names it.
GRAPH_COUNTS = """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/crtkg/graph/")
         && ?g != <https://w3id.org/crtkg/graph/derivations>) } GROUP BY ?g"""
# Targets, per target of ours: ours/peer req/s must be at least this, per dataset ("ahead
# of" a peer: more than it); and the latency bound.
ENGINE_GOALS = {
    ">= 100x rdflib-endpoint (1000x on the scale-up)":
        ("rdflib-endpoint", {"built": 100.0, "scale": 1000.0}),
    "ahead of virtuoso": ("virtuoso", {"built": 1.0, "scale": 1.0}),
    ">= half the hello-world ceiling": ("hello-world", {"built": 0.5, "scale": 0.5}),
}
GOALS = {
    "ours": {**ENGINE_GOALS, ">= 1.2x the bare app under gunicorn":
             ("oxigraph-gunicorn", {"built": 1.2, "scale": 1.2})},
    "ours-nocache": ENGINE_GOALS,
    "ours-new": {">= 0.8x the bare app under gunicorn, new queries":
                 ("oxigraph-gunicorn-new", {"built": 0.8, "scale": 0.8}),
                 "ahead of virtuoso, new queries": ("virtuoso-new", {"built": 1.0, "scale": 1.0})},
}
AHEAD_OF = {"virtuoso", "virtuoso-new"}
P99_GOAL_MS = 20.0

Rows = Counter[tuple[str | None, ...]]


@dataclass
class Dataset:
    key: str  # "built" or "scale"
    title: str
    root: Path
    artifact: Path
    quads: int
    queries: dict[str, str]  # name -> full text sent (prologue included)
    expected: dict[str, Rows] = field(default_factory=dict)


@dataclass
class Outcome:
    """One target on one query: a wrk run, or why there is none."""

    target: str
    run: wrk.Run | None = None
    problem: str = ""  # missing, wrong answer, or errors during the run

    @property
    def rps(self) -> float | None:
        return self.run.rps if self.run and not self.problem else None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # wrk takes whole seconds only
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30, help="wrk's per-request timeout")
    parser.add_argument("--threads", type=int, default=8,
                        help="waitress threads of ours, hello-world and oxigraph-app; "
                             "Virtuoso's HTTP threads")
    parser.add_argument("--web-processes", type=int, default=2,
                        help="web processes of ours (crtkg serve --web-processes)")
    parser.add_argument("--skip", default="", help=f"comma-separated, of: {', '.join(TARGETS)}")
    parser.add_argument("--datasets", default="built,scale", help="built, scale or both")
    parser.add_argument("--studies", type=int, default=300, help="synthetic studies (scale-up)")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--queries", default=",".join(DEFAULT_QUERIES),
                        help="comma-separated names from queries/, or all")
    args = parser.parse_args()
    if args.duration < 1 or args.warmup < 1:
        parser.error("--duration and --warmup are whole seconds, at least 1")
    args.skip = {name for name in args.skip.split(",") if name}
    if unknown := args.skip - set(TARGETS):
        parser.error(f"unknown targets in --skip: {', '.join(sorted(unknown))}")
    return args


# The named queries measured by default: the two the figures were taken on and the
# catalogue's widest join. `--queries all` measures every file (about 2 min per query).
DEFAULT_QUERIES = ("recommendations", "radiation-modalities", "claim-evidence")


def named_queries(prologue: str, names: tuple[str, ...] | None) -> dict[str, str]:
    paths = sorted((PROJECT / "queries").glob("*.rq"))
    return {path.stem: prologue + path.read_text(encoding="utf-8")
            for path in paths if names is None or path.stem in names}


def query_names(option: str) -> tuple[str, ...] | None:
    return None if option == "all" else tuple(option.split(","))


def built_dataset(tmp: Path, names: tuple[str, ...] | None) -> Dataset:
    artifact = tmp / "built.nq"
    subprocess.run([*scale.crtkg_command(), "--artifact", str(artifact), "build", "--force"],
                   check=True, capture_output=True, text=True)
    return Dataset("built", "built graph", PROJECT, artifact, scale.quad_count(artifact),
                   named_queries(sparql_prologue(), names))


def scale_dataset(tmp: Path, studies: int, seed: int, names: tuple[str, ...] | None) -> Dataset:
    started = time.perf_counter()
    artifact, summary = scale.build_scaled(tmp / "scale", studies, seed)
    print(f"scale-up ({studies} studies, seed {seed}) built in "
          f"{time.perf_counter() - started:.0f} s:\n{summary}\n", flush=True)
    queries = named_queries(sparql_prologue(), names)
    queries[JOIN_NAME] = sparql_prologue() + scale.JOIN_QUERY
    queries[SORTED_JOIN_NAME] = sparql_prologue() + scale.SORTED_JOIN_QUERY
    return Dataset("scale", "synthetic scale-up", tmp / "scale", artifact,
                   scale.quad_count(artifact), queries)


def reference_rows(dataset: Dataset) -> None:
    """The expected answers, from Oxigraph in this process over the same artifact."""
    store = ox.Store()
    store.bulk_load(path=str(dataset.artifact), format=ox.RdfFormat.N_QUADS)
    for name, text in {**dataset.queries, "graph counts": GRAPH_COUNTS}.items():
        answer = solutions(store.query(text, use_default_graph_as_union=True))
        names = [v.value for v in answer.variables]
        dataset.expected[name] = Counter(
            tuple(None if s[v] is None else s[v].value for v in names) for s in answer)
    join = dataset.expected.get(JOIN_NAME)
    if join is not None and sum(join.values()) != 20:
        raise SystemExit(f"the join query answers {sum(join.values())} rows, not 20")


def fetch_rows(url: str, query: str, timeout: float) -> Rows:
    request = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': query})}",
                                     headers={"Accept": SPARQL_JSON})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.load(response)
    names = answer["head"]["vars"]
    return Counter(tuple(b.get(v, {}).get("value") for v in names)
                   for b in answer["results"]["bindings"])


def answer_problem(url: str, query: str, expected: Rows, timeout: float) -> str:
    """Why this target's answer differs from the expected rows; empty if it does not."""
    try:
        rows = fetch_rows(url, query, timeout)
    except (OSError, ValueError, KeyError) as err:
        return f"no valid SPARQL JSON answer: {err}"
    got, want = sum(rows.values()), sum(expected.values())
    if got != want:
        return f"wrong answer: {got} rows, expected {want}"
    if rows != expected:
        return f"wrong answer: {got} rows as expected, but other values"
    return ""


def server_of(target: str) -> str:
    """The server a target measures: a -new target's is the target without the suffix."""
    return "ours" if target == "ours-new" else target.removesuffix(NEW)


def server_for(target: str, dataset: Dataset, tmp: Path, threads: int,
               web_processes: int) -> AbstractContextManager[str]:
    log = tmp / f"{dataset.key}-{target}.log"
    starters: dict[str, Callable[[], AbstractContextManager[str]]] = {
        "ours": lambda: servers.ours(dataset.root, dataset.artifact, log, threads,
                                     web_processes=web_processes),
        "ours-nocache": lambda: servers.ours(dataset.root, dataset.artifact, log, threads,
                                             answer_cache=False, web_processes=web_processes),
        "oxigraph-gunicorn": lambda: servers.gunicorn_app(dataset.artifact, log),
        "rdflib-endpoint": lambda: servers.peer("rdflib", dataset.artifact, log, threads),
        "hello-world": lambda: servers.peer("hello", dataset.artifact, log, threads),
        "oxigraph-app": lambda: servers.peer("oxigraph", dataset.artifact, log, threads),
        "virtuoso": lambda: servers.virtuoso(dataset.artifact, tmp / f"{dataset.key}-vt",
                                             threads),
    }
    return starters[target]()


def start_all(stack: ExitStack, dataset: Dataset, tmp: Path,
              args: argparse.Namespace) -> tuple[dict[str, str], dict[str, str]]:
    """Start the server of every target not skipped; return the targets' URLs and, for the
    others, why not."""
    wanted = [t for t in TARGETS if t not in args.skip]
    started: dict[str, str] = {}
    failed: dict[str, str] = {}
    for server in dict.fromkeys(server_of(t) for t in wanted):
        try:
            started[server] = stack.enter_context(
                server_for(server, dataset, tmp, args.threads, args.web_processes))
        except servers.Missing as err:
            failed[server] = f"missing: {err}"
    urls = {t: started[server_of(t)] for t in wanted if server_of(t) in started}
    missing = {t: failed.get(server_of(t), "skipped (--skip)") for t in TARGETS
               if t not in urls}
    for target in TARGETS:
        print(f"  {target:<22} {urls.get(target) or missing[target]}", flush=True)
    return urls, missing


def check_answers(urls: dict[str, str], dataset: Dataset, timeout: float) -> dict[str, str]:
    """Per (target, query) key 'target|query': why the target must not be timed on it."""
    wrong = {}
    checks = {**dataset.queries, "graph counts": GRAPH_COUNTS}
    for target, url in urls.items():
        if target in NO_ANSWER or server_of(target) != target:  # a -new target: its server's
            continue
        for name, text in checks.items():
            if problem := answer_problem(url, text, dataset.expected[name], timeout):
                print(f"  {target} on {name}: {problem}", flush=True)
                wrong[f"{target}|{name}"] = problem
        if (graph_problem := wrong.get(f"{target}|graph counts")):  # other quads: all wrong
            for name in dataset.queries:
                wrong.setdefault(f"{target}|{name}", f"graph counts differ: {graph_problem}")
    return wrong


def drain(url: str, timeout: float) -> None:
    """Wait out requests a finished wrk run left queued: one more request, answered last.
    Until it is answered 200: while the left requests still hold the client's share, ours
    refuses it (429) at once. A query of its own (a comment appended), so that no cache
    answers it ahead of them."""
    own = f"{url}{urllib.parse.quote(f'{chr(10)}# drain {time.monotonic_ns()}')}"
    request = urllib.request.Request(own, headers={"Accept": SPARQL_JSON})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
                return
        except urllib.error.HTTPError as err:
            if err.code not in (429, 503):
                return
            time.sleep(0.2)
        except OSError:
            return


def measure(url: str, args: argparse.Namespace, new_queries: bool = False) -> wrk.Run:
    """A warm-up with one connection (so nothing is left queued), then the measured run."""
    wrk.run(url, args.warmup, 1, 1, args.timeout, new_queries)
    drain(url, args.timeout * 4)
    measured = wrk.run(url, args.duration, args.connections, args.wrk_threads, args.timeout,
                       new_queries)
    drain(url, args.timeout * 4)
    return measured


def bench_query(name: str, text: str, urls: dict[str, str], missing: dict[str, str],
                wrong: dict[str, str], args: argparse.Namespace) -> list[Outcome]:
    outcomes = []
    for target in TARGETS:
        problem = missing.get(target) or wrong.get(f"{server_of(target)}|{name}")
        if problem:
            outcomes.append(Outcome(target, problem=problem))
            continue
        url = f"{urls[target]}?{urllib.parse.urlencode({'query': text})}"
        try:
            run = measure(url, args, new_queries=server_of(target) != target)
        except RuntimeError as err:  # wrk itself failed: say so, measure the others
            outcomes.append(Outcome(target, problem=str(err)))
            continue
        outcomes.append(Outcome(target, run, run.failures))
    return outcomes


def bench_dataset(dataset: Dataset, tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    print(f"== {dataset.title}: {dataset.quads} quads; starting servers", flush=True)
    reference_rows(dataset)
    results: dict[str, list[Outcome]] = {}
    with ExitStack() as stack:
        urls, missing = start_all(stack, dataset, tmp, args)
        wrong = check_answers(urls, dataset, args.timeout)
        for name, text in dataset.queries.items():
            results[name] = bench_query(name, text, urls, missing, wrong, args)
            print_table(dataset, name, results[name])
    return {"dataset": dataset.key, "title": dataset.title, "quads": dataset.quads,
            "queries": {name: query_report(dataset, name, outcomes, args.connections)
                        for name, outcomes in results.items()}}


def cell(value: float | None, width: int, digits: int) -> str:
    return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"


def print_table(dataset: Dataset, name: str, outcomes: list[Outcome]) -> None:
    rows = sum(dataset.expected[name].values())
    print(f"\n-- {dataset.title} ({dataset.quads} quads) | {name} ({rows} rows)")
    print(f"   {'target':<22} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9}  note")
    for o in outcomes:
        ok = o.run is not None and not o.problem
        p50 = o.run.p50_ms if ok and o.run else None
        p99 = o.run.p99_ms if ok and o.run else None
        note = o.problem or ("ceiling: answers no query" if o.target in NO_ANSWER else "")
        print(f"   {o.target:<22} {cell(o.rps, 10, 1)} {cell(p50, 9, 2)} {cell(p99, 9, 2)}"
              f"  {note}", flush=True)


def ratio(ours: Outcome, other: Outcome) -> float | None:
    if ours.rps is None or other.rps is None or other.rps == 0:
        return None
    return ours.rps / other.rps


def goals(dataset: Dataset, ours: Outcome, outcomes: dict[str, Outcome],
          connections: int) -> dict[str, bool | None]:
    """Each target: met (True), not met (False) or not measurable (None)."""
    met: dict[str, bool | None] = {}
    for goal, (peer, minimum) in GOALS[ours.target].items():
        r = ratio(ours, outcomes[peer])
        at_least = minimum[dataset.key]
        met[goal] = None if r is None else (r > at_least if peer in AHEAD_OF else r >= at_least)
    p99 = ours.run.p99_ms if ours.run and not ours.problem else None
    met[f"p99 < {P99_GOAL_MS:g} ms at {connections} connections"] = (
        None if p99 is None else p99 < P99_GOAL_MS)
    return met


def compared_with(ours: str) -> list[str]:
    """The peers a target of ours is compared with: those of its goals, and oxigraph-app."""
    return list(dict.fromkeys([peer for peer, _ in GOALS[ours].values()] + ["oxigraph-app"]))


def query_report(dataset: Dataset, name: str, outcomes: list[Outcome],
                 connections: int) -> dict[str, object]:
    by_target = {o.target: o for o in outcomes}
    return {"rows": sum(dataset.expected[name].values()),
            "targets": {o.target: {"run": o.run.as_dict() if o.run else None,
                                   "problem": o.problem} for o in outcomes},
            "ratios": {ours: {peer: ratio(by_target[ours], by_target[peer])
                              for peer in compared_with(ours)}
                       for ours in OURS},
            "goals": {ours: goals(dataset, by_target[ours], by_target, connections)
                      for ours in OURS}}


def show(value: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "not measured"}[value]


def print_summary(report: list[dict]) -> None:
    print("\n== Ratios (req/s of ours / req/s of the peer) and targets")
    for data in report:
        for name, q in data["queries"].items():
            print(f"-- {data['title']} | {name}")
            for ours in OURS:
                ratios = "  ".join(f"{peer} {'-' if r is None else f'{r:.3g}x'}"
                                   for peer, r in q["ratios"][ours].items())
                print(f"   {ours:<13} {ratios}")
                for verdict in (True, False, None):
                    if goals := [g for g, ok in q["goals"][ours].items() if ok is verdict]:
                        print(f"   {'':<13} {show(verdict)}: {'; '.join(goals)}")
    print_overall(report)


def print_overall(report: list[dict]) -> None:
    """Each target over every dataset and query: on how many it was met."""
    print("\n== Targets over all datasets and queries")
    for ours in OURS:
        tally: dict[str, Counter[bool | None]] = {}
        for data in report:
            for q in data["queries"].values():
                for goal, met in q["goals"][ours].items():
                    tally.setdefault(goal, Counter())[met] += 1
        for goal, counts in tally.items():
            print(f"   {ours:<13} {goal:<48} met on {counts[True]} of {sum(counts.values())}"
                  + (f" ({counts[None]} not measured)" if counts[None] else ""))


def versions() -> dict[str, str]:
    """Versions of what is measured, for the record."""
    found = {"python": sys.version.split()[0]}
    for name, cmd in {"wrk": ["wrk", "-v"], "virtuoso": ["virtuoso-t", "-?"]}.items():
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            found[name] = next((line.strip() for line in (out.stdout + out.stderr).splitlines()
                                if "ersion" in line or line.startswith("wrk")), "?")
        except OSError:
            found[name] = "not installed"
    return {**found, **peer_versions()}


def peer_versions() -> dict[str, str]:
    packages = ("rdflib-endpoint", "rdflib", "uvicorn", "flask", "waitress", "pyoxigraph")
    script = ("import importlib.metadata as m, json; print(json.dumps({p: m.version(p) "
              f"for p in {packages!r}}}))")
    try:
        out = subprocess.run([str(servers.peer_python()), "-c", script], capture_output=True,
                             text=True, check=True)
    except (servers.Missing, subprocess.CalledProcessError) as err:
        return {"peer venv": f"unusable: {err}"}
    return {f"peer {name}": version for name, version in json.loads(out.stdout).items()}


def datasets(args: argparse.Namespace, tmp: Path) -> Iterator[Dataset]:
    wanted = set(args.datasets.split(","))
    if "built" in wanted:
        yield built_dataset(tmp, query_names(args.queries))
    if "scale" in wanted:
        yield scale_dataset(tmp, args.studies, args.seed, query_names(args.queries))


def stop_on_sigterm() -> None:
    """Turn SIGTERM into KeyboardInterrupt so every server is stopped on the way out."""
    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)


def main() -> None:
    args = parse_args()
    wrk.binary()
    stop_on_sigterm()
    print(f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s "
          f"--timeout {args.timeout:g}s --latency; warm-up {args.warmup}s; "
          f"server threads {args.threads}; {versions()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="crtkg-bench-") as tmp:
        report = [bench_dataset(d, Path(tmp), args) for d in datasets(args, Path(tmp))]
    print_summary(report)
    if args.json:
        args.json.write_text(json.dumps({"args": {k: sorted(v) if isinstance(v, set) else
                                                  str(v) for k, v in vars(args).items()},
                                         "versions": versions(), "datasets": report},
                                        indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: servers stopped")
