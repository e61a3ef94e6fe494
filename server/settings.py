"""The server's settings: defaults, overridden by CRTKG_* environment variables, overridden by
command-line options. A bad value is refused at start-up, naming its variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from graph.errors import CrtkgError


@dataclass(frozen=True)
class Settings:
    artifact: Path
    queries_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 8  # WSGI server threads: concurrent requests in flight
    workers: int = 2  # query worker processes: queries running at once
    timeout: float = 10.0  # seconds a query may run (waiting for a worker included)
    max_rows: int = 10_000  # rows (or triples) in one answer; more are cut, with a header
    max_request_bytes: int = 1_000_000  # a larger request body or query is refused with 413
    cache_entries: int = 512  # answers kept in memory; the graph does not change while served

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
        given = {k: v for k, v in options.items() if v is not None}
        return replace(settings, **given).checked()

    def checked(self) -> Settings:
        for name in ("port", "threads", "workers", "max_rows", "max_request_bytes",
                     "cache_entries"):
            if getattr(self, name) < (0 if name == "cache_entries" else 1):
                raise CrtkgError(f"{name} must be a positive number, not {getattr(self, name)}")
        if self.timeout <= 0:
            raise CrtkgError(f"timeout must be a positive number of seconds, not {self.timeout}")
        return self


def _parse(var: str, text: str, kind: object) -> object:
    convert = {"int": int, "float": float}.get(str(kind), str)
    try:
        return convert(text)
    except ValueError:
        raise CrtkgError(f"{var}={text!r}: expected {kind!s}") from None
