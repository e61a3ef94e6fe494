"""The server's settings: defaults, overridden by CRTKG_* environment variables, overridden by
command-line options. A bad value is refused at start-up, naming its variable."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from graph.errors import CrtkgError

MAX_TIMEOUT = 86_400.0  # a day: longer is surely a mistake
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Settings:
    artifact: Path
    queries_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 8  # WSGI server threads per web process: concurrent requests in flight
    web_processes: int = 2  # processes answering HTTP, sharing the one pool of query workers
    workers: int = 2  # query worker processes: queries running at once
    timeout: float = 10.0  # seconds a query may run (waiting for a worker included)
    max_rows: int = 10_000  # rows (or triples) in one answer; more are cut, with a header
    max_request_bytes: int = 1_000_000  # a larger request body or query is refused with 413
    max_answer_bytes: int = 32_000_000  # an answer is cut before its text passes this size
    cache_entries: int = 512  # answers kept in memory; the graph does not change while served
    cache_bytes: int = 64_000_000  # and the most bytes they may take
    worker_memory_mb: int = 2048  # memory a query worker may use; 0 for no limit
    # Fairness: one client (an address) must not keep the workers from the others.
    client_queries: int = 1  # queries of one client in the workers at once
    client_waiting: int = 2  # and waiting for a worker; more are refused with 429
    client_budget: float = 30.0  # worker seconds one client may use a minute; 0: no budget
    trusted_proxy: str = ""  # a reverse proxy's address: its X-Forwarded-For is the client
    log_format: str = "text"  # or json: one object a line

    @classmethod
    def from_env(cls, artifact: Path, queries_dir: Path,
                 environ: Mapping[str, str] = os.environ, **options: object) -> Settings:
        """Defaults < CRTKG_<NAME> variables < options that are not None."""
        settings = cls(artifact, queries_dir)
        for f in fields(cls):
            var = f"CRTKG_{f.name.upper()}"
            if f.name in ("artifact", "queries_dir") or var not in environ:
                continue
            settings = replace(settings, **{f.name: _parse(var, environ[var], f.type)})
        given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
        return replace(settings, **given).checked()

    def as_json(self) -> str:
        """The settings as JSON, for a web process of the same server (from_json reads it)."""
        return json.dumps({f.name: str(v) if isinstance(v := getattr(self, f.name), Path)
                           else v for f in fields(self)})

    @classmethod
    def from_json(cls, text: str) -> Settings:
        values = json.loads(text)
        return cls(Path(values.pop("artifact")), Path(values.pop("queries_dir")),
                   **values).checked()

    def checked(self) -> Settings:
        """Refuse values the server cannot work with, naming the setting."""
        lowest = {"cache_entries": 0, "cache_bytes": 0, "worker_memory_mb": 0,
                  "client_waiting": 0}
        for name in ("port", "threads", "web_processes", "workers", "max_rows", "max_request_bytes",
                     "max_answer_bytes", "client_queries", *lowest):
            if getattr(self, name) < lowest.get(name, 1):
                raise CrtkgError(f"{_label(name)} must be at least {lowest.get(name, 1)}, "
                                 f"not {getattr(self, name)}")
        if self.port > 65535:
            raise CrtkgError(f"{_label('port')} must be at most 65535, not {self.port}")
        if not (math.isfinite(self.timeout) and 0 < self.timeout <= MAX_TIMEOUT):
            raise CrtkgError(f"{_label('timeout')} must be a number of seconds above 0 and at most "
                             f"{MAX_TIMEOUT}, not {self.timeout}")
        if self.client_queries + self.client_waiting >= self.threads:
            # else one client's queries could hold every thread, and nobody else gets in
            raise CrtkgError(f"{_label('client_queries')} + {_label('client_waiting')} must be "
                             f"less than {_label('threads')}, not {self.client_queries} + "
                             f"{self.client_waiting} with {self.threads} threads")
        if not (math.isfinite(self.client_budget) and self.client_budget >= 0):
            raise CrtkgError(f"{_label('client_budget')} must be a number of seconds, 0 or "
                             f"more, not {self.client_budget}")
        if self.log_format not in LOG_FORMATS:
            raise CrtkgError(f"{_label('log_format')} must be one of {', '.join(LOG_FORMATS)}, "
                             f"not {self.log_format!r}")
        return self


def _label(name: str) -> str:
    return f"{name} (CRTKG_{name.upper()})"


def _parse(var: str, text: str, kind: object) -> Any:  # of the field's type: known at run time
    # The field's type, a string under `from __future__ import annotations` or a class.
    convert = {"int": int, "float": float}.get(getattr(kind, "__name__", str(kind)), str)
    try:
        return convert(text)
    except ValueError:
        raise CrtkgError(f"{var}={text!r}: expected {kind!s}") from None
