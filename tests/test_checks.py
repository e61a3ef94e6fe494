"""The integrity checks of ontology/checks: each fires on a broken copy of the project, with
its message at the file and line of the node at fault, and the last good build is kept."""

from __future__ import annotations

import pytest

from graph.artifact import build
from graph.errors import SourceError, ValidationFailed
from tests.helpers import ROOT, edit, failed_build, failed_report, good_build, line_of

CHECKS = ROOT / "ontology" / "checks"


def test_every_check_says_what_it_checks_and_returns_focus_and_message():
    files = sorted(CHECKS.glob("*.rq"))
    assert [f.stem for f in files] == ["claim-evidence-source", "source-discrepancy-holds",
                                       "study-registry"]
    for path in files:
        text = path.read_text()
        assert text.startswith(f"# {path.stem}: "), path
        assert "?focus" in text and "?message" in text, path


PUBLICATION_YEAR = 'fabio:hasPublicationYear "2008"^^xsd:gYear ;'
# (file, old, new) edits that break the discrepancy, and the message each gives.
DISCREPANCY_BREAKS = {
    "the source's year changed": (
        [("sources.ttl", PUBLICATION_YEAR, 'fabio:hasPublicationYear "2009"^^xsd:gYear ;')],
        "the source kg:prospect-article no longer has fabio:hasPublicationYear 2008, the "
        "value the discrepancy records (crtkg:sourceValue) (value '2009')"),
    "the source's year removed": (
        [("sources.ttl", PUBLICATION_YEAR, "")],
        "the source kg:prospect-article no longer has fabio:hasPublicationYear 2008, the "
        "value the discrepancy records (crtkg:sourceValue)"),
    "the claim's year changed": (
        [("claims.ttl", 'crtkg:statedYear "2009"^^xsd:gYear .',
          'crtkg:statedYear "2007"^^xsd:gYear .')],
        "the claim kg:prospect-no-echo-predictor no longer has crtkg:statedYear 2009, the "
        "value the discrepancy records (crtkg:claimValue) (value '2007')"),
    "both sides the same": (  # the article's year changed, and the record with it
        [("sources.ttl", PUBLICATION_YEAR, 'fabio:hasPublicationYear "2009"^^xsd:gYear ;'),
         ("claims.ttl", 'crtkg:sourceValue "2008"^^xsd:gYear ;',
          'crtkg:sourceValue "2009"^^xsd:gYear ;')],
        "the claim kg:prospect-no-echo-predictor and the source kg:prospect-article now say "
        "the same: no discrepancy is left to record (value '2009')"),
    "a side not recorded": (
        [("claims.ttl", "crtkg:sourceProperty fabio:hasPublicationYear ;", "")],
        "a source discrepancy records both sides; it has no crtkg:sourceProperty"),
}


@pytest.mark.parametrize("case", DISCREPANCY_BREAKS)
def test_a_discrepancy_that_no_longer_holds_fails_the_build(project_copy, tmp_path, case):
    changes, message = DISCREPANCY_BREAKS[case]
    report = failed_report(project_copy, tmp_path, changes)
    claims = project_copy.data_dir / "claims.ttl"
    line = line_of(claims, "kg:prospect-year-discrepancy")
    assert report.splitlines() == [f"{claims}:{line}: kg:prospect-year-discrepancy: {message} "
                                   "[check source-discrepancy-holds]"]


def test_a_study_without_registry_number_or_reason_fails_the_build(project_copy, tmp_path):
    report = failed_report(project_copy, tmp_path,
                           [("studies.ttl", 'crtkg:registryNumber "NCT00253357" ;', "")])
    studies = project_copy.data_dir / "studies.ttl"
    assert report.splitlines() == [
        f"{studies}:{line_of(studies, 'kg:prospect')}: kg:prospect: a clinical study needs its "
        "ClinicalTrials.gov number (crtkg:registryNumber) or why it has none "
        "(crtkg:noRegistryReason) [check study-registry]"]


def test_a_reason_for_no_registry_number_is_enough(project_copy, tmp_path):
    edit(project_copy.data_dir / "studies.ttl", 'crtkg:registryNumber "NCT00253357" ;',
         'crtkg:noRegistryReason "not registered, in this test" ;')
    build(project_copy, tmp_path / "crtkg.nq")  # no error


def test_a_claim_without_an_eco_typed_evidence_line_fails_the_build(project_copy, tmp_path):
    # The line stays an evidence line, so only the ECO type is missing.
    report = failed_report(project_copy, tmp_path, [(
        "claims.ttl", "kg:evidence-stankovic-cites-echocrt a crtkg:EvidenceLine, obo:ECO_0006016 ;",
        "kg:evidence-stankovic-cites-echocrt a crtkg:EvidenceLine ;")])
    claims = project_copy.data_dir / "claims.ttl"
    expected = [f"{claims}:{line_of(claims, claim)}: {claim}: a claim needs an evidence line "
                "(crtkg:supportedBy) typed with an ECO class [check claim-evidence-source]"
                for claim in ("kg:echocrt-no-benefit", "kg:echocrt-mortality")]
    assert [line for line in report.splitlines() if "claim-evidence-source" in line] == expected
    # kg:history-early-enthusiasm has a second, ECO-typed line: it passes.
    assert "kg:history-early-enthusiasm:" not in report


def test_a_claim_without_a_source_fails_the_build(project_copy, tmp_path):
    report = failed_report(project_copy, tmp_path, [
        ("claims.ttl", "prov:wasDerivedFrom kg:prospect-article ;", "")])
    claims = project_copy.data_dir / "claims.ttl"
    line = line_of(claims, "kg:prospect-modest-prediction")
    assert (f"{claims}:{line}: kg:prospect-modest-prediction: a claim needs its source: the "
            "document it was quoted from (prov:wasQuotedFrom) or derived from "
            "(prov:wasDerivedFrom) [check claim-evidence-source]") in report.splitlines()


def test_different_problems_are_reported_together_in_one_sorted_report(project_copy, tmp_path):
    report = failed_report(project_copy, tmp_path, [
        ("sources.ttl", PUBLICATION_YEAR, 'fabio:hasPublicationYear "2009"^^xsd:gYear ;'),
        ("studies.ttl", 'crtkg:registryNumber "NCT00253357" ;', ""),
        ("claims.ttl", "There was subsequently a huge decline", "There was then a huge decline")])
    lines = report.splitlines()
    assert [line.rsplit("[check ", 1)[-1] for line in lines if "[check " in line] == [
        "source-discrepancy-holds]", "study-registry]"]
    assert any(": kg:history-publication-decline: crtkg:quote is not in the text of "
               "kg:stankovic-interview" in line for line in lines)
    assert lines == sorted(lines, key=lambda line: (line.split(":")[0], int(line.split(":")[1])))


def test_editing_a_check_makes_the_next_build_a_real_one(project_copy, tmp_path):
    artifact = tmp_path / "crtkg.nq"
    build(project_copy, artifact)
    assert build(project_copy, artifact).reused
    check = project_copy.checks_dir / "study-registry.rq"
    check.write_text(check.read_text() + "# edited\n")
    assert not build(project_copy, artifact).reused


def test_a_new_check_in_the_folder_runs_too(project_copy, tmp_path):
    (project_copy.checks_dir / "no-journal-without-label.rq").write_text(
        "# a journal whose label says it is a test\n"
        "SELECT ?focus ?message ?value WHERE {\n"
        "  ?focus a crtkg:Journal ; rdfs:label ?value . FILTER(STR(?value) = \"Circulation\")\n"
        "  BIND(\"a journal called Circulation, in this test\" AS ?message) }\n")
    with pytest.raises(ValidationFailed) as caught:
        build(project_copy, tmp_path / "crtkg.nq")
    sources = project_copy.data_dir / "sources.ttl"
    assert caught.value.report == (
        f"{sources}:{line_of(sources, 'kg:circulation')}: kg:circulation: a journal called "
        "Circulation, in this test (value 'Circulation') [check no-journal-without-label]")


# A broken check file, and what the error says after "<file>:".
BROKEN_CHECKS = [
    ("# a syntax error\nSELECT ?focus ?message WHERE { ?focus a }\n",
     "2:41: SPARQL syntax error: "),
    ("# no focus\nSELECT ?message WHERE { BIND(\"x\" AS ?message) }\n",
     " a check must be a SELECT of ?focus and ?message"),
    ("SELECT ?focus ?message WHERE { }\n",
     "1: a check starts with a `#` comment saying what it checks"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN_CHECKS)
def test_a_broken_check_file_names_its_file(project_copy, tmp_path, text, message):
    artifact, good = good_build(project_copy, tmp_path)
    broken = project_copy.checks_dir / "broken.rq"
    broken.write_text(text)
    error = failed_build(project_copy, artifact, good, SourceError)
    assert str(error).startswith(f"{broken}:{message}")
