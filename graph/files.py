"""Reading source files and writing the files crtkg makes, the one way each is done.

A source that cannot be read raises a SourceError naming the file, so the CLI reports it
like any other problem of that file. A written file replaces the old one only once it is
complete, so a failed write (a full disk, an interrupt) leaves the last good file in place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from graph.errors import SourceError

MODE = 0o644  # world-readable: a server running as another user reads what a build wrote


def read_source(path: Path, what: str = "", keep_newlines: bool = False) -> str:
    """The text of a source file: UTF-8, a byte-order mark dropped (it is not content), and
    newlines translated to \\n unless `keep_newlines` (where offsets must be the file's).

    A file that cannot be read or decoded raises a SourceError naming it; `what` names the
    kind of file in the message:

    >>> read_source(Path("nowhere.rq"), "query file")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    graph.errors.SourceError: nowhere.rq: cannot read query file: [Errno 2] No such file ...
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(path, f"{' '.join(filter(None, ['cannot read', what]))}: {err}") \
            from err
    return text if keep_newlines else text.replace("\r\n", "\n").replace("\r", "\n")


def write_atomically(path: Path, content: str | bytes | Iterable[str]) -> None:
    """Write `content` (text as UTF-8; an iterable of text chunks in turn, so a large file
    need not be joined in memory) to a temporary file in `path`'s folder, flush it to disk,
    then rename it over `path` with mode 0644. On any failure the temporary file is removed
    and `path` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            chunks = [content] if isinstance(content, str | bytes) else content
            for chunk in chunks:
                out.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), MODE)  # mkstemp makes it 0600; fchmod ignores the umask
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
