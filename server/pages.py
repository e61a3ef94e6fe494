"""The web page at /: a query editor with the named queries as examples, for people."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from graph.namespaces import PREFIXES
from graph.results import FORMATS

bp = Blueprint("pages", __name__)


@bp.route("/")
def index() -> str:
    state = current_app.extensions["crtkg"]
    return render_template("index.html", examples=state.examples, stats=state.statistics,
                           formats=FORMATS, prefixes=PREFIXES, settings=state.settings)
