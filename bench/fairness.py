"""Fairness under abuse: other clients' latency while one client floods the endpoint with
pathological queries. Prints, for a phase without the hog and a phase with it, the other
clients' statuses and p50/p99/max latency, and the hog's statuses.

    python bench/fairness.py [--artifact build/crtkg.nq] [--seconds 20] [--hog 3] [--others 2]

The hog (address 127.0.0.2) keeps `--hog` 4-way cartesian COUNTs in flight, each sent
again as soon as it is answered (or refused: after Retry-After); each other client
(127.0.0.3, …) sends cheap distinct ASK queries one after another. The server is
`crtkg serve --no-build` with its default settings and the answer cache off.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import log_lines, sparql_get, start_server  # noqa: E402

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def phase(base: str, seconds: float, hogs: int, others: int, tag: str) -> None:
    stop = time.monotonic() + seconds
    hog: Counter[int] = Counter()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()

    def flood() -> None:
        while time.monotonic() < stop:
            status, headers, _ = sparql_get(base, PATHOLOGICAL, "127.0.0.2")
            hog[status] += 1
            if status == 429:
                retry = float(headers.get("Retry-After", 1))
                time.sleep(max(0.0, min(retry, stop - time.monotonic())))

    def ask(number: int) -> None:
        sent = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _, _ = sparql_get(base, f"ASK {{ ?s ?p '{tag}-{number}-{sent}' }}",
                                      f"127.0.0.{3 + number}")
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            sent += 1
            time.sleep(0.02)  # a person's or a script's pace, not a flood

    threads = [threading.Thread(target=flood) for _ in range(hogs)]
    for t in threads:
        t.start()
    time.sleep(0.5 if hogs else 0)  # let the hog's queries take what they can first
    askers = [threading.Thread(target=ask, args=(n,)) for n in range(others)]
    for t in askers:
        t.start()
    for t in threads + askers:
        t.join()
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{tag:>8}: others {len(ms)} queries, statuses {dict(statuses)}, "
          f"p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms; "
          f"hog statuses {dict(hog) or '-'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", type=Path, default=ROOT / "build" / "crtkg.nq")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--hog", type=int, default=3, help="pathological queries in flight")
    parser.add_argument("--others", type=int, default=2, help="other clients")
    args = parser.parse_args()
    process, base = start_server("--artifact", str(args.artifact), "serve", "--no-build",
                                 env={"CRTKG_CACHE_ENTRIES": "0"})
    log = log_lines(process)
    try:
        phase(base, args.seconds / 2, 0, args.others, "no hog")
        phase(base, args.seconds, args.hog, args.others, "hog")
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(10)
    kinds = ("timeout:", "busy:", "refused:", "started in place of")
    events = {k.rstrip(":"): sum(k in line for line in log) for k in kinds}
    print(f"server log: {events}")


if __name__ == "__main__":
    main()
