"""The reference servers bench/serve.py measures ours against, one per process.

    PEER_PYTHON bench/peer_apps.py {hello,oxigraph,rdflib} --port P [--threads T] [--data FILE]

Runs in the peer venv (bench/setup.sh), not the project's: it imports nothing of crtkg.
  hello     Flask hello-world under waitress: the framework's ceiling
  oxigraph  a minimal Flask app running the query on a pyoxigraph Store, under waitress
            (bench/servers.py also runs it under gunicorn: oxigraph_wsgi)
  rdflib    rdflib-endpoint over an rdflib Dataset (default graph = union), under uvicorn
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # flask is installed in the peer venv only
    from flask import Flask

HOST = "127.0.0.1"


def hello_app() -> Flask:
    from flask import Flask

    app = Flask(__name__)

    @app.get("/sparql")
    def hello() -> str:
        return "Hello, World!"

    return app


def oxigraph_app(data: Path) -> Flask:
    """The ~15-line reference: parse nothing ourselves, let Oxigraph do the SPARQL."""
    import pyoxigraph as ox
    from flask import Flask, Response, request

    store = ox.Store()  # in memory, like ours
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    app = Flask(__name__)

    @app.get("/sparql")
    def sparql() -> Response:
        try:
            answer = store.query(request.args["query"], use_default_graph_as_union=True)
        except (KeyError, SyntaxError) as err:
            return Response(str(err), status=400)
        if isinstance(answer, ox.QueryTriples):  # the benchmark's queries are SELECTs
            return Response("CONSTRUCT and DESCRIBE are not served here", status=400)
        body = answer.serialize(format=ox.QueryResultsFormat.JSON)
        return Response(body, mimetype="application/sparql-results+json")

    return app


def oxigraph_wsgi() -> Flask:
    """The same app for gunicorn, which imports it: `peer_apps:oxigraph_wsgi()`, with the
    N-Quads file in PEER_DATA."""
    import os

    return oxigraph_app(Path(os.environ["PEER_DATA"]))


def serve_waitress(app: Flask, port: int, threads: int) -> None:
    import waitress

    waitress.serve(app, host=HOST, port=port, threads=threads)


def serve_rdflib(data: Path, port: int) -> None:
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    dataset = Dataset(default_union=True)
    dataset.parse(data, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
    # Access log off: waitress logs nothing per request either.
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=("hello", "oxigraph", "rdflib"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--data", type=Path, help="N-Quads file (oxigraph, rdflib)")
    args = parser.parse_args()
    if args.app == "hello":
        serve_waitress(hello_app(), args.port, args.threads)
    elif args.app == "oxigraph":
        serve_waitress(oxigraph_app(args.data), args.port, args.threads)
    else:
        serve_rdflib(args.data, args.port)


if __name__ == "__main__":
    main()
