"""Publish the build artifact to a private Virtuoso and print `crtkg publish`'s report.

Where Virtuoso is installed (bench/setup.sh: Debian's virtuoso-opensource 7.2), this starts
one as bench/servers.py does (its own ini and database in a temporary folder, free loopback
ports), puts the graphs through its authenticated Graph Store endpoint
(/sparql-graph-crud-auth, user dba, digest authentication), verifies them through /sparql,
prints the report and stops the server. With --bulk-load the graphs go in through isql's
bulk loader instead, and publish only verifies. Exit status: the report's (0 the same, 1 a
difference), 2 if Virtuoso cannot be started.

Usage: PYTHONPATH=. python bench/publish_virtuoso.py [--bulk-load] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from servers import (
    HOST,
    VIRTUOSO_INI,
    Missing,
    free_port,
    process,
    virtuoso_binaries,
    virtuoso_load,
)

from graph.artifact import build
from graph.errors import CrtkgError
from graph.load import SourcePaths
from graph.publish import Target, publish

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--bulk-load", action="store_true",
                         help="load with isql's bulk loader, then only verify")
    options.add_argument("--keep", type=Path, metavar="DIR",
                         help="keep Virtuoso's folder here (default: a temporary one, removed)")
    args = options.parse_args()
    paths = SourcePaths(ROOT)
    summary = build(paths)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="crtkg-virtuoso-"))
    try:
        return run(summary.artifact, paths.queries_dir, folder / "virtuoso", args.bulk_load)
    except Missing as err:
        print(f"publish_virtuoso: Virtuoso is not available: {err}", file=sys.stderr)
        return 2
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def run(artifact: Path, queries_dir: Path, folder: Path, bulk_load: bool) -> int:
    server, isql = virtuoso_binaries()
    folder.mkdir(parents=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, host=HOST, sql_port=sql_port,
                                       http_port=http_port, threads=4))
    base = f"http://{HOST}:{http_port}"
    target = Target(base, gsp="/sparql-graph-crud-auth", sparql="/sparql", user="dba",
                    password="dba")  # a private, throw-away server's default account
    with process([server, "-f", "-c", str(ini)], base + "/sparql", folder / "server.log"):
        print(f"Virtuoso {base} (data in {folder})", flush=True)
        if bulk_load:
            shutil.copyfile(artifact, folder / "data.nq")  # the loader reads DirsAllowed only
            virtuoso_load(isql, sql_port, folder, folder / "server.log")
        try:
            report = publish(artifact, queries_dir, target, verify_only=bulk_load)
        except CrtkgError as err:
            print(f"publish_virtuoso: {err}", file=sys.stderr)
            return 1
    sys.stdout.write(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
