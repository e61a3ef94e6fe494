"""Every claim of the source is in the graph, with its sentence, source and evidence type."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, column, rows

INTERVIEW_TEXT = (ROOT / "graph/data/sources/stankovic-interview.txt").read_text(encoding="utf-8")

TRIAL_RESULT = "obo:ECO_0000180"
CITED_STATEMENT = "obo:ECO_0006016"
UNCITED_STATEMENT = "obo:ECO_0000034"

# claim, its class, evidence type, and words its quote must contain
EXPECTED_CLAIMS = [
    ("kg:prospect-no-echo-predictor", "crtkg:Finding", TRIAL_RESULT, "no echocardiographic parameters"),
    ("kg:echocrt-no-benefit", "crtkg:Finding", TRIAL_RESULT, "CRT was not beneficial"),
    ("kg:echocrt-mortality", "crtkg:Finding", TRIAL_RESULT, "may even increase mortality"),
    ("kg:stance-hope", "crtkg:StanceStatement", UNCITED_STATEMENT, "there is a hope"),
    ("kg:stance-cautious-optimism", "crtkg:StanceStatement", UNCITED_STATEMENT, "cautiously optimistic"),
    ("kg:history-early-enthusiasm", "crtkg:HistoricalStatement", CITED_STATEMENT, "overly enthusiastic"),
    ("kg:history-prospect-disappointment", "crtkg:HistoricalStatement", CITED_STATEMENT, "disappointed"),
    ("kg:history-publication-decline", "crtkg:HistoricalStatement", UNCITED_STATEMENT, "huge decline in publications"),
    ("kg:history-concept-change", "crtkg:HistoricalStatement", UNCITED_STATEMENT, "novel parameters have emerged"),
    ("kg:need-randomized-trials", "crtkg:ResearchNeedStatement", UNCITED_STATEMENT, "new randomized trials"),
    ("kg:need-no-one-daring", "crtkg:ResearchNeedStatement", UNCITED_STATEMENT, "no-one is daring to start"),
    ("kg:rec-echo-patient-selection", "crtkg:Recommendation", UNCITED_STATEMENT, "number one for patient selection"),
    ("kg:rec-echo-optimization", "crtkg:Recommendation", UNCITED_STATEMENT, "possibly, optimization"),
    ("kg:rec-mri-scar", "crtkg:Recommendation", UNCITED_STATEMENT, "should be used for assessing extent of myocardial scar"),
    ("kg:rec-nuclear", "crtkg:Recommendation", UNCITED_STATEMENT, "nuclear techniques may be useful"),
    ("kg:caveat-nuclear-radiation", "crtkg:Caveat", UNCITED_STATEMENT, "exposure to radiation"),
]

PROVENANCE = """
SELECT ?quote ?source ?evidence ?kind ?by WHERE {
  ?claim crtkg:quote ?quote ; prov:wasQuotedFrom ?source ; crtkg:evidenceType ?evidence ;
         a ?kind ; crtkg:statedBy ?by .
}"""


@pytest.mark.parametrize(("claim", "kind", "evidence", "words"), EXPECTED_CLAIMS)
def test_claim_has_its_sentence_source_and_evidence_type(store, claim, kind, evidence, words):
    found = rows(store, PROVENANCE.replace("?claim", claim) + f" VALUES ?kind {{ {kind} }}",
                 infer=False)
    assert len(found) == 1, f"{claim} should be one {kind} with full provenance"
    row = found[0]
    assert words in row["quote"]
    assert row["quote"] in INTERVIEW_TEXT
    assert row["source"] == "kg:stankovic-interview"
    assert row["evidence"] == evidence
    assert row["by"] == "kg:i-stankovic"


def interview_sentences() -> list[str]:
    """The sentences of the quoted interview body (between the opening and closing quotes)."""
    body = INTERVIEW_TEXT[INTERVIEW_TEXT.index("“") + 1 : INTERVIEW_TEXT.index("”")]
    return [s.strip() for s in re.split(r"(?<=\.)\s+", body) if s.strip()]


def test_every_sentence_of_the_interview_is_a_claim(store):
    quotes = column(store, "SELECT ?q WHERE { ?c crtkg:quote ?q ; "
                           "prov:wasQuotedFrom kg:stankovic-interview }")
    sentences = interview_sentences()
    assert len(sentences) == 12
    assert [s for s in sentences if s not in quotes] == []


def test_findings_are_trial_results_and_statements_expert_opinion(store):
    kinds = rows(store, """
        SELECT ?kind (COUNT(DISTINCT ?c) AS ?n) WHERE {
          ?c a ?kind . VALUES ?kind { crtkg:Finding crtkg:ExpertStatement } } GROUP BY ?kind
        ORDER BY ?kind""")
    assert kinds == [{"kind": "crtkg:ExpertStatement", "n": "13"},
                     {"kind": "crtkg:Finding", "n": "5"}]
    evidence_of_findings = column(store, "SELECT DISTINCT ?e { ?c a crtkg:Finding ; "
                                         "crtkg:evidenceType ?e }")
    assert evidence_of_findings == {TRIAL_RESULT}


def test_recommendations_by_modality_role_and_strength(store):
    found = rows(store, """
        SELECT ?modality ?role ?words ?strength WHERE {
          ?r a crtkg:Recommendation ; crtkg:aboutModality ?modality ; crtkg:statedStrength ?words ;
             crtkg:strength/rdfs:label ?strength .
          OPTIONAL { ?r crtkg:aboutRole ?role }
        } ORDER BY ?modality ?words""", infer=False)
    assert found == [
        {"modality": "kg:cardiac-mri", "role": "kg:scar-assessment", "words": "should be used",
         "strength": "moderate"},
        {"modality": "kg:echocardiography", "role": "kg:patient-selection", "words": "number one",
         "strength": "strong"},
        {"modality": "kg:echocardiography", "role": "kg:crt-optimization", "words": "possibly",
         "strength": "tentative"},
        {"modality": "kg:nuclear-imaging", "words": "may be useful", "strength": "tentative"},
    ]


def test_radiation_caveat(store):
    assert rows(store, """
        SELECT ?modality ?exposure ?direction WHERE {
          ?c a crtkg:Caveat ; crtkg:aboutModality ?modality ; crtkg:concernsExposure ?exposure ;
             crtkg:direction ?direction }""") == [
        {"modality": "kg:nuclear-imaging", "exposure": "crtkg:IonizingRadiation",
         "direction": "crtkg:Caution"}]


def test_overall_stance(store):
    assert rows(store, "SELECT ?words { kg:stankovic-interview crtkg:overallStance/"
                       "crtkg:statedStrength ?words }") == [{"words": "cautiously optimistic"}]


def test_each_trial_finding_with_its_publication(store):
    found = rows(store, """
        SELECT ?trial ?finding ?direction ?pmid WHERE {
          ?trial crtkg:reportsFinding ?finding .
          ?finding crtkg:direction ?direction ; prov:hadPrimarySource ?pub .
          OPTIONAL { ?pub bibo:pmid ?pmid }
          FILTER(?direction IN (crtkg:NoBenefit, crtkg:PossibleHarm))
          ?finding prov:wasQuotedFrom kg:stankovic-interview .
        } ORDER BY ?trial ?finding ?direction""", infer=False)
    assert found == [
        {"trial": "kg:echocrt", "finding": "kg:echocrt-mortality", "direction": "crtkg:PossibleHarm"},
        {"trial": "kg:echocrt", "finding": "kg:echocrt-no-benefit", "direction": "crtkg:NoBenefit"},
        {"trial": "kg:prospect", "finding": "kg:prospect-no-echo-predictor",
         "direction": "crtkg:NoBenefit", "pmid": "18458170"},
    ]


def test_the_2009_vs_2008_discrepancy_is_kept_attributed(store):
    assert rows(store, """
        SELECT ?stated ?published ?source WHERE {
          ?d a crtkg:SourceDiscrepancy ; crtkg:discrepantClaim ?claim ; crtkg:discrepantSource ?pub .
          ?claim crtkg:statedYear ?stated ; prov:wasQuotedFrom ?source .
          ?pub fabio:hasPublicationYear ?published .
        }""") == [{"stated": "2009", "published": "2008", "source": "kg:stankovic-interview"}]
    # The article keeps exactly one publication year: the graph stays consistent.
    assert column(store, "SELECT ?y { kg:prospect-article fabio:hasPublicationYear ?y }") == {"2008"}


def test_publications_have_full_bibliographic_data(store):
    found = rows(store, """
        SELECT ?pub ?journal ?year ?volume ?start ?end ?first (COUNT(?author) AS ?authors) WHERE {
          ?pub a crtkg:StudyPublication ; crtkg:publishedIn/rdfs:label ?journal ;
               fabio:hasPublicationYear ?year ; bibo:volume ?volume ; bibo:pageStart ?start ;
               bibo:pageEnd ?end ; bibo:authorList ?list .
          ?list rdf:first ?first .
          ?list rdf:rest*/rdf:first ?author .
        } GROUP BY ?pub ?journal ?year ?volume ?start ?end ?first ORDER BY ?pub""", infer=False)
    assert found == [
        {"pub": "kg:echocrt-article", "journal": "The New England Journal of Medicine",
         "year": "2013", "volume": "369", "start": "1395", "end": "1405",
         "first": "Ruschitzka F", "authors": "14"},
        {"pub": "kg:prospect-article", "journal": "Circulation", "year": "2008", "volume": "117",
         "start": "2608", "end": "2616", "first": "Chung ES", "authors": "15"},
    ]
    assert rows(store, "SELECT ?doi ?pmid { kg:prospect-article bibo:doi ?doi ; bibo:pmid ?pmid }"
                ) == [{"doi": "10.1161/CIRCULATIONAHA.107.743120", "pmid": "18458170"}]


def test_verified_trial_facts_carry_their_source(store):
    found = rows(store, """
        SELECT ?trial ?nct ?randomized ?source WHERE {
          ?trial crtkg:registryNumber ?nct .
          ?v crtkg:reportedValueOf ?trial ; crtkg:measure ?m ; crtkg:value ?randomized ;
             dcterms:source ?source .
          FILTER(STRSTARTS(?m, "patients enrolled") || STRSTARTS(?m, "patients randomized"))
        } ORDER BY ?trial ?randomized""")
    assert found == [
        {"trial": "kg:echocrt", "nct": "NCT00683696", "randomized": "809",
         "source": "<https://clinicaltrials.gov/ct2/show/results/NCT00683696>"},
        {"trial": "kg:echocrt", "nct": "NCT00683696", "randomized": "1680",
         "source": "<https://clinicaltrials.gov/ct2/show/results/NCT00683696>"},
        {"trial": "kg:prospect", "nct": "NCT00253357", "randomized": "498",
         "source": "<https://pubmed.ncbi.nlm.nih.gov/18458170/>"},
    ]
    hazard = rows(store, """
        SELECT ?hr ?lo ?hi ?p { kg:echocrt-mortality crtkg:hasReportedValue ?v .
          ?v crtkg:statistic crtkg:HazardRatio ; crtkg:value ?hr ; crtkg:ciLower ?lo ;
             crtkg:ciUpper ?hi ; crtkg:pValue ?p }""")
    assert hazard == [{"hr": "1.81", "lo": "1.11", "hi": "2.93", "p": "0.02"}]


def test_unverified_identifiers_stay_out(store):
    # facts.md marks EchoCRT's candidate PMID and DOI UNVERIFIED.
    text = " ".join(column(store, "SELECT ?o { ?s ?p ?o FILTER(isLiteral(?o)) }"))
    assert "23998714" not in text
    assert "NEJMoa1306687" not in text
    assert column(store, "SELECT ?x { kg:echocrt-article bibo:pmid|bibo:doi ?x }") == set()
