"""The web page at /: a query editor with the named queries as examples, for people."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from graph.namespaces import BASE, GRAPHS, INFERRED_GRAPH, PREFIXES, shorten
from graph.results import FORMATS
from server.api import parameter_json
from server.protocol import API_FORMATS
from server.state import app_state

bp = Blueprint("pages", __name__)

# What each named graph holds, in the order a reader meets them.
GRAPH_NOTES = {
    "ontology": "the ontology: classes, properties and their axioms",
    "imports": "the terms crtkg uses from OBI, ECO, MAxO, SEPIO and STATO, with their ancestors",
    "data": "the curated evidence: claims, trials, publications, people, with provenance",
    "mappings": "links to external ontologies (SKOS, with their SSSOM justification) and to "
                "PubMed, DOI and ClinicalTrials.gov records",
    "inferred": "only what the OWL 2 RL reasoner added to the ontology, imports and data "
                "(trimmed)",
    "derivations": "how the reasoner derived each inferred triple: the rule and its premises "
                   "(not in the default graph; see /explain)",
}


@bp.route("/")
def index() -> str:
    state = app_state()
    stats = state.statistics
    order = {str(iri): i for i, iri in enumerate(GRAPHS.values())}
    graphs = [(stats.graph_names[iri], iri, n, GRAPH_NOTES.get(stats.graph_names[iri], ""))
              for iri, n in sorted(stats.graphs.items(), key=lambda kv: order.get(kv[0], 99))]
    endpoint = url_for("sparql.endpoint")
    # What the script needs, as JSON in the page (never fetched from elsewhere).
    page_data = {
        "endpoint": endpoint,
        "base": BASE,
        "root": request.script_root,  # where the resource pages are: /id/... under it
        "prefixes": PREFIXES,
        "formats": [{"name": f.name, "media_type": f.media_type, "answers": f.answers}
                    for f in FORMATS],
        "examples": {q.name: q.text for q in state.examples},
        # The REST API runs a named query with its parameters; the page uses it for those.
        "api": url_for("api.list_queries"),
        "api_formats": [{"name": f.name, "media_type": f.media_type, "answers": f.answers}
                        for f in API_FORMATS],
        "parameters": {q.name: [parameter_json(p) for p in q.parameters] for q in state.examples},
        # A resource's inferred values link to how the reasoner derived them.
        "explain": url_for("explain.explain_triple"),
        "inferred": str(INFERRED_GRAPH),
    }
    return render_template(
        "index.html", examples=state.examples, stats=stats, formats=FORMATS, prefixes=PREFIXES,
        settings=state.settings, graphs=graphs, curie=shorten, endpoint=endpoint,
        endpoint_url=url_for("sparql.endpoint", _external=True), page_data=page_data,
        # Inline, not <img>: links inside an SVG work only in the page's own document.
        evidence_map=drawn.inline() if (drawn := state.evidence_map.get()) else None)
