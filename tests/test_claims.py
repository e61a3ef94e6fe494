"""Every claim of the source is in the graph, saying what its sentence says and no more,
with its sentence, source and evidence line."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT, column, rows

INTERVIEW_TEXT = (ROOT / "graph/data/sources/stankovic-interview.txt").read_text(encoding="utf-8")

TRIAL_RESULT = "obo:ECO_0000180"  # clinical study evidence
IMAGING_STUDY = "obo:ECO_0001097"  # medical imaging evidence
CITED_STATEMENT = "obo:ECO_0006016"  # author statement supported from referenced clinical study
UNCITED_STATEMENT = "obo:ECO_0000034"  # author statement without traceable support

# claim, its class, the ECO class of its evidence line, and words its quote must contain
EXPECTED_CLAIMS = [
    ("kg:prospect-no-echo-predictor", "crtkg:TrialReport", CITED_STATEMENT, "no echocardiographic parameters"),
    ("kg:echocrt-no-benefit", "crtkg:TrialReport", CITED_STATEMENT, "CRT was not beneficial"),
    ("kg:echocrt-mortality", "crtkg:TrialReport", CITED_STATEMENT, "may even increase mortality"),
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
    ("kg:concession-nuclear", "crtkg:Concession", UNCITED_STATEMENT, "nuclear techniques may be useful"),
    ("kg:caveat-nuclear-radiation", "crtkg:Caveat", UNCITED_STATEMENT, "exposure to radiation"),
]

PROVENANCE = """
SELECT DISTINCT ?quote ?source ?evidence ?kind ?by WHERE {
  ?claim crtkg:quote ?quote ; prov:wasQuotedFrom ?source ; a ?kind ; crtkg:statedBy ?by ;
         crtkg:supportedBy ?line .
  GRAPH graph:data { ?line a ?evidence } FILTER(STRSTARTS(STR(?evidence), STR(obo:ECO_)))
}"""


@pytest.mark.parametrize(("claim", "kind", "evidence", "words"), EXPECTED_CLAIMS)
def test_claim_has_its_sentence_source_and_evidence_line(store, claim, kind, evidence, words):
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


# Section 1 of the curators' read: each test below fails on the old reading. -------------

def test_the_echocrt_claim_gives_no_modality_or_role_its_sentence_does_not(store):
    # "CRT was not beneficial in heart failure with a narrow QRS complex": no modality, no role.
    assert rows(store, """SELECT ?p ?o { kg:echocrt-no-benefit ?p ?o
        FILTER(?p IN (crtkg:aboutModality, crtkg:aboutRole, crtkg:aboutIntervention,
                      crtkg:aboutPopulation, crtkg:direction)) } ORDER BY ?p""", infer=False) == [
        {"p": "crtkg:aboutIntervention", "o": "kg:crt"},
        {"p": "crtkg:aboutPopulation", "o": "kg:echocrt-population"},
        {"p": "crtkg:direction", "o": "crtkg:NoBenefit"},
    ]
    # EchoCRT's link to echocardiography is where the source puts it: its entry criterion.
    assert rows(store, """SELECT ?modality ?role ?use ?source { kg:echocrt crtkg:usesImaging ?u .
        ?u crtkg:useModality ?modality ; crtkg:useRole ?role ; crtkg:useDescription ?use ;
           dcterms:source ?source }""", infer=False) == [
        {"modality": "kg:echocardiography", "role": "kg:patient-selection",
         "use": "echocardiographic evidence of left ventricular dyssynchrony required for inclusion",
         "source": "<http://scicombinator.com/articles/630140>"}]
    # ... and the reasoner still finds that EchoCRT studied echocardiography.
    assert "kg:echocardiography" in column(store, "SELECT ?m { kg:echocrt crtkg:studiedModality ?m }")


def test_prospects_no_benefit_is_the_echo_parameters_value_not_crts(store):
    for claim in ("kg:prospect-no-echo-predictor", "kg:prospect-modest-prediction"):
        assert column(store, f"SELECT ?i {{ {claim} crtkg:aboutIntervention ?i }}") == set()
        assert rows(store, f"""SELECT ?measure ?by ?role ?direction {{ {claim}
            crtkg:aboutMeasure ?measure ; crtkg:aboutRole ?role ; crtkg:direction ?direction .
            ?measure crtkg:measuredBy ?by }}""", infer=False) == [
            {"measure": "kg:echo-dyssynchrony-parameters", "by": "kg:echocardiography",
             "role": "kg:patient-selection", "direction": "crtkg:NoBenefit"}]


def test_force_rank_and_personal_attribution_are_apart(store):
    found = rows(store, """
        SELECT ?claim ?force ?forceWords ?rank ?rankWords ?attribution WHERE {
          ?claim a crtkg:Recommendation .
          OPTIONAL { ?claim crtkg:force ?force ; crtkg:statedForce ?forceWords }
          OPTIONAL { ?claim crtkg:rankAmongOptions ?rank ; crtkg:statedRank ?rankWords }
          OPTIONAL { ?claim crtkg:statedAttribution ?attribution }
        } ORDER BY ?claim""", infer=False)
    assert found == [
        {"claim": "kg:rec-echo-optimization", "force": "crtkg:HedgedForce", "forceWords": "possibly",
         "rank": "1", "rankWords": "number one", "attribution": "for me"},
        {"claim": "kg:rec-echo-patient-selection", "rank": "1", "rankWords": "number one",
         "attribution": "for me"},
        {"claim": "kg:rec-mri-scar", "force": "crtkg:ShouldForce", "forceWords": "should be used"},
    ]
    # The label keeps the personal view.
    assert column(store, "SELECT ?l { kg:rec-echo-patient-selection rdfs:label ?l }") == {
        "Echocardiography is, for me, number one for patient selection"}


def test_no_force_is_read_into_a_personal_ranking(store):
    # Only the text's "should" is put above the hedges; a ranking carries no force at all.
    assert rows(store, """SELECT ?force ?rank { ?force a crtkg:Force ; crtkg:rank ?rank }
                          ORDER BY DESC(?rank)""") == [
        {"force": "crtkg:ShouldForce", "rank": "2"}, {"force": "crtkg:HedgedForce", "rank": "1"}]
    assert column(store, """SELECT ?c { ?c crtkg:statedRank ?r FILTER NOT EXISTS {
        ?c crtkg:statedForce ?w } ?c crtkg:force ?f }""") == set()


def test_nuclear_techniques_are_a_hedged_concession_with_its_caveat(store):
    assert rows(store, """SELECT ?kind ?words ?force ?caveat ?exposure {
        kg:concession-nuclear a ?kind ; crtkg:statedForce ?words ; crtkg:force ?force ;
            crtkg:qualifiedBy ?caveat . ?caveat crtkg:concernsExposure ?exposure
        VALUES ?kind { crtkg:Concession } }""") == [
        {"kind": "crtkg:Concession", "words": "may be useful", "force": "crtkg:HedgedForce",
         "caveat": "kg:caveat-nuclear-radiation", "exposure": "crtkg:IonizingRadiation"}]
    assert column(store, "SELECT ?d { kg:concession-nuclear crtkg:direction ?d }") == set()
    assert "kg:concession-nuclear" not in column(store, "SELECT ?c { ?c a crtkg:Recommendation }")


def test_second_hand_reports_are_author_statements_and_findings_fit_the_design(store):
    found = rows(store, """
        SELECT ?claim ?kind ?evidence ?from WHERE {
          ?claim crtkg:aboutStudy ?study ; crtkg:supportedBy ?line .
          VALUES ?kind { crtkg:Finding crtkg:TrialReport } ?claim a ?kind .
          ?line crtkg:evidenceFrom ?from .
          GRAPH graph:data { ?line a ?evidence } FILTER(STRSTARTS(STR(?evidence), STR(obo:ECO_)))
          VALUES ?study { kg:prospect kg:echocrt }
        } ORDER BY ?claim""")
    assert found == [
        {"claim": "kg:echocrt-mortality", "kind": "crtkg:TrialReport", "evidence": CITED_STATEMENT, "from": "kg:echocrt-article"},
        {"claim": "kg:echocrt-mortality-result", "kind": "crtkg:Finding", "evidence": TRIAL_RESULT, "from": "kg:echocrt"},
        {"claim": "kg:echocrt-no-benefit", "kind": "crtkg:TrialReport", "evidence": CITED_STATEMENT, "from": "kg:echocrt-article"},
        {"claim": "kg:echocrt-primary-result", "kind": "crtkg:Finding", "evidence": TRIAL_RESULT, "from": "kg:echocrt"},
        {"claim": "kg:prospect-modest-prediction", "kind": "crtkg:Finding", "evidence": IMAGING_STUDY, "from": "kg:prospect"},
        {"claim": "kg:prospect-no-echo-predictor", "kind": "crtkg:TrialReport", "evidence": CITED_STATEMENT, "from": "kg:prospect-article"},
        {"claim": "kg:prospect-variability", "kind": "crtkg:Finding", "evidence": IMAGING_STUDY, "from": "kg:prospect"},
    ]
    # Each report cites the trial's own finding.
    assert rows(store, """SELECT ?report ?finding { ?report crtkg:citesFinding ?finding }
                          ORDER BY ?report""") == [
        {"report": "kg:echocrt-mortality", "finding": "kg:echocrt-mortality-result"},
        {"report": "kg:echocrt-no-benefit", "finding": "kg:echocrt-primary-result"},
        {"report": "kg:prospect-no-echo-predictor", "finding": "kg:prospect-modest-prediction"},
    ]


def test_a_broader_eco_class_finds_claims_through_ecos_hierarchy(store):
    query = """SELECT DISTINCT ?claim { ?claim crtkg:supportedBy ?line . ?line a obo:ECO_0000204 }"""
    author_statements = column(store, query)
    assert len(author_statements) == 16  # every claim of the interview, cited or not
    assert {"kg:rec-mri-scar", "kg:echocrt-no-benefit"} <= author_statements
    assert column(store, query, infer=False) == set()  # ECO_0000204 is only an ancestor
    # Experimental evidence: the trials' own findings (imaging assay evidence is experimental
    # in ECO too), never the interview's reports of them.
    experimental = column(store, "SELECT DISTINCT ?c { ?c crtkg:supportedBy/a obo:ECO_0000006 }")
    assert experimental == column(store, "SELECT ?c { ?c a crtkg:Finding }", infer=False)
    assert {"kg:echocrt-primary-result", "kg:echocrt-mortality-result",
            "kg:prospect-modest-prediction", "kg:prospect-variability"} <= experimental
    assert not experimental & author_statements


def test_the_source_is_a_web_page_reporting_an_interview_not_an_event(store):
    types = column(store, "SELECT ?t { kg:stankovic-interview a ?t }")
    assert {"crtkg:InterviewReport", "crtkg:SourceDocument", "fabio:WebPage"} <= types
    assert not types & {"bibo:Interview", "bibo:Event", "schema:Event", "prov:Agent"}
    assert column(store, "SELECT ?p { kg:stankovic-interview crtkg:interviewee ?p }") == {"kg:i-stankovic"}
    assert column(store, "SELECT ?p { kg:stankovic-interview bibo:interviewee ?p }") == set()


def test_the_ontology_stays_in_owl_2_rl_and_redefines_no_imported_term(store):
    # A datatype property under an annotation property (skos, dcterms) is outside OWL 2 RL/DL.
    assert column(store, """SELECT ?p { GRAPH graph:ontology { ?p a owl:DatatypeProperty ;
        rdfs:subPropertyOf ?super } FILTER(STRSTARTS(STR(?super), STR(skos:))
        || STRSTARTS(STR(?super), STR(dcterms:))) }""") == set()
    assert column(store, """SELECT ?t { GRAPH graph:ontology { ?t skos:definition ?d }
        FILTER(STRSTARTS(STR(?t), STR(obo:))) }""") == set()


def test_what_rests_on_unverified_sources_is_left_out(store):
    # EchoCRT's tissue Doppler and speckle tracking rest on a blog that facts.md does not verify.
    assert column(store, "SELECT ?m { kg:echocrt crtkg:studiedModality ?m }") == {"kg:echocardiography"}
    assert column(store, "SELECT ?s { ?s ?p ?o FILTER(CONTAINS(STR(?o), \"blogs.bmj.com\")) }") == set()
    # Its 13 March 2013 is the futility stop, not a completion.
    assert rows(store, "SELECT ?stop ?why { kg:echocrt crtkg:stopDate ?stop ; crtkg:stopReason ?why }") == [
        {"stop": "2013-03-13", "why": "Stopped for futility on the recommendation of the data and safety monitoring board."}]
    assert column(store, "SELECT ?d { kg:echocrt crtkg:completionDate ?d }") == set()
    # The page is among the EuroEcho-Imaging resources; that it is 2016 material is presumed.
    assert column(store, "SELECT ?p { kg:stankovic-interview ?p kg:euroecho-imaging-2016 }") == set()
    assert column(store, "SELECT ?s { kg:stankovic-interview crtkg:amongResourcesOf ?s }") == {"kg:euroecho-imaging"}
    # The discrepancy no longer cites the PubMed record, which shows no date.
    assert "<https://pubmed.ncbi.nlm.nih.gov/18458170/>" not in column(
        store, "SELECT ?s { kg:prospect-year-discrepancy dcterms:source ?s }")


def test_radiation_caveat(store):
    assert rows(store, """
        SELECT ?modality ?exposure ?direction WHERE {
          ?c a crtkg:Caveat ; crtkg:aboutModality ?modality ; crtkg:concernsExposure ?exposure ;
             crtkg:direction ?direction }""") == [
        {"modality": "kg:nuclear-imaging", "exposure": "crtkg:IonizingRadiation",
         "direction": "crtkg:Caution"}]


def test_overall_stance(store):
    assert rows(store, "SELECT ?words { kg:stankovic-interview crtkg:overallStance/"
                       "crtkg:statedForce ?words }") == [{"words": "cautiously optimistic"}]


def test_each_trial_finding_with_its_publication(store):
    found = rows(store, """
        SELECT ?trial ?finding ?direction ?pmid WHERE {
          ?trial crtkg:reportsFinding ?finding .
          ?finding crtkg:direction ?direction ; prov:hadPrimarySource ?pub .
          OPTIONAL { ?pub bibo:pmid ?pmid }
          FILTER(?direction IN (crtkg:NoBenefit, crtkg:PossibleHarm))
          VALUES ?trial { kg:prospect kg:echocrt }
        } ORDER BY ?trial ?finding ?direction""", infer=False)
    assert found == [
        {"trial": "kg:echocrt", "finding": "kg:echocrt-mortality-result", "direction": "crtkg:PossibleHarm"},
        {"trial": "kg:echocrt", "finding": "kg:echocrt-primary-result", "direction": "crtkg:NoBenefit"},
        {"trial": "kg:prospect", "finding": "kg:prospect-modest-prediction",
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
          VALUES ?pub { kg:prospect-article kg:echocrt-article }
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
          VALUES ?trial { kg:prospect kg:echocrt }
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
        SELECT ?hr ?lo ?hi ?p { kg:echocrt-mortality-result crtkg:hasReportedValue ?v .
          ?v crtkg:statistic crtkg:HazardRatio ; crtkg:value ?hr ; crtkg:ciLower ?lo ;
             crtkg:ciUpper ?hi ; crtkg:pValue ?p }""")
    assert hazard == [{"hr": "1.81", "lo": "1.11", "hi": "2.93", "p": "0.02"}]


def test_unverified_identifiers_stay_out(store):
    # facts.md marks EchoCRT's candidate PMID and DOI UNVERIFIED.
    text = " ".join(column(store, "SELECT ?o { ?s ?p ?o FILTER(isLiteral(?o)) }"))
    assert "23998714" not in text
    assert "NEJMoa1306687" not in text
    assert column(store, "SELECT ?x { kg:echocrt-article bibo:pmid|bibo:doi ?x }") == set()


def test_the_late_gadolinium_mapping_says_only_that_no_code_was_found(store):
    # facts.md: no code for late gadolinium enhancement was found; not that none exists.
    assert column(store, """SELECT ?comment { GRAPH graph:mappings { ?a owl:annotatedSource kg:lge-cmr ;
        owl:annotatedTarget obo:MAXO_0001303 ; rdfs:comment ?comment } }""") == {
        "no code for late gadolinium enhancement was found in the vocabularies searched"}
