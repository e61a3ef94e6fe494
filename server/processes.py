"""`crtkg serve`: Granian's web processes over one pool of query workers.

The main process starts the pool and a PoolServer for it, then Granian, which binds the port
and starts `web_processes` web processes (fresh interpreters: none inherits the main
process's threads). Granian parses HTTP in Rust and runs the application on `threads`
threads per process; each process builds the application with web_app() and sends its
queries to the main process's pool, so the workers and the clients' fair shares are the
server's, whichever process a request reached. Granian starts a web process again if one
stops; Ctrl-C or SIGTERM ends them, then the pool.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import logging
import multiprocessing
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask

from graph.errors import CrtkgError
from server.settings import Settings

# How the main process tells its web processes where the pool is (they inherit it).
WEB_ENV = "CRTKG_WEB_PROCESS"
# Granian's loggers go to the root logger: one stream, one format (text or JSON lines).
GRANIAN_LOGGING = {"version": 1, "disable_existing_loggers": False,
                   "filters": {"threads": {"()": "server.processes.ThreadCountAdvice"}},
                   "loggers": {name: {"handlers": [], "propagate": True, "filters": ["threads"]}
                               for name in ("_granian", "granian.access")}}

# How often the main and web processes hand the heap memory they freed back to the system.
TRIM_SECONDS = 30.0


class ThreadCountAdvice(logging.Filter):
    """Drops Granian's warning that more threads than cores is a lot: it is for threads that
    compute, and ours mostly wait for the pool's answer."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Python threads, which seems quite high" not in record.getMessage()


def serve_processes(settings: Settings) -> None:
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    from server import new_pool
    from server.shared_pool import PoolServer

    require_free(settings.host, settings.port)
    folder = Path(tempfile.mkdtemp(prefix="crtkg-web-"))
    pool = new_pool(settings)
    relay = PoolServer(pool, folder / "pool.sock")
    give_back_freed_memory(TRIM_SECONDS)
    os.environ[WEB_ENV] = json.dumps({"settings": settings.as_json(),
                                      "pool": str(relay.address),
                                      "artifact": str(pool.artifact)})
    # Fresh interpreters for the web processes, whatever the platform's default.
    multiprocessing.set_start_method("spawn", force=True)
    try:
        Server("server.processes:web_app", factory=True, interface=Interfaces.WSGI,
               address=settings.host, port=settings.port, workers=settings.web_processes,
               blocking_threads=settings.threads, http=HTTPModes.http1,
               # a GET query is in the URL: let it reach our own 413 with its message
               http1_settings=HTTP1Settings(max_buffer_size=settings.max_request_bytes + 65536),
               websockets=False, respawn_failed_workers=True,
               log_dictconfig=GRANIAN_LOGGING).serve()
    finally:
        relay.close()
        pool.close()
        shutil.rmtree(folder, ignore_errors=True)


def give_back_freed_memory(every: float) -> None:
    """Every `every` seconds, return the heap's free pages to the system (glibc's
    malloc_trim): glibc keeps the memory of the answers relayed and freed. In bench/soak.py
    the main process's RSS crept up while the Python objects it held stayed level
    (tracemalloc), and each trim took 2.5-6.6 MB off it. Nothing to do where the C library is
    not glibc."""
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is None:
        return

    def loop() -> None:
        while True:
            time.sleep(every)
            trim(0)

    threading.Thread(target=loop, daemon=True, name="malloc-trim").start()


def require_free(host: str, port: int) -> None:
    """Refuse to start, naming the address, if it cannot be listened on (Granian would
    say so only with a traceback, once the workers are up)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as err:
        raise CrtkgError(f"cannot listen on {host}:{port}: {err.strerror or err} (another "
                         "server on that port? choose another with --port or CRTKG_PORT)"
                         ) from err


def web_app() -> Callable[..., Iterable[bytes]]:
    """A web process's application: over the main process's pool, behind the trusted proxy."""
    from server import create_app
    from server.logs import configure
    from server.shared_pool import PoolClient
    from server.worker import exit_with_parent

    exit_with_parent()  # the main process holds the pool: without it there is no server
    given = json.loads(os.environ[WEB_ENV])
    settings = Settings.from_json(given["settings"])
    configure(settings.log_format)
    give_back_freed_memory(TRIM_SECONDS)
    app = create_app(settings, PoolClient(Path(given["pool"]), Path(given["artifact"]),
                                          settings.timeout))
    return behind_proxy(app, settings.trusted_proxy)


def behind_proxy(app: Flask, proxy: str) -> Callable[..., Iterable[bytes]]:
    """Behind a reverse proxy every request comes from its address: the client the fair
    shares count is then the last address of its X-Forwarded-For. Only the `proxy` address
    is trusted with that header; from anyone else it is dropped."""

    def application(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        forwarded = environ.pop("HTTP_X_FORWARDED_FOR", "")
        if proxy and environ.get("REMOTE_ADDR") == proxy and forwarded.strip():
            environ["REMOTE_ADDR"] = forwarded.split(",")[-1].strip()
        return app(environ, start_response)

    return application
