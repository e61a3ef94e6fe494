"""The `crtkg` command: parse arguments, call the functions that do the work, print.

It sits on top of both packages: `graph` does the work and `server` serves it, so the
command can reach either without the lower layer, `graph`, importing `server`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from graph import __version__, explain, export, query
from graph.anchors import write_anchors
from graph.artifact import BuildSummary, build, default_artifact, open_store
from graph.catalogue import (
    DECORATOR,
    NamedQuery,
    Parameter,
    load_catalogue,
    read_named_query,
    shorten_all,
)
from graph.errors import CrtkgError, QueryError
from graph.load import SourcePaths, default_root
from graph.namespaces import GRAPHS
from graph.reason import REASONERS
from graph.sparql_messages import KnownIris, unknown_name


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
    cmd.add_argument("--reasoner", choices=REASONERS, default=REASONERS[0],
                     help="rules: crtkg's compiled OWL 2 RL rules, which record how each "
                          "triple was derived (default); owlrl: the reference reasoner, "
                          "slower, no derivations")
    cmd.set_defaults(run=run_build)

    cmd = commands.add_parser("queries", help="list the named queries (queries/*.rq)")
    cmd.set_defaults(run=run_queries)

    cmd = commands.add_parser("query", help="run a SPARQL query over the built graph")
    cmd.add_argument("query", metavar="NAME_OR_QUERY",
                     help="a named query (see `crtkg queries`), a .rq file or SPARQL text")
    cmd.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                     help="a parameter of a named query (repeat for several)")
    cmd.add_argument("--format", choices=query.RENDER_FORMATS, default="table")
    cmd.add_argument("--no-infer", dest="infer", action="store_false",
                     help="leave the inferred triples out of the default graph")
    cmd.set_defaults(run=run_query)

    cmd = commands.add_parser(
        "explain", help="why a triple is in the graph: its proof tree, down to asserted triples",
        description="Print how the reasoner derived S P O: every alternative derivation, with "
                    "a sentence per step, down to asserted triples and the graph each is in. "
                    "Terms are CURIEs (kg:echocrt), IRIs (<https://...>), `a` for rdf:type, "
                    "and for O also literals (\"2008\"^^xsd:gYear, \"text\"@en, 2).")
    cmd.add_argument("s", metavar="S", help="subject")
    cmd.add_argument("p", metavar="P", help="predicate")
    cmd.add_argument("o", metavar="O", help="object")
    cmd.add_argument("--depth", type=int, default=explain.DEFAULT_DEPTH,
                     help=f"derivation steps to follow (default {explain.DEFAULT_DEPTH})")
    cmd.add_argument("--format", choices=("text", "json"), default="text")
    cmd.set_defaults(run=run_explain)

    cmd = commands.add_parser("export", help="write the graph as Turtle, N-Triples, JSON-LD, "
                                             "TriG or N-Quads")
    cmd.add_argument("--format", choices=(*export.EXPORT_FORMATS, *export.MAPPING_FORMATS),
                     default="turtle", help="an RDF format for the graph, or sssom-tsv / "
                                            "sssom-ttl for the mapping set alone")
    cmd.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    cmd.add_argument("--no-infer", dest="infer", action="store_false",
                     help="leave the inferred triples out")
    cmd.add_argument("--no-snomed", dest="snomed", action="store_false",
                     help="leave SNOMED CT out (its content may need a licence to "
                          "redistribute in your country)")
    cmd.add_argument("--with-derivations", dest="derivations", action="store_true",
                     help="add graph:derivations: how the reasoner derived each inferred "
                          "triple")
    cmd.set_defaults(run=run_export)

    cmd = commands.add_parser(
        "map", help="draw the evidence map (modality x clinical role) as SVG or PNG, with its CSV",
        description="Draw the evidence map from the named query evidence-map: a marker per "
                    "imaging modality and clinical role with evidence, its area the number "
                    "of studies and claims, its colour the strongest kind of evidence, its "
                    "shape the direction; empty cells are gaps. Writes the CSV behind it too. "
                    "In SVG each marker links to the web page listing the cell's claims.")
    cmd.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                     help="map.svg or map.png (the format follows the suffix)")
    cmd.add_argument("--csv", type=Path, metavar="PATH",
                     help="where to write the CSV (default: FILE with the suffix .csv)")
    cmd.add_argument("--link-base", default="http://127.0.0.1:8000/", metavar="URL",
                     help="address of the web page the cells link to (default: where "
                          "`crtkg serve` listens, http://127.0.0.1:8000/)")
    cmd.set_defaults(run=run_map)

    cmd = commands.add_parser(
        "serve", help="build if needed, then serve the SPARQL endpoint and web page",
        description="Serve the graph over HTTP (SPARQL 1.1 Protocol at /sparql, web page at /). "
                    "Each option falls back to its CRTKG_<OPTION> environment variable, "
                    "e.g. CRTKG_PORT, CRTKG_TIMEOUT.")
    cmd.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    cmd.add_argument("--port", type=int, help="port (default 8000)")
    cmd.add_argument("--threads", type=int, help="requests handled at once (default 8)")
    cmd.add_argument("--workers", type=int, help="query processes (default 2)")
    cmd.add_argument("--web-processes", type=int,
                     help="processes answering HTTP, over the one pool of query processes "
                          "(default 2)")
    cmd.add_argument("--timeout", type=float, help="seconds a query may run (default 10)")
    cmd.add_argument("--max-rows", type=int, help="rows in one answer, more are cut "
                                                  "(default 10000)")
    cmd.add_argument("--log-format", choices=["text", "json"],
                     help="the log on stderr: text lines, or one JSON object a line "
                          "(default text)")
    cmd.add_argument("--no-build", dest="build", action="store_false",
                     help="serve the artifact as it is, without checking its sources")
    cmd.set_defaults(run=run_serve)

    cmd = commands.add_parser(
        "publish", help="put the built graph into a store over the Graph Store Protocol, and "
                        "check its answers against ours",
        description="Replace each named graph of the build artifact in the store at URL "
                    "(SPARQL 1.1 Graph Store HTTP Protocol, PUT ?graph=IRI, so a re-run is "
                    "safe), then compare through its SPARQL endpoint the triples of each "
                    "graph and the answer to every named query with ours. Exit status 1 on "
                    "any difference. Defaults fit `oxigraph serve`; for Virtuoso use --gsp "
                    "/sparql-graph-crud-auth --sparql /sparql --user dba.")
    cmd.add_argument("--target", required=True, metavar="URL",
                     help="the store's base URL, e.g. http://127.0.0.1:7878")
    cmd.add_argument("--gsp", default="/store", metavar="PATH",
                     help="path of its Graph Store endpoint (default /store)")
    cmd.add_argument("--sparql", default="/query", metavar="PATH",
                     help="path of its SPARQL query endpoint (default /query)")
    cmd.add_argument("--user", help="user for HTTP digest or basic authentication")
    cmd.add_argument("--password", default=os.environ.get("CRTKG_PUBLISH_PASSWORD"),
                     help="its password (default: $CRTKG_PUBLISH_PASSWORD)")
    cmd.add_argument("--graphs", nargs="+", choices=list(GRAPHS), metavar="GRAPH",
                     help=f"the graphs to put (default all: {', '.join(GRAPHS)})")
    cmd.add_argument("--verify-only", action="store_true",
                     help="change nothing; only compare the store with the artifact")
    cmd.set_defaults(run=run_publish)

    cmd = commands.add_parser("imports", help="manage the import modules of external "
                                              "ontologies (ontology/imports)")
    actions = cmd.add_subparsers(required=True, metavar="ACTION")
    cmd = actions.add_parser(
        "refresh", help="regenerate every <ont>_import.ttl from the OBO release files",
        description="For each ontology/imports/<ont>_terms.txt, extract its terms and their "
                    "is_a ancestors from DIR/<ont>.obo into ontology/imports/<ont>_import.ttl.")
    cmd.add_argument("--source", type=Path, required=True, metavar="DIR",
                     help="folder of the OBO release files (<ont>.obo)")
    # Also accepted after the action; SUPPRESS keeps the top-level --root when it is absent.
    cmd.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                     help="project checkout whose ontology/imports to refresh")
    cmd.set_defaults(run=run_imports_refresh)
    cmd = actions.add_parser(
        "registry", help="extract the bioregistry's records of the prefixes in use",
        description="Write graph/registry.json: the installed bioregistry's record (its name "
                    "for the prefix, URI prefixes, identifier pattern) of every prefix the "
                    "prefix map and the source files use. The build checks identifiers "
                    "against it.")
    cmd.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                     help="project checkout whose source files name the prefixes")
    cmd.set_defaults(run=run_imports_registry)

    cmd = commands.add_parser("anchors", help="manage the text anchors of quoted claims "
                                              "(graph/data/anchors.ttl)")
    actions = cmd.add_subparsers(required=True, metavar="ACTION")
    cmd = actions.add_parser(
        "write", help="regenerate graph/data/anchors.ttl from the claims and stored texts",
        description="Anchor each claim quoted from a document with a stored text to its place "
                    "in that text (W3C Web Annotation selectors), into graph/data/anchors.ttl.")
    cmd.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                     help="project checkout whose anchors to write")
    cmd.set_defaults(run=run_anchors_write)
    return top


def ensure_built(paths: SourcePaths, artifact: Path) -> BuildSummary:
    """Build when the artifact is missing or older than its sources; report only real builds."""
    summary = build(paths, artifact)
    if not summary.reused:
        print(summary.text(), file=sys.stderr)
    return summary


def run_build(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    print(build(paths, artifact, force=args.force, reasoner=args.reasoner).text())
    return 0


def run_query(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    named = find_named_query(paths, args.query)
    params = parse_params(args.param)
    if named is None and params:
        raise QueryError("--param applies to named queries only (see `crtkg queries`)")
    text = named.text if named else query.read_query(args.query)
    ensure_built(paths, artifact)
    store = open_store(artifact)
    served = query.served_store(store)  # as the endpoint's workers run it
    answer = (named.run(store, params, args.infer, served) if named
              else query.run_query(store, text, infer=args.infer, served=served))
    values = named.bind(params).values() if named else ()
    for warning in KnownIris.of(store).warnings(text, values):  # it runs all the same
        print(f"crtkg: warning: {warning}", file=sys.stderr)
    hidden = [p.variable for p in named.parameters] if named else []
    sys.stdout.write(query.render(answer, args.format, hidden))
    return 0


def find_named_query(paths: SourcePaths, name: str) -> NamedQuery | None:
    """The named query `name`, or the .rq file `name` if it has a `#+` header; else None.

    A single word of letters, digits and dashes is no SPARQL query: if no query has that
    name, QueryError names the nearest ones."""
    path = paths.queries_dir / f"{name}.rq"
    if re.fullmatch(r"[\w-]+", name) and query.names_a_file(str(path)):
        return read_named_query(path)
    if re.fullmatch(r"[A-Za-z0-9-]+", name) and not query.names_a_file(name):
        names = sorted(p.stem for p in paths.queries_dir.glob("*.rq"))
        raise QueryError(unknown_name(name, names, "`crtkg queries`"))
    path = Path(name)
    if name.endswith(".rq") and query.names_a_file(name) and path.read_text(
            encoding="utf-8", errors="replace").startswith(DECORATOR):
        return read_named_query(path)
    return None


def parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise QueryError(f"--param {pair!r}: expected NAME=VALUE")
        params[name] = value
    return params


def run_queries(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    catalogue = load_catalogue(paths.queries_dir)
    rows = [[q.name, q.summary, ", ".join(describe_parameter(p) for p in q.parameters)]
            for q in catalogue]
    sys.stdout.write(query.table(["name", "summary", "parameters"], rows))
    return 0


def describe_parameter(p: Parameter) -> str:
    kind = p.kind if p.kind != "language" else f"text@{p.language}"
    values = f" in {{{' | '.join(shorten_all(p.values))}}}" if p.values else ""
    return f"{p.name}{'' if p.required else '?'}: {kind}{values}"


def run_explain(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    terms = (explain.parse_term(args.s, "S"), explain.parse_term(args.p, "P"),
             explain.parse_term(args.o, "O", literal=True))
    ensure_built(paths, artifact)
    proof = explain.explain(open_store(artifact), *terms, depth=args.depth)
    if args.format == "json":
        print(json.dumps(proof.as_json(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(proof.lines()))
    return 0


def run_export(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    ensure_built(paths, artifact)  # the build checks the mapping set against the graph too
    if args.format in export.MAPPING_FORMATS:
        data = export.export_mappings(paths.mappings_file, args.format, snomed=args.snomed)
    else:
        data = export.export(artifact, args.format, infer=args.infer, snomed=args.snomed,
                             derivations=args.derivations)
    if args.output:
        args.output.write_bytes(data)
        print(f"wrote {args.output} ({len(data)} bytes, {args.format})", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


def run_map(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    from graph import evidence_map  # matplotlib loads only for this command

    evidence_map.map_format(args.output)  # a wrong suffix fails before the build
    ensure_built(paths, artifact)
    emap = evidence_map.evidence_map(open_store(artifact), paths.queries_dir)
    picture, table = evidence_map.write_map(emap, args.output, args.csv, args.link_base)
    print(f"wrote {picture} (the evidence map: {len(emap.modalities)} x {len(emap.roles)} "
          f"cells, {len(emap.cells)} with evidence, {len(emap.gaps())} gaps)\n"
          f"wrote {table} (the CSV behind it, a line per cell)")
    return 0


def run_imports_refresh(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    from graph.imports import refresh  # pronto loads only for this command

    for module in refresh(args.source, paths.imports_dir):
        print(f"{module.name}: version {module.version}, {module.seeds} seeds, "
              f"{module.classes} classes -> {module.module_file}")
    return 0


def run_imports_registry(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    from graph.registry import write_extract

    target, count = write_extract(paths.prefixed_files())
    print(f"wrote {target}: the bioregistry's records of {count} prefixes")
    return 0


def run_anchors_write(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    target, count = write_anchors(paths)
    print(f"wrote {target}: {count} text anchors")
    return 0


def run_publish(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    from graph.publish import Target, publish

    if not args.verify_only:
        ensure_built(paths, artifact)  # what is put is the build of the sources as they are
    target = Target(args.target, args.gsp, args.sparql, args.user, args.password)
    report = publish(artifact, paths.queries_dir, target, args.graphs, args.verify_only)
    sys.stdout.write(report.text())
    return 0 if report.ok else 1


def run_serve(args: argparse.Namespace, paths: SourcePaths, artifact: Path) -> int:
    import logging

    from server import serve  # the HTTP stack loads only for this command
    from server.logs import configure
    from server.settings import Settings

    settings = Settings.from_env(
        artifact, paths.queries_dir, host=args.host, port=args.port, threads=args.threads,
        workers=args.workers, web_processes=args.web_processes, timeout=args.timeout,
        max_rows=args.max_rows, log_format=args.log_format)
    configure(settings.log_format)  # from here on, stderr is the server's log
    log = logging.getLogger("crtkg.serve")
    if args.build:
        try:
            ensure_built(paths, artifact)
        except CrtkgError as err:
            if not artifact.exists():
                raise
            # The last good build stays in place: serve it, and say why it is not new.
            log.error("%s\nthe build failed; serving the last good build, %s", err, artifact)
    log.info("serving %s at http://%s:%d/ (SPARQL endpoint: /sparql)", artifact,
             settings.host, settings.port)
    serve(settings)
    return 0
