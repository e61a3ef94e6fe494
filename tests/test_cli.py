"""The crtkg command as a user runs it: output, exit status and error messages."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli import main
from tests.helpers import ROOT, rows

RECOMMENDED = ("SELECT ?modality ?words WHERE { ?r crtkg:aboutModality ?modality ; "
               "crtkg:statedForce ?words } ORDER BY ?words")


@pytest.fixture
def crtkg(built, capsys):
    """Run `crtkg ARGS...` against the session's artifact; return (status, stdout, stderr)."""
    def run(*args: str) -> tuple[int, str, str]:
        status = main(["--root", str(ROOT), "--artifact", str(built.artifact), *args])
        out, err = capsys.readouterr()
        return status, out, err
    return run


def test_query_prints_a_table(crtkg):
    status, out, _ = crtkg("query", RECOMMENDED)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["modality", "|", "words"]
    assert lines[2].split("|")[0].strip() == "kg:nuclear-imaging"
    assert "may be useful" in out and "should be used" in out
    assert lines[-1] == "(3 rows)"


LONG_QUOTE = ("SELECT ?trial ?quote WHERE { ?trial crtkg:reportsFinding ?claim . "
              "?claim crtkg:quote ?quote } ORDER BY DESC(STRLEN(?quote)) LIMIT 3")


@pytest.mark.parametrize("columns", [80, 120])
def test_a_long_cell_wraps_within_its_column_and_is_shown_whole(crtkg, store, monkeypatch,
                                                                columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    status, out, _ = crtkg("query", LONG_QUOTE)
    quotes = [r["quote"] for r in rows(store, LONG_QUOTE)]
    assert status == 0 and len(quotes[0]) > columns  # a quote longer than the terminal
    assert max(len(line) for line in out.splitlines()) <= columns
    assert [row[1] for row in table_rows(out)] == [" ".join(q.split()) for q in quotes]
    assert out.splitlines()[-1] == "(3 rows)"


def table_rows(out: str) -> list[list[str]]:
    """The rows of a printed table, each cell's wrapped lines joined again by spaces."""
    lines = out.splitlines()
    spans, start = [], 0
    for rule in lines[1].split("-+-"):  # the columns' widths
        spans.append((start, start + len(rule)))
        start += len(rule) + 3
    found: list[list[list[str]]] = [[]]
    for line in lines[2:-1]:
        if not line:  # a blank line between rows of several lines
            found.append([])
        else:
            found[-1].append([line[a:b].strip() for a, b in spans])
    if all(len(r) == 1 for r in found) and len(found) == 1:  # one line a row, no blanks
        found = [[r] for r in found[0]]
    return [[" ".join(filter(None, col)) for col in zip(*r, strict=True)] for r in found]


def test_query_as_json_and_csv(crtkg):
    status, out, _ = crtkg("query", RECOMMENDED, "--format", "json")
    assert status == 0
    bindings = json.loads(out)["results"]["bindings"]
    assert [b["words"]["value"] for b in bindings] == [
        "may be useful", "possibly", "should be used"]
    status, out, _ = crtkg("query", RECOMMENDED, "--format", "csv")
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["modality", "words"]
    assert table[1] == ["https://w3id.org/crtkg/id/nuclear-imaging", "may be useful"]


def test_query_from_a_file_and_without_inference(crtkg, tmp_path):
    query = tmp_path / "radiation.rq"
    query.write_text("SELECT ?m { ?m a crtkg:IonizingRadiationModality } ORDER BY ?m")
    status, out, _ = crtkg("query", str(query))
    assert status == 0 and "kg:spect" in out and "(6 rows)" in out
    status, out, _ = crtkg("query", str(query), "--no-infer")
    assert status == 0 and "(0 rows)" in out


def test_ask_and_construct(crtkg):
    assert crtkg("query", "ASK { kg:prospect crtkg:studiedModality kg:echocardiography }")[1] \
        == "yes\n"
    status, out, _ = crtkg("query", "CONSTRUCT { kg:spect ?p ?o } WHERE { kg:spect ?p ?o }")
    assert status == 0 and "@prefix kg:" in out and "IonizingRadiation" in out


def test_query_syntax_error_is_a_clear_message(crtkg):
    status, out, err = crtkg("query", "SELECT ?x WHERE { ?x rdfs:label ?y ] }")
    assert status == 1 and out == ""
    assert err == ("crtkg: error: SPARQL syntax error at line 1, column 36:\n"
                   "  SELECT ?x WHERE { ?x rdfs:label ?y ] }\n"
                   "                                     ^\n"
                   'unexpected "]"\n')


def test_query_with_a_relative_iri_needs_a_base(crtkg):
    # The CLI has no URL of its own to resolve against (the endpoint uses its URL).
    status, _, err = crtkg("query", "CONSTRUCT { <s> <p> 1 } WHERE {}")
    assert status == 1
    assert err.endswith("no base to resolve it against: write the IRI in full, or start the "
                        "query with BASE <...>\n")
    status, out, _ = crtkg("query", "BASE <http://example.org/> CONSTRUCT { <s> <p> 1 } "
                                    "WHERE {}")
    assert status == 0 and "<http://example.org/s> <http://example.org/p> 1 ." in out


@pytest.mark.parametrize(("name", "message"), [
    ("trial-finding", "no named query 'trial-finding'; did you mean trial-findings or "
                      "harm-findings?"),
    ("hazard-ratio", "no named query 'hazard-ratio'; did you mean hazard-ratios?"),
    ("zzz", "no named query 'zzz'; `crtkg queries` lists them"),
])
def test_an_unknown_query_name_suggests_the_nearest(crtkg, name, message):
    status, out, err = crtkg("query", name)
    assert status == 1 and out == ""
    assert err == f"crtkg: error: {message}\n"


def test_an_iri_the_graph_lacks_is_warned_of_and_the_query_still_runs(crtkg):
    query = ("SELECT ?words WHERE { ?r crtkg:aboutModality ?m ; crtkg:statedForce ?words "
             "OPTIONAL { ?r crtkg:aboutModalty kg:nuclear-imagin } } ORDER BY ?words")
    status, out, err = crtkg("query", query)
    assert status == 0
    assert err == ("crtkg: warning: crtkg:aboutModalty is not in the graph; did you mean "
                   "crtkg:aboutModality?\n"
                   "crtkg: warning: kg:nuclear-imagin is not in the graph; did you mean "
                   "kg:nuclear-imaging?\n")
    assert [line.strip() for line in out.splitlines()[2:]] == [
        "may be useful", "possibly", "should be used", "(3 rows)"]


def test_iris_in_comments_strings_and_of_the_graph_are_not_warned_of(crtkg):
    query = ('SELECT ?n WHERE { kg:echocrt crtkg:registryNumber ?n '
             'FILTER(?n != "kg:nothing") } # crtkg:nothing')
    status, out, err = crtkg("query", query)
    assert status == 0 and err == "" and "(1 row)" in out


def test_missing_query_file_is_named(crtkg, tmp_path):
    status, _, err = crtkg("query", str(tmp_path / "nope.rq"))
    assert status == 1 and "nope.rq: cannot read query file" in err


def test_export_unknown_format_lists_the_valid_ones(built, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--artifact", str(built.artifact), "export", "--format", "xml"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'xml'" in err
    for name in ("turtle", "nt", "jsonld", "trig", "nq"):
        assert f"'{name}'" in err


def test_export_to_a_file(crtkg, tmp_path):
    target = tmp_path / "crtkg.ttl"
    status, out, err = crtkg("export", "-o", str(target))
    assert status == 0 and out == ""
    assert f"wrote {target}" in err
    assert target.read_text().startswith("@prefix")


def test_build_command_reports_reuse(crtkg):
    status, out, _ = crtkg("build")
    assert status == 0
    assert out.startswith("Up to date")


def test_build_failure_exits_non_zero(project_copy, tmp_path, capsys):
    bad = project_copy.data_dir / "agents.ttl"
    bad.write_text(bad.read_text() + "\nkg:oops a .\n")
    status = main(["--root", str(project_copy.root), "--artifact", str(tmp_path / "a.nq"),
                   "build"])
    err = capsys.readouterr().err
    assert status == 1
    assert f"{bad}:" in err and "Turtle syntax error" in err
    assert not (tmp_path / "a.nq").exists()


def test_the_example_query_files_answer(crtkg):
    status, out, _ = crtkg("query", str(ROOT / "queries" / "recommendations.rq"), "--format",
                           "csv")
    table = list(csv.reader(io.StringIO(out)))
    assert status == 0
    assert [row[:6] for row in table] == [
        ["modality", "role", "force", "statedForce", "statedRank", "attribution"],
        ["cardiac magnetic resonance imaging", "assessment of myocardial scar", "should",
         "should be used", "", ""],
        ["echocardiography", "CRT optimization", "hedged", "possibly", "number one", "for me"],
        ["echocardiography", "patient selection", "", "", "number one", "for me"],
    ]
    radiation = str(ROOT / "queries" / "radiation-modalities.rq")
    status, out, _ = crtkg("query", radiation, "--format", "csv")
    assert [r[1] for r in csv.reader(io.StringIO(out))] == [
        "label", "99mTc myocardial perfusion imaging", "cardiac CT venography",
        "cardiac computed tomography", "nuclear imaging", "positron emission tomography",
        "single-photon emission computed tomography"]
    status, out, _ = crtkg("query", radiation, "--format", "csv", "--no-infer")
    assert out.strip() == "modality,label"


def test_queries_lists_the_catalogue_with_parameters(crtkg):
    status, out, _ = crtkg("queries")
    listed = {row[0]: row[1:] for row in table_rows(out)}
    assert status == 0
    assert out.splitlines()[0].split() == ["name", "|", "summary", "|", "parameters"]
    assert listed["findings-of-trial"] == ["What did a given trial find?",
                                           "trial: iri in {kg:prospect | kg:echocrt}"]
    assert listed["trials-by-size"][1] == "minimum: integer"
    assert out.splitlines()[-1] == f"({len(list((ROOT / 'queries').glob('*.rq')))} rows)"


def test_a_named_query_runs_with_its_parameters(crtkg):
    status, out, _ = crtkg("query", "recommendations-for-role", "--param",
                           "role=kg:scar-assessment", "--format", "csv")
    table = list(csv.reader(io.StringIO(out)))
    assert status == 0
    # the parameter is hidden
    assert table[0] == ["modality", "force", "statedForce", "statedRank", "attribution", "quote"]
    assert [row[:3] for row in table[1:]] == [
        ["cardiac magnetic resonance imaging", "should", "should be used"]]


@pytest.mark.parametrize(("args", "message"), [
    (("trials-by-size", "-p", "minimum=many"), "parameter minimum='many' is not an integer"),
    (("trials-by-size",), "trials-by-size needs the parameter minimum"),
    (("findings-of-trial", "-p", "trial=kg:madit"),
     "parameter trial='kg:madit' is not one of the allowed values: kg:prospect, kg:echocrt"),
    (("recommendations", "-p", "x"), "--param 'x': expected NAME=VALUE"),
    (("ASK {}", "-p", "x=1"), "--param applies to named queries only"),
])
def test_bad_parameters_name_themselves(crtkg, args, message):
    status, _, err = crtkg("query", *args)
    assert status == 1
    assert message in err


def test_a_long_query_text_is_run_not_taken_for_a_file_name(crtkg):
    # Over the 255 bytes a file name may have: asking the file system about it must not fail.
    long_query = "SELECT ?trial WHERE { ?trial crtkg:registryNumber ?n } " + "#" * 300
    status, out, err = crtkg("query", long_query)
    assert status == 0, err
    assert "kg:prospect" in out and "kg:echocrt" in out


def test_a_relative_root_builds(capsys, monkeypatch, tmp_path):
    # Sources under a relative root still parse (their file IRIs need an absolute path).
    monkeypatch.chdir(ROOT)
    status = main(["--root", ".", "--artifact", str(tmp_path / "a.nq"), "build"])
    assert status == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith(f"Built {tmp_path / 'a.nq'}")
