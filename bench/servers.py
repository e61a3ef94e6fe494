"""Start, wait for and stop the servers bench/serve.py measures, each on a free loopback port.

Every server is a context manager yielding its SPARQL endpoint URL; it is stopped on exit,
also on Ctrl-C or an error. A server that cannot start raises Missing with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scale import crtkg_command

HOST = "127.0.0.1"
BENCH = Path(__file__).resolve().parent
PEER_VENV = Path(os.environ.get("CRTKG_BENCH_VENV", "/tmp/crtkg-bench-venv"))
ASK = "?query=ASK%7B%7D"
VIRTUOSO_LOADER_GRAPH = "https://w3id.org/crtkg/graph/unnamed"  # only for quads without one


class Missing(Exception):
    """A server that could not be started; the message says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def tail(log: Path, lines: int = 6) -> str:
    text = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
    return " | ".join(text[-lines:]) or "(no output)"


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url + ASK, timeout=timeout) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def wait_ready(proc: subprocess.Popen, url: str, log: Path, timeout: float) -> None:
    """Until GET url?query=ASK{} answers 200; Missing if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Missing(f"exited with status {proc.returncode}: {tail(log)}")
        if answers(url):
            return
        time.sleep(0.2)
    raise Missing(f"not answering {url}{ASK} after {timeout:.0f} s: {tail(log)}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def process(cmd: list[str], url: str, log: Path, timeout: float = 120,
            env: dict[str, str] | None = None) -> Iterator[str]:
    """Run cmd (its output to log, env added) until the block ends; yield url once it answers."""
    with log.open("w") as out:
        try:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    env={**os.environ, **(env or {})})
        except OSError as err:
            raise Missing(f"cannot run {cmd[0]}: {err}") from err
        try:
            wait_ready(proc, url, log, timeout)
            yield url
        finally:
            stop(proc)


def endpoint(port: int) -> str:
    return f"http://{HOST}:{port}/sparql"


@contextmanager
def ours(root: Path, artifact: Path, log: Path, threads: int, answer_cache: bool = True,
         web_processes: int = 2) -> Iterator[str]:
    """`crtkg serve` on the artifact as it is (--no-build); optionally without its answer cache.

    The cache returns a repeated query's stored answer, so with it a benchmark that repeats
    one query measures the cache, not the query engine.
    """
    port = free_port()
    cmd = [*crtkg_command(), "--root", str(root), "--artifact", str(artifact), "serve",
           "--host", HOST, "--port", str(port), "--no-build", "--threads", str(threads + 1),
           "--web-processes", str(web_processes)]
    # wrk is one client of `threads` connections: the fair shares meant for many clients (one
    # query in the workers, a budget of worker time) would refuse most of its requests with
    # 429. So it may have them all in flight, and a thread more than the peers: the one a
    # single client can never hold.
    env = {"CRTKG_CLIENT_QUERIES": str(threads), "CRTKG_CLIENT_WAITING": "0",
           "CRTKG_CLIENT_BUDGET": "0"}
    if not answer_cache:
        env["CRTKG_CACHE_ENTRIES"] = "0"
    with process(cmd, endpoint(port), log, env=env) as url:
        yield url


def peer_python() -> Path:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        raise Missing(f"no peer venv at {PEER_VENV} (run bench/setup.sh, or set CRTKG_BENCH_VENV)")
    return python


@contextmanager
def peer(app: str, artifact: Path, log: Path, threads: int) -> Iterator[str]:
    """One of bench/peer_apps.py's servers, run by the peer venv's Python."""
    port = free_port()
    cmd = [str(peer_python()), str(BENCH / "peer_apps.py"), app, "--port", str(port),
           "--threads", str(threads), "--data", str(artifact)]
    with process(cmd, endpoint(port), log) as url:
        yield url


@contextmanager
def gunicorn_app(artifact: Path, log: Path, processes: int = 2) -> Iterator[str]:
    """peer_apps' oxigraph app under gunicorn, `processes` sync workers (its defaults
    otherwise): the bare app on every core, each process with its own Store."""
    gunicorn = PEER_VENV / "bin" / "gunicorn"
    if not gunicorn.exists():
        raise Missing(f"no gunicorn in {PEER_VENV} (run bench/setup.sh)")
    port = free_port()
    # --limit-request-line 0: no limit on the URL, which holds the query (its 4094 bytes
    # answer the longest named queries with 414)
    cmd = [str(gunicorn), "--workers", str(processes), "--bind", f"{HOST}:{port}",
           "--limit-request-line", "0", "--chdir", str(BENCH), "peer_apps:oxigraph_wsgi()"]
    with process(cmd, endpoint(port), log, env={"PEER_DATA": str(artifact)}) as url:
        yield url


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 100000
MaxDirtyBuffers = 60000
[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {dir}
ServerThreads = {threads}
MaxClientConnections = 32
MaxKeepAlives = 32
KeepAliveTimeout = 10
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


def virtuoso_binaries() -> tuple[str, str]:
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not server or not isql:
        raise Missing("virtuoso-t or isql-vt not found (run bench/setup.sh: "
                      "apt-get install virtuoso-opensource)")
    return server, isql


def virtuoso_load(isql: str, sql_port: int, folder: Path, log: Path) -> None:
    """Bulk-load folder/data.nq into the graphs its quads name, then checkpoint."""
    sql = (f"ld_dir('{folder}', 'data.nq', '{VIRTUOSO_LOADER_GRAPH}'); rdf_loader_run(); "
           "checkpoint; SELECT ll_file, ll_state, ll_error FROM DB.DBA.load_list;")
    done = subprocess.run([isql, f"{HOST}:{sql_port}", "dba", "dba", f"exec={sql}"],
                          capture_output=True, text=True, timeout=600, check=False)
    with log.open("a") as out:
        out.write(done.stdout + done.stderr)
    if done.returncode != 0 or "data.nq" not in done.stdout or "NULL" not in done.stdout:
        raise Missing(f"loading the N-Quads failed: {tail(log)}")


@contextmanager
def virtuoso(artifact: Path, folder: Path, threads: int) -> Iterator[str]:
    """A private Virtuoso (its own ini and database in folder) holding the artifact's quads."""
    server, isql = virtuoso_binaries()
    folder.mkdir(parents=True)
    shutil.copyfile(artifact, folder / "data.nq")  # the loader reads only from DirsAllowed
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, host=HOST, sql_port=sql_port,
                                       http_port=http_port, threads=threads))
    log = folder / "server.log"
    with process([server, "-f", "-c", str(ini)], endpoint(http_port), log) as url:
        virtuoso_load(isql, sql_port, folder, log)
        yield url
