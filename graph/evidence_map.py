"""The evidence map: imaging modality x clinical role, drawn from the live graph.

Campbell and 3ie evidence-gap maps are drawn by hand; this one is the answer of two named
queries (queries/evidence-map.rq for the cells, queries/evidence-map-axes.rq for the rows
and columns, gaps included), drawn with matplotlib. In each cell a marker's area is the
number of studies plus claims, its colour the strongest kind of evidence, its shape the
direction of that evidence; an empty cell is a gap. In the SVG each marker links to the home
page running queries/evidence-map-cell.rq for that cell.

>>> from graph.artifact import open_store  # doctest: +SKIP
>>> emap = evidence_map(open_store(artifact), queries_dir)  # doctest: +SKIP
>>> emap.cell("https://w3id.org/crtkg/id/echocardiography",
...           "https://w3id.org/crtkg/id/patient-selection").claims  # doctest: +SKIP
3
"""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pyoxigraph as ox

from graph.catalogue import read_named_query
from graph.errors import CrtkgError
from graph.namespaces import CRTKG, curie_or_iri
from graph.query import select_rows

if TYPE_CHECKING:  # matplotlib loads only when a map is drawn
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

CELLS_QUERY = "evidence-map"
AXES_QUERY = "evidence-map-axes"
CELL_QUERY = "evidence-map-cell"  # what a cell links to
MAP_FORMATS = ("svg", "png")

# The strongest kind of evidence in a cell, as evidence-map.rq ranks it: colour, and the
# words of the legend. Rank 0: studies used the modality in the role, no claim is about it.
EVIDENCE_KINDS = {
    4: ("#08306b", "randomized trial's result (ECO:0000180)"),
    3: ("#2f7bbf", "observational imaging study's result (ECO:0001097)"),
    2: ("#8cc0e3", "author statement citing a study (ECO:0006016)"),
    1: ("#d2e3f3", "author statement without support (ECO:0000034)"),
    0: ("#ffffff", "used in studies, no claim about it"),
}
# A direction's marker; a cell whose strongest claims point several ways gets MIXED.
DIRECTION_MARKERS = {
    str(CRTKG.Benefit): "^",
    str(CRTKG.NoBenefit): "v",
    str(CRTKG.PossibleHarm): "X",
    str(CRTKG.InFavourOfUse): "P",
    str(CRTKG.Caution): "s",
    str(CRTKG.Predictive): "h",
}
MIXED = ("D", "several directions")
UNSTATED = ("o", "no direction stated")
NO_ROLE = "no clinical role stated"
GAP_COLOUR = "#ececec"


class MapError(CrtkgError):
    """The evidence map cannot be written as asked (an unknown format, say)."""


@dataclass(frozen=True)
class Concept:
    """A row or column of the map: a modality or role, with how deep it sits under broader
    ones (crtkg:isKindOf)."""

    iri: str | None  # None for the column of claims that name no role
    label: str
    depth: int = 0


@dataclass(frozen=True)
class Cell:
    modality: Concept
    role: Concept
    studies: int = 0
    claims: int = 0
    evidence_rank: int = 0
    strongest: str = ""  # the ECO class IRI of the strongest evidence, if any claim
    evidence: str = ""  # its label
    directions: tuple[str, ...] = ()  # labels of the strongest claims' directions
    direction_iris: tuple[str, ...] = ()

    @property
    def gap(self) -> bool:
        return self.studies == 0 and self.claims == 0

    @property
    def weight(self) -> int:
        return self.studies + self.claims

    def marker(self) -> tuple[str, str]:
        """The marker of this cell's directions, and the legend's words for it."""
        if len(self.direction_iris) > 1:
            return MIXED
        if not self.direction_iris:
            return UNSTATED
        return (DIRECTION_MARKERS.get(self.direction_iris[0], UNSTATED[0]), self.directions[0])


@dataclass(frozen=True)
class EvidenceMap:
    modalities: tuple[Concept, ...]  # rows, broader ones first, each with its narrower ones
    roles: tuple[Concept, ...]  # columns, likewise; then NO_ROLE if a claim names no role
    cells: dict[tuple[str, str | None], Cell]  # only the cells with evidence

    def cell(self, modality: str, role: str | None) -> Cell:
        """The cell of a modality and role (IRIs); an empty one where the graph has none."""
        found = self.cells.get((modality, role))
        if found:
            return found
        return Cell(self.concept(self.modalities, modality), self.concept(self.roles, role))

    @staticmethod
    def concept(axis: tuple[Concept, ...], iri: str | None) -> Concept:
        return next(c for c in axis if c.iri == iri)

    def grid(self) -> list[Cell]:
        """Every cell, gaps included, row by row."""
        return [self.cell(m.iri or "", r.iri) for m in self.modalities for r in self.roles]

    def gaps(self) -> list[Cell]:
        return [c for c in self.grid() if c.gap]

    def csv(self, link_base: str = "/") -> str:
        """One line a cell, gaps with 0 studies and 0 claims; the link lists its claims."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["modality", "modalityLabel", "role", "roleLabel", "studies", "claims",
                         "evidenceRank", "strongest", "evidence", "directions", "cell"])
        for c in self.grid():
            writer.writerow([c.modality.iri, c.modality.label, c.role.iri or "",
                             c.role.label if c.role.iri else "", c.studies, c.claims,
                             c.evidence_rank, c.strongest, c.evidence, "; ".join(c.directions),
                             "" if c.gap else cell_link(c, link_base)])
        return out.getvalue()


def cell_link(cell: Cell, base: str = "/") -> str:
    """The home page's address that runs evidence-map-cell for the cell (see crtkg.js
    `fromUrl`): `base` is the page's address, e.g. "/" or "http://127.0.0.1:8000/"."""
    params = [("example", CELL_QUERY), ("modality", curie_or_iri(cell.modality.iri or ""))]
    if cell.role.iri:
        params.append(("role", curie_or_iri(cell.role.iri)))
    return f"{base}?{urlencode(params)}"


def evidence_map(store: ox.Store, queries_dir: Path) -> EvidenceMap:
    """The map's axes and cells, from the named queries of `queries_dir` run on `store`."""
    axes = rows(store, queries_dir, AXES_QUERY)
    modalities = in_tree_order([r for r in axes if r["axis"] == "modality"])
    roles = in_tree_order([r for r in axes if r["axis"] == "role"])
    found = rows(store, queries_dir, CELLS_QUERY)
    if any("role" not in r for r in found):
        roles.append(Concept(None, NO_ROLE))
    cells: dict[tuple[str, str | None], Cell] = {}
    for r in found:
        modality = EvidenceMap.concept(tuple(modalities), r["modality"])
        role = EvidenceMap.concept(tuple(roles), r.get("role"))
        cells[(modality.iri or "", role.iri)] = Cell(  # as grid() looks a cell up
            modality, role, studies=int(r["studies"]), claims=int(r["claims"]),
            evidence_rank=int(r["evidenceRank"]), strongest=r.get("strongest", ""),
            evidence=r.get("evidence", ""),
            directions=tuple(r["directions"].split("; ")) if r.get("directions") else (),
            direction_iris=tuple(r.get("directionIris", "").split()))
    return EvidenceMap(tuple(modalities), tuple(roles), cells)


def rows(store: ox.Store, queries_dir: Path, name: str) -> list[dict[str, str]]:
    answer = read_named_query(queries_dir / f"{name}.rq").run(store)
    _, solutions = select_rows(answer)
    return [{k: v.value for k, v in row.items()} for row in solutions]


def in_tree_order(rows: Iterable[dict[str, str]]) -> list[Concept]:
    """Concepts sorted by label, each followed by its narrower ones (depth-first)."""
    rows = sorted(rows, key=lambda r: r["label"].casefold())
    known = {r["concept"] for r in rows}
    children: dict[str | None, list[dict[str, str]]] = {}
    for r in rows:
        parent = r.get("broader")
        children.setdefault(parent if parent in known else None, []).append(r)
    ordered: list[Concept] = []

    def visit(parent: str | None, depth: int) -> None:
        for r in children.get(parent, []):
            ordered.append(Concept(r["concept"], r["label"], depth))
            visit(r["concept"], depth + 1)

    visit(None, 0)
    return ordered


# Drawing --------------------------------------------------------------------------------

STYLE: dict[RcKeyType, Any] = {
    "svg.hashsalt": "crtkg-evidence-map",  # ids from this salt, not random: same graph, same bytes
    "svg.fonttype": "none",  # text stays text: readable, searchable, selectable in the page
    "font.family": ["DejaVu Sans"],
    "font.size": 9,
}


def draw(emap: EvidenceMap, fmt: str, link_base: str = "/") -> bytes:
    """The map as SVG or PNG bytes; the same map gives the same bytes."""
    if fmt not in MAP_FORMATS:
        raise MapError(f"unknown map format {fmt!r}; choose one of: {', '.join(MAP_FORMATS)}")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        # A Figure on Agg's canvas, not pyplot: no display, no global figure state.
        figure = Figure(figsize=figure_size(emap), layout=None)
        FigureCanvasAgg(figure)
        plot(figure, emap, link_base)
        out = io.BytesIO()
        # No date or software version in the file: it depends on the graph alone.
        metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
        figure.savefig(out, format=fmt, dpi=150 if fmt == "png" else 72, metadata=metadata)
    return out.getvalue()


CELL_W, CELL_H = 1.0, 0.5  # inches
LABELS_W, LABELS_H, LEGEND_H = 3.55, 1.0, 1.8


def figure_size(emap: EvidenceMap) -> tuple[float, float]:
    return (LABELS_W + CELL_W * len(emap.roles) + 0.3,
            LABELS_H + CELL_H * len(emap.modalities) + LEGEND_H)


def plot(figure: Figure, emap: EvidenceMap, link_base: str) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    width, height = figure.get_size_inches()
    columns, lines = len(emap.roles), len(emap.modalities)
    ax = figure.add_axes((LABELS_W / width, LEGEND_H / height, CELL_W * columns / width,
                          CELL_H * lines / height))
    ax.set_xlim(-0.5, columns - 0.5)
    ax.set_ylim(lines - 0.5, -0.5)  # the first modality at the top
    for side in ax.spines.values():
        side.set_visible(False)
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    ax.set_xticks(range(columns), [axis_label(r, 16) for r in emap.roles],
                  fontsize=8.5, linespacing=1.1)
    ax.set_yticks(range(lines), [axis_label(m, 46) for m in emap.modalities], ha="left")
    # Left-aligned row labels, so a narrower technique's indent shows: pad by the widest.
    widest = max(t.get_window_extent().width for t in ax.get_yticklabels())  # Agg's renderer
    ax.tick_params(axis="y", pad=widest * 72 / figure.dpi + 6)

    biggest = max([c.weight for c in emap.cells.values()] or [1])
    for row, modality in enumerate(emap.modalities):
        for col, role in enumerate(emap.roles):
            cell = emap.cell(modality.iri or "", role.iri)
            ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor=GAP_COLOUR
                                   if cell.gap else "white", edgecolor="white", linewidth=2))
            if cell.gap:
                continue
            shape, _ = cell.marker()
            colour = EVIDENCE_KINDS[cell.evidence_rank][0]
            dot = ax.scatter([col], [row], s=marker_area(cell.weight, biggest), marker=shape,
                             c=[colour], edgecolors="#555555" if cell.claims else "#888888",
                             linewidths=0.8, zorder=3)
            dot.set_urls([cell_link(cell, link_base)])  # an <a> round the marker in SVG
            dot.set_gid(cell_id(cell))
            ax.annotate(f"{cell.studies}/{cell.claims}", (col + 0.46, row + 0.44), fontsize=7,
                        color="#555555", ha="right", va="bottom", zorder=4)

    legend_y = 0.02
    kinds = [Patch(facecolor=colour, edgecolor="#555555", label=words)
             for _, (colour, words) in sorted(EVIDENCE_KINDS.items(), reverse=True)]
    kinds.append(Patch(facecolor=GAP_COLOUR, edgecolor=GAP_COLOUR,
                       label="no evidence in the graph: a gap"))
    figure.legend(handles=kinds, title="Strongest evidence (colour)", loc="lower left",
                  bbox_to_anchor=(0.01, legend_y), fontsize=8.5, title_fontsize=9,
                  alignment="left", frameon=False)
    shapes = sorted({c.marker() for c in emap.cells.values() if c.claims},
                    key=lambda m: m[1])
    figure.legend(handles=[Line2D([], [], marker=m, linestyle="", markersize=7, color="#555555",
                                  label=words) for m, words in shapes],
                  title="Direction of it (shape)", loc="lower left",
                  bbox_to_anchor=(0.43, legend_y), fontsize=8.5, title_fontsize=9,
                  alignment="left", frameon=False)
    sizes = sorted({1, max(1, biggest // 2), biggest})
    figure.legend(handles=[Line2D([], [], marker="o", linestyle="", color="#bbbbbb",
                                  markeredgecolor="#555555",
                                  markersize=marker_area(n, biggest) ** 0.5,
                                  label=f"{n} in all") for n in sizes],
                  title="Studies + claims (area);\nn/m in a cell: n studies, m claims",
                  loc="lower left", bbox_to_anchor=(0.70, legend_y), fontsize=8.5,
                  title_fontsize=9, alignment="left", frameon=False, labelspacing=2.0,
                  borderpad=0.8, handletextpad=1.6)
    figure.text(0.01, 1 - 0.15 / height, "Imaging modality", fontsize=8.5, va="top",
                weight="bold")
    figure.text(LABELS_W / width, 1 - 0.15 / height, "Clinical role", fontsize=8.5, va="top",
                weight="bold")


def axis_label(concept: Concept, wrap: int) -> str:
    """A row or column label: a narrower concept marked and indented under its broader one."""
    text = concept.label if concept.iri else NO_ROLE
    if concept.depth:
        text = "   " * (concept.depth - 1) + "↳ " + text
    return "\n".join(textwrap.wrap(text, wrap)) if len(text) > wrap else text


def marker_area(weight: int, biggest: int) -> float:
    """Area in points², proportional to the weight; the biggest fills most of a cell."""
    largest = (CELL_H * 72 * 0.85) ** 2
    return max(largest * weight / biggest, 30.0)


def cell_id(cell: Cell) -> str:
    local = lambda iri: (iri or "no-role").rsplit("/", 1)[-1]  # noqa: E731
    return f"cell-{local(cell.modality.iri)}--{local(cell.role.iri)}"


# Writing files -----------------------------------------------------------------------------

def map_format(path: Path) -> str:
    """The format a map file's suffix asks for; MapError for any other suffix."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in MAP_FORMATS:
        raise MapError(f"-o/--output {path}: the map is written as .svg or .png, "
                       f"not {path.suffix or 'a file without a suffix'}")
    return fmt


def write_map(emap: EvidenceMap, output: Path, csv_path: Path | None = None,
              link_base: str = "/") -> tuple[Path, Path]:
    """Write the map (format from the suffix) and the CSV behind it (beside it by default).
    Both are made before either is written, so a failure leaves no half of the pair."""
    data = draw(emap, map_format(output), link_base)
    table = emap.csv(link_base).encode()
    csv_path = csv_path or output.with_suffix(".csv")
    output.write_bytes(data)
    csv_path.write_bytes(table)
    return output, csv_path
