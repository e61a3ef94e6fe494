"""The evidence map: its cells from the named query, its gaps, the files `crtkg map` writes,
the links from its cells to their claims, and the map on the home page."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from cli import main
from graph.artifact import BuildSummary
from graph.evidence_map import EvidenceMap, MapError, draw, evidence_map
from graph.namespaces import KG
from tests.helpers import ROOT, answer

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture(scope="module")
def emap(store: ox.Store) -> EvidenceMap:
    return evidence_map(store, ROOT / "queries")


# The named query's cells: (modality, role) -> studies, claims, rank, strongest, directions.
CELLS = [
    # PROSPECT's observational result, the interview's report of it citing the article, and
    # the expert's own recommendation; the randomized trials EchoCRT and RethinQ used echo
    # to select patients but no claim of theirs is about echo, so the strongest is rank 3.
    ("kg:echocardiography", "kg:patient-selection", "3", "3", "3", "obo:ECO_0001097",
     "no benefit"),
    ("kg:speckle-tracking-radial-strain", "kg:lv-lead-placement", "2", "6", "4",
     "obo:ECO_0000180", "benefit; no benefit"),
    ("kg:echocardiography", "kg:av-delay-optimization", "1", "1", "4", "obo:ECO_0000180",
     "no benefit"),
    ("kg:cardiac-mri", "kg:scar-assessment", "0", "1", "1", "obo:ECO_0000034",
     "in favour of use"),
    # Six trials measured their outcome by echo; no claim is about echo's value there.
    ("kg:echocardiography", "kg:response-assessment", "6", "0", "0", "", ""),
    # The caveat and concession about nuclear imaging name no clinical role.
    ("kg:nuclear-imaging", "", "0", "2", "1", "obo:ECO_0000034", "caution"),
]


@pytest.mark.parametrize(("modality", "role", "studies", "claims", "rank", "strongest",
                          "directions"), CELLS)
def test_the_query_counts_a_cells_studies_and_claims_and_its_strongest_evidence(
        store: ox.Store, modality: str, role: str, studies: str, claims: str, rank: str,
        strongest: str, directions: str) -> None:
    found = {(r[0], r[2]): (r[4], r[5], r[6], r[7], r[9]) for r in answer(store, "evidence-map")}
    assert found[(modality, role)] == (studies, claims, rank, strongest, directions)


def test_the_matrix_has_every_modality_and_role_with_the_gaps(emap: EvidenceMap) -> None:
    assert len(emap.modalities) == 12
    assert [r.label for r in emap.roles] == [
        "assessment of myocardial scar", "assessment of response", "CRT optimization",
        "AV-delay optimization", "VV-delay optimization", "LV lead placement guidance",
        "patient selection", "no clinical role stated"]
    assert len(emap.grid()) == 12 * 8
    assert len(emap.cells) == 13 and len(emap.gaps()) == 12 * 8 - 13
    pet = emap.cell(KG + "pet", KG + "patient-selection")
    assert pet.gap and (pet.studies, pet.claims) == (0, 0)
    # A narrower technique sits under its broader one.
    labels = [m.label for m in emap.modalities]
    echo = labels.index("echocardiography")
    assert labels[echo + 1: echo + 4] == ["speckle-tracking echocardiography",
                                          "2D speckle-tracking radial strain",
                                          "tissue Doppler imaging"]


def test_the_csv_has_a_line_per_cell_gaps_with_zero(emap: EvidenceMap) -> None:
    lines = list(csv.DictReader(io.StringIO(emap.csv())))
    assert len(lines) == 96
    pet = [r for r in lines if r["modality"] == KG + "pet"]
    assert len(pet) == 8 and all((r["studies"], r["claims"], r["cell"]) == ("0", "0", "")
                                 for r in pet)
    echo = next(r for r in lines if r["modality"] == KG + "echocardiography"
                and r["role"] == KG + "patient-selection")
    assert (echo["studies"], echo["claims"], echo["evidence"]) == (
        "3", "3", "medical imaging evidence")
    assert echo["cell"] == ("/?example=evidence-map-cell&modality=kg%3Aechocardiography"
                            "&role=kg%3Apatient-selection")


def test_the_same_graph_draws_the_same_bytes(emap: EvidenceMap) -> None:
    assert draw(emap, "svg") == draw(emap, "svg")
    assert draw(emap, "png") == draw(emap, "png")


def run_map(built: BuildSummary, *args: str) -> int:
    return main(["--root", str(ROOT), "--artifact", str(built.artifact), "map", *args])


def cell_links(svg: bytes) -> dict[str, str]:
    """The SVG's cell links, by the id of the marker's group."""
    links = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        for link in group.iter(f"{SVG}a"):
            links[group.get("id", "")] = link.get(XLINK)
    return {k: v for k, v in links.items() if k.startswith("cell-")}


def test_crtkg_map_writes_an_svg_whose_cells_link_to_their_claims(
        built: BuildSummary, tmp_path: Path, client: FlaskClient,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_map(built, "-o", str(tmp_path / "x.svg"), "--link-base", "/") == 0
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'x.svg'}" in out and f"wrote {tmp_path / 'x.csv'}" in out
    links = cell_links((tmp_path / "x.svg").read_bytes())
    assert len(links) == 13
    link = links["cell-echocardiography--patient-selection"]
    assert client.get(link).status_code == 200  # the home page, which runs the query
    # What the page runs: the named query with the cell's parameters, through the API.
    params = dict(parse_qsl(urlsplit(link).query))
    name = params.pop("example")
    got = client.get(f"/api/queries/{name}", query_string=params,
                     headers={"Accept": "application/sparql-results+json"})
    rows = [{k: v["value"] for k, v in b.items()} for b in got.get_json()["results"]["bindings"]]
    labels = {r["label"] for r in rows if r["basis"] == "claim"}
    assert labels == {
        "PROSPECT: no echocardiographic parameter improves patient selection for CRT",
        "Echocardiography is, for me, number one for patient selection",
        "PROSPECT: the 12 echocardiographic dyssynchrony parameters predicted response poorly "
        "(area under the ROC curve at most 0.62 for each)"}
    assert any(r.get("quote", "").startswith("In terms of imaging techniques, "
                                             "echocardiography is, for me, number one")
               for r in rows)
    assert {r["study"] for r in rows if r["basis"] == "imaging use"} == {
        "EchoCRT", "PROSPECT", "RethinQ"}


def test_the_no_role_column_links_to_the_claims_that_name_no_role(
        built: BuildSummary, tmp_path: Path, client: FlaskClient) -> None:
    assert run_map(built, "-o", str(tmp_path / "x.svg"), "--link-base", "/") == 0
    link = cell_links((tmp_path / "x.svg").read_bytes())["cell-nuclear-imaging--no-role"]
    params = dict(parse_qsl(urlsplit(link).query))
    assert "role" not in params
    got = client.get(f"/api/queries/{params.pop('example')}", query_string=params,
                     headers={"Accept": "text/csv"})
    answer = list(csv.DictReader(io.StringIO(got.text)))
    assert sorted(r["kind"] for r in answer) == ["caveat", "concession"]
    assert all(r["item"].startswith(str(KG)) for r in answer)  # each claim, to open its page


def test_crtkg_map_writes_a_png_and_the_csv_where_asked(built: BuildSummary,
                                                        tmp_path: Path) -> None:
    assert run_map(built, "-o", str(tmp_path / "map.png"), "--csv",
                   str(tmp_path / "cells.csv")) == 0
    assert (tmp_path / "map.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert (tmp_path / "cells.csv").read_text().startswith("modality,modalityLabel,role,")
    assert not (tmp_path / "map.csv").exists()


@pytest.mark.parametrize(("name", "said"), [("map.pdf", "not .pdf"),
                                            ("map", "not a file without a suffix")])
def test_a_suffix_other_than_svg_or_png_is_refused(
        built: BuildSummary, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
        said: str) -> None:
    assert run_map(built, "-o", str(tmp_path / name)) == 1
    err = capsys.readouterr().err
    assert f"-o/--output {tmp_path / name}: the map is written as .svg or .png, {said}" in err
    assert list(tmp_path.iterdir()) == []


def test_draw_refuses_an_unknown_format(emap: EvidenceMap) -> None:
    with pytest.raises(MapError, match="choose one of: svg, png"):
        draw(emap, "gif")


def test_the_home_page_shows_the_map_inline_with_its_links(client: FlaskClient) -> None:
    page = client.get("/").text
    section = page[page.index('<section id="evidence-map"'):]
    section = section[:section.index("</section>")]
    assert "<h2 id=\"evidence-map-title\">The evidence map</h2>" in section
    assert "<?xml" not in section and "<svg" in section
    # "./": the home page from the home page and from /map.svg, wherever the app is mounted.
    assert section.count('<a xlink:href="./?example=evidence-map-cell&amp;') == 13
    assert 'href="/map.csv"' in section and 'href="/map.svg"' in section


def test_the_map_and_its_csv_are_served_with_an_etag(client: FlaskClient) -> None:
    svg = client.get("/map.svg")
    assert svg.status_code == 200 and svg.content_type == "image/svg+xml"
    assert len(cell_links(svg.data)) == 13
    again = client.get("/map.svg", headers={"If-None-Match": svg.headers["ETag"]})
    assert again.status_code == 304
    table = client.get("/map.csv")
    assert table.content_type == "text/csv; charset=utf-8"
    lines = list(csv.DictReader(io.StringIO(table.text)))
    assert len(lines) == 96
    # A downloaded CSV has no page to be relative to: its links name the server.
    assert {r["cell"][:30] for r in lines if r["cell"]} == {"http://localhost/?example=evid"}
    mounted = client.get("/map.csv", environ_overrides={"SCRIPT_NAME": "/crtkg"}).text
    assert "http://localhost/crtkg/?example=evidence-map-cell" in mounted
    assert {(r["modalityLabel"], r["roleLabel"], r["studies"], r["claims"]) for r in lines} >= {
        ("echocardiography", "patient selection", "3", "3"),
        ("positron emission tomography", "patient selection", "0", "0")}
