"""The `crtkg` command: parse arguments, call the functions that do the work, print."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from graph import __version__, export, query
from graph.artifact import BuildSummary, build, default_artifact, open_store
from graph.errors import CrtkgError
from graph.load import SourcePaths, default_root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    paths = SourcePaths(args.root.resolve())
    artifact = args.artifact or default_artifact(paths)
    try:
        return args.run(args, paths, artifact)
    except CrtkgError as err:  # the one place errors become messages and exit codes
        print(f"crtkg: error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `crtkg export | head`
        return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="crtkg", description="A knowledge graph of the evidence on imaging in CRT.")
    top.add_argument("--version", action="version", version=f"crtkg {__version__}")
    top.add_argument("--root", type=Path, default=default_root(),
                     help="project checkout holding ontology/ and graph/data/ "
                          "(default: $CRTKG_ROOT or this installation's checkout)")
    top.add_argument("--artifact", type=Path, default=None,
                     help="build artifact (default: $CRTKG_ARTIFACT or ROOT/build/crtkg.nq)")
    commands = top.add_subparsers(required=True, metavar="COMMAND")

    cmd = commands.add_parser("build", help="validate, reason and write the build artifact")
    cmd.add_argument("--force", action="store_true", help="rebuild even if no source changed")
    cmd.set_defaults(run=run_build)

    cmd = commands.add_parser("query", help="run a SPARQL query over the built graph")
    cmd.add_argument("query", metavar="QUERY_OR_FILE", help="SPARQL text or a .rq file")
    cmd.add_argument("--format", choices=query.FORMATS, default="table")
    cmd.add_argument("--no-infer", dest="infer", action="store_false",
                     help="leave the inferred triples out of the default graph")
    cmd.set_defaults(run=run_query)

    cmd = commands.add_parser("export", help="write the graph as Turtle, N-Triples, JSON-LD, "
                                             "TriG or N-Quads")
    cmd.add_argument("--format", choices=tuple(export.FORMATS), default="turtle")
    cmd.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    cmd.add_argument("--no-infer", dest="infer", action="store_false",
                     help="leave the inferred triples out")
    cmd.set_defaults(run=run_export)

    cmd = commands.add_parser(
        "serve", help="build if needed, then serve the SPARQL endpoint and web page",
        description="Serve the graph over HTTP (SPARQL 1.1 Protocol at /sparql, web page at /). "
                    "Each option falls back to its CRTKG_<OPTION> environment variable, "
                    "e.g. CRTKG_PORT, CRTKG_TIMEOUT.")
    cmd.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    cmd.add_argument("--port", type=int, help="port (default 8000)")
    cmd.add_argument("--threads", type=int, help="requests handled at once (default 8)")
    cmd.add_argument("--workers", type=int, help="query processes (default 2)")
    cmd.add_argument("--timeout", type=float, help="seconds a query may run (default 10)")
    cmd.add_argument("--max-rows", type=int, help="rows in one answer, more are cut "
                                                  "(default 10000)")
    cmd.add_argument("--no-build", dest="build", action="store_false",
                     help="serve the artifact as it is, without checking its sources")
    cmd.set_defaults(run=run_serve)
    return top


def ensure_built(paths: SourcePaths, artifact: Path) -> BuildSummary:
    """Build when the artifact is missing or older than its sources; report only real builds."""
    summary = build(paths, artifact)
    if not summary.reused:
        print(summary.text(), file=sys.stderr)
    return summary


def run_build(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    print(build(paths, artifact, force=args.force).text())
    return 0


def run_query(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    text = query.read_query(args.query)
    ensure_built(paths, artifact)
    answer = query.run_query(open_store(artifact), text, infer=args.infer)
    sys.stdout.write(query.render(answer, args.format))
    return 0


def run_export(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    ensure_built(paths, artifact)
    data = export.export(artifact, args.format, infer=args.infer)
    if args.output:
        args.output.write_bytes(data)
        print(f"wrote {args.output} ({len(data)} bytes, {args.format})", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


def run_serve(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    from server import serve  # the HTTP stack loads only for this command
    from server.settings import Settings

    if args.build:
        try:
            ensure_built(paths, artifact)
        except CrtkgError as err:
            if not artifact.exists():
                raise
            # The last good build stays in place: serve it, and say why it is not new.
            print(f"crtkg: error: {err}\ncrtkg: the build failed; serving the last good "
                  f"build, {artifact}", file=sys.stderr, flush=True)
    settings = Settings.from_env(
        artifact, paths.root / "queries", host=args.host, port=args.port, threads=args.threads,
        workers=args.workers, timeout=args.timeout, max_rows=args.max_rows)
    print(f"crtkg: serving {artifact} at http://{settings.host}:{settings.port}/ "
          f"(SPARQL endpoint: /sparql)", file=sys.stderr, flush=True)
    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
