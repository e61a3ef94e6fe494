"""Reading sources and writing files: the modes, the failures and the messages a user sees."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.errors import SourceError
from graph.files import read_source, write_atomically
from tests.helpers import ROOT


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def private_umask() -> Iterator[None]:
    """A umask that makes new files private (0600), as some users' shells set it."""
    old = os.umask(0o077)
    yield
    os.umask(old)


def test_a_written_file_is_world_readable_whatever_the_umask_and_the_old_mode(
        tmp_path, private_umask):
    target = tmp_path / "folder" / "file.txt"
    write_atomically(target, "old")  # makes the folder too
    target.chmod(0o600)
    write_atomically(target, ["a\n", b"b\n"])
    assert target.read_text() == "a\nb\n"
    assert mode(target) == 0o644


def test_a_failed_write_keeps_the_last_good_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "crtkg.nq"
    write_atomically(target, "good\n")

    def chunks() -> Iterator[str]:
        yield "half of a new file\n"
        raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, chunks())
    assert target.read_text() == "good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["crtkg.nq"]


def test_read_source_names_the_file_it_cannot_read(tmp_path):
    missing = tmp_path / "missing.ttl"
    with pytest.raises(SourceError, match=r"missing\.ttl: cannot read: .*No such file"):
        read_source(missing)
    latin1 = tmp_path / "latin1.rq"
    latin1.write_bytes("# café".encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        read_source(latin1, "query file")
    assert str(caught.value).startswith(f"{latin1}: cannot read query file: 'utf-8' codec")


def test_read_source_drops_a_byte_order_mark_and_translates_newlines_unless_asked(tmp_path):
    path = tmp_path / "text.txt"
    path.write_bytes("\ufeffone\r\ntwo\rthree\n".encode())
    assert read_source(path) == "one\ntwo\nthree\n"
    assert read_source(path, keep_newlines=True) == "one\r\ntwo\rthree\n"


def test_crtkg_build_writes_a_world_readable_artifact(tmp_path):
    artifact = tmp_path / "build" / "crtkg.nq"
    result = subprocess.run(
        [sys.executable, "-m", "cli", "--root", str(ROOT), "--artifact", str(artifact),
         "build"], umask=0o077, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Built {artifact}")
    assert mode(artifact) == 0o644
