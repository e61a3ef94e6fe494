"""The server's log, with the standard library: a line per request (method, path, status,
bytes, milliseconds, client) and one per event (a timeout, a worker killed or restarted, a
refusal, an unexpected error with its cause), to stderr, as text or as one JSON object a line.

Loggers: `crtkg.request` for requests, `crtkg.pool` for the workers, `crtkg.error` for
unexpected errors; Granian, the web server, logs under `_granian`.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import IO

from flask import Flask, Response, g, request

requests = logging.getLogger("crtkg.request")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the record's extra fields
    (a request's method, path, status, bytes, ms, client)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(
                     timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(log_format: str = "text", stream: IO[str] | None = None) -> None:
    """Send every logger's INFO and above to `stream` (stderr) in `log_format`."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json"
                         else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def log_requests(app: Flask) -> None:
    """Log each request's line once its response is made (error responses included)."""
    app.before_request(_started)
    app.after_request(_finished)


def _started() -> None:
    g.started = time.perf_counter()


def _finished(response: Response) -> Response:
    ms = round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1)
    fields = {"method": request.method, "path": request.path, "status": response.status_code,
              "bytes": response.content_length, "ms": ms, "client": request.remote_addr}
    if "error_id" in g:
        fields["error_id"] = g.error_id
    size = "-" if fields["bytes"] is None else fields["bytes"]
    requests.info('%s "%s %s" %d %s B %.1f ms%s', fields["client"], fields["method"],
                  fields["path"], fields["status"], size, ms,
                  f" error {g.error_id}" if "error_id" in g else "", extra=fields)
    return response
