"""Run wrk against one URL and read its figures: requests/s, p50, p99, errors, non-2xx."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

ACCEPT = "Accept: application/sparql-results+json"
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class Run:
    """One wrk measurement. `failures` is non-empty when the figures must not be trusted."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    socket_errors: dict[str, int]
    non_2xx: int

    @property
    def failures(self) -> str:
        parts = [f"{n} {kind} errors" for kind, n in self.socket_errors.items() if n]
        if self.non_2xx:
            parts.append(f"{self.non_2xx} non-2xx")
        if not self.requests:
            parts.append("no request completed")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "failures": self.failures}


def binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk not found: run bench/setup.sh (apt-get install wrk)")
    return found


NEW_QUERIES = Path(__file__).with_name("new_queries.lua")  # each request a query not seen


def run(url: str, seconds: int, connections: int, threads: int, timeout: float,
        new_queries: bool = False) -> Run:
    """wrk's figures for GET url; with `new_queries`, each request's query made distinct
    by a comment of its own (bench/new_queries.lua)."""
    script = ["-s", str(NEW_QUERIES)] if new_queries else []
    cmd = [binary(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
           f"--timeout={timeout:g}s", "--latency", *script, "-H", ACCEPT, url]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise RuntimeError(f"wrk failed ({done.returncode}): {message[0] if message else ''}")
    return parse(done.stdout)


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS_MS[unit]


def parse(output: str) -> Run:
    """wrk 4's report, e.g. '  99%    3.45ms', '12345 requests in 10.00s', 'Requests/sec: 1.2'."""
    done = re.search(r"(\d+) requests in ([\d.]+)(\w+),", output)
    if done is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+[a-z]+)\s*$", output, re.M))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    kinds = ("connect", "read", "write", "timeout")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Run(
        requests=int(done[1]),
        seconds=milliseconds(done[2] + done[3]) / 1000,
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),  # type: ignore[index]
        p50_ms=milliseconds(percentiles["50"]),
        p99_ms=milliseconds(percentiles["99"]),
        socket_errors={k: int(errors[i + 1]) if errors else 0 for i, k in enumerate(kinds)},
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
    )
