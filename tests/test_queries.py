"""The named queries of queries/: each one's full answer on the built graph, and its parameters.

Every expected row is written out, checked against graph/data/*.ttl and the interview's text
(the quotes are checked against the stored text below). A query whose answer needs the
reasoner is also run with inference off, so the test fails if the reasoner stops adding it.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.catalogue import ParameterError, load_catalogue
from graph.query import run_query, select_rows, short
from tests.helpers import ROOT, answer

QUERIES = {q.name: q for q in load_catalogue(ROOT / "queries")}

# The documents claims were quoted from (their rdfs:label).
INTERVIEW = "Is there a role for imaging techniques in cardiac resynchronization therapy?"
PROSPECT_ARTICLE = "Results of the Predictors of Response to CRT (PROSPECT) trial"
ECHOCRT_ARTICLE = "Cardiac-Resynchronization Therapy in Heart Failure with a Narrow QRS Complex"

# Where reported numbers were read (dcterms:source), as short() prints an IRI with no prefix.
PUBMED = "<https://pubmed.ncbi.nlm.nih.gov/18458170/>"
ABSTRACT = "<http://scicombinator.com/articles/630140>"
REGISTRY = "<https://clinicaltrials.gov/ct2/show/results/NCT00683696>"
SESSION_REPORT = ("<https://www.escardio.org/Congresses-&-Events/ESC-Congress/Congress-resources/"
                  "Session-Reports/Reports-2007/Results-of-the-predictors-of-response-to-CRT-"
                  "PROSPECT-trial>")

# ECO evidence types (their rdfs:label).
CLINICAL_STUDY = "clinical study evidence"
IMAGING_STUDY = "medical imaging evidence"
CITED_STUDY = "author statement supported from referenced clinical study"
UNSUPPORTED = "author statement without traceable support"

EXPERT = "Dr. I. Stankovic"
# Characters of the sources that ruff (RUF001) would take for typos.
DASH = "\u2013"  # en dash
APOSTROPHE = "\u2019"  # right single quotation mark
NYHA = f"III{DASH}IV"

# The interview's sentences, as the claims quote them.
Q_HOPE = ("I would say that, right now, there is a hope that there will be a role for cardiac "
          "imaging in cardiac resynchronization therapy (CRT) in the near future and, "
          "thankfully, there is ongoing research.")
Q_ENTHUSIASM = ("In the beginning, we were overly enthusiastic but this was dampened by "
                "disappointing results from two major trials.")
Q_OPTIMISM = (f"I would say that, now, we are cautiously optimistic and it{APOSTROPHE}s great to see that "
              f"there is ongoing research, some presented at EuroEcho{DASH}Imaging 2016.")
Q_PROSPECT = ("This is great because people were disappointed about the results of the PROSPECT "
              "trial in 2009,1 which indicated that there were no echocardiographic parameters "
              "that could help improve patient selection for CRT.")
Q_DECLINE = "There was subsequently a huge decline in publications on the topic."
Q_ECHOCRT = ("This was followed in 2013 by the EchoCRT trial,2 which showed that CRT was not "
             "beneficial in heart failure with a narrow QRS complex and may even increase "
             "mortality.")
Q_CONCEPT = "Since then, the whole concept has changed and novel parameters have emerged."
Q_NEED = ("What we need now is some hard evidence from new randomized trials to support these "
          "parameters.")
Q_DARING = ("However, many people think that it would be an adventure to undertake such trials, "
            "and no-one is daring to start.")
Q_ECHO = ("In terms of imaging techniques, echocardiography is, for me, number one for patient "
          "selection and, possibly, optimization in CRT.")
Q_MRI = "Magnetic resonance imaging should be used for assessing extent of myocardial scar."
Q_NUCLEAR = "While nuclear techniques may be useful, they involve exposure to radiation."
INTERVIEW_QUOTES = (Q_HOPE, Q_ENTHUSIASM, Q_OPTIMISM, Q_PROSPECT, Q_DECLINE, Q_ECHOCRT, Q_CONCEPT,
                    Q_NEED, Q_DARING, Q_ECHO, Q_MRI, Q_NUCLEAR)
# Sentences of the trials' own abstracts.
Q_ECHOCRT_CONCLUSION = ("In patients with systolic heart failure and a QRS duration of less than "
                        "130 msec, CRT does not reduce the rate of death or hospitalization for "
                        "heart failure and may increase mortality.")
Q_VARIABILITY = "There was large variability in the analysis of the dyssynchrony parameters."

# The interview's reports of the trials (crtkg:TrialReport), by label.
R_PROSPECT = "PROSPECT: no echocardiographic parameter improves patient selection for CRT"
R_ECHOCRT = "EchoCRT: CRT not beneficial in heart failure with a narrow QRS complex"
R_MORTALITY = "EchoCRT: CRT may increase mortality in heart failure with a narrow QRS complex"
# The trials' own findings, by label.
F_PROSPECT = ("PROSPECT: the 12 echocardiographic dyssynchrony parameters predicted response "
              "poorly (area under the ROC curve at most 0.62 for each)")
F_VARIABILITY = "PROSPECT: large variability of the dyssynchrony parameters"
F_ECHOCRT = ("EchoCRT: CRT did not reduce death or hospitalization for heart failure with a QRS "
             "duration below 130 ms")
F_MORTALITY = "EchoCRT: CRT may increase mortality with a QRS duration below 130 ms"

ECHO = "echocardiography"
CMR = "cardiac magnetic resonance imaging"
NUCLEAR = "nuclear imaging"
SELECTION = "patient selection"
OPTIMIZATION = "CRT optimization"
SCAR = "assessment of myocardial scar"

MODALITIES = ["kg:echocardiography", "kg:speckle-tracking-echocardiography",
              "kg:tissue-doppler-imaging", "kg:cardiac-mri", "kg:lge-cmr", "kg:nuclear-imaging",
              "kg:spect", "kg:pet"]


def header(store: ox.Store, name: str, **given: str) -> list[str]:
    names, _ = select_rows(QUERIES[name].run(store, given))
    return names


# The two trials the interview cites. Tests here spell out their rows and explain them; the
# other trials' rows are spelled out in test_landscape.py, and every query's whole answer is
# compared with a reviewed copy in test_answers.py.
SEED_TRIALS = ("PROSPECT", "EchoCRT")


def seed(rows: list[tuple], column: int = 0) -> list[tuple]:
    """The rows about PROSPECT or EchoCRT (their trial in `column`)."""
    return [row for row in rows if row[column] in SEED_TRIALS]


# The catalogue ------------------------------------------------------------------------------

def test_every_query_file_loads_with_a_summary_and_there_are_at_least_20() -> None:
    files = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    assert sorted(QUERIES) == files
    assert len(QUERIES) >= 20
    for name, query in QUERIES.items():
        assert query.summary.endswith("?"), name
        assert query.description, name
        assert query.tags, name
        assert name == name.lower() and " " not in name and "_" not in name, name


def test_the_parameters_are_typed_and_enumerated() -> None:
    params = {name: [(p.name, p.kind, p.required) for p in q.parameters]
              for name, q in QUERIES.items() if q.parameters}
    assert params == {
        "article-claims": [("article", "iri", True)],
        "claim-evidence": [("evidence", "iri", False)],
        "evidence-map-cell": [("modality", "iri", True), ("role", "iri", False)],
        "external-links": [("term", "iri", False)],
        "findings-of-trial": [("trial", "iri", True)],
        "modality-procedures": [("kind", "iri", True)],
        "recommendations-for-modality": [("modality", "iri", True)],
        "recommendations-for-role": [("role", "iri", True)],
        "trials-by-size": [("minimum", "integer", True)],
        "trials-of-modality": [("modality", "iri", True)],
    }
    kg = "https://w3id.org/crtkg/id/"
    assert QUERIES["findings-of-trial"].parameters[0].values == (kg + "prospect", kg + "echocrt")
    assert QUERIES["recommendations-for-role"].parameters[0].values == (
        kg + "patient-selection", kg + "crt-optimization", kg + "scar-assessment")
    assert QUERIES["claim-evidence"].parameters[0].values == tuple(
        "http://purl.obolibrary.org/obo/" + t for t in (
            "ECO_0000180", "ECO_0001097", "ECO_0006016", "ECO_0000034", "ECO_0000204",
            "ECO_0000006", "ECO_0000000"))


def test_the_enumerated_values_are_in_the_graph(store: ox.Store) -> None:
    """Every allowed value of an IRI parameter is a node of the asserted graph, with a label."""
    for name, query in QUERIES.items():
        for p in query.parameters:
            for value in p.values:
                ask = f"ASK {{ <{value}> rdfs:label ?label }}"
                assert bool(run_query(store, ask, infer=False)), (name, value)


def test_the_quoted_sentences_are_the_interviews() -> None:
    text = (ROOT / "graph/data/sources/stankovic-interview.txt").read_text(encoding="utf-8")
    for quote in INTERVIEW_QUOTES:
        assert quote in text


# Recommendations ----------------------------------------------------------------------------

def test_recommendations(store: ox.Store) -> None:
    # No row is put above another by strength: force, rank and attribution stay apart.
    assert header(store, "recommendations") == [
        "modality", "role", "force", "statedForce", "statedRank", "attribution", "quote"]
    assert answer(store, "recommendations") == [
        (CMR, SCAR, "should", "should be used", "", "", Q_MRI),
        (ECHO, OPTIMIZATION, "hedged", "possibly", "number one", "for me", Q_ECHO),
        (ECHO, SELECTION, "", "", "number one", "for me", Q_ECHO),
    ]


def test_recommendations_for_a_modality(store: ox.Store) -> None:
    echo = [(ECHO, OPTIMIZATION, "hedged", "possibly", "number one", "for me", Q_ECHO),
            (ECHO, SELECTION, "", "", "number one", "for me", Q_ECHO)]
    mri = [(CMR, SCAR, "should", "should be used", "", "", Q_MRI)]
    expected = {
        "kg:echocardiography": echo,
        "kg:speckle-tracking-echocardiography": echo,  # through the broader echocardiography
        "kg:tissue-doppler-imaging": echo,
        "kg:cardiac-mri": mri,
        "kg:lge-cmr": mri,
        # "While nuclear techniques may be useful": a concession, not a recommendation.
        "kg:nuclear-imaging": [],
        "kg:spect": [],
        "kg:pet": [],
    }
    assert sorted(expected) == sorted(MODALITIES)
    for modality, rows in expected.items():
        assert answer(store, "recommendations-for-modality", modality=modality) == rows, modality
    # The parameter's column shows the value it was given.
    names, solutions = select_rows(QUERIES["recommendations-for-modality"].run(
        store, {"modality": "kg:lge-cmr"}))
    assert names[-1] == "_modality_iri"
    assert [short(s["_modality_iri"]) for s in solutions] == ["kg:lge-cmr"]


def test_recommendations_for_a_role(store: ox.Store) -> None:
    assert answer(store, "recommendations-for-role", role="kg:patient-selection") == [
        (ECHO, "", "", "number one", "for me", Q_ECHO)]
    assert answer(store, "recommendations-for-role", role="kg:crt-optimization") == [
        (ECHO, "hedged", "possibly", "number one", "for me", Q_ECHO)]
    assert answer(store, "recommendations-for-role", role="kg:scar-assessment") == [
        (CMR, "should", "should be used", "", "", Q_MRI)]


# Trials and their findings ------------------------------------------------------------------

def test_trial_findings(store: ox.Store) -> None:
    assert seed(answer(store, "trial-findings")) == [
        ("EchoCRT", "", F_ECHOCRT, "no benefit", ECHOCRT_ARTICLE, Q_ECHOCRT_CONCLUSION),
        ("EchoCRT", "", F_MORTALITY, "possible harm", ECHOCRT_ARTICLE, Q_ECHOCRT_CONCLUSION),
        ("PROSPECT", ECHO, F_VARIABILITY, "caution", PROSPECT_ARTICLE, Q_VARIABILITY),
        ("PROSPECT", ECHO, F_PROSPECT, "no benefit", PROSPECT_ARTICLE, ""),
    ]


def test_findings_of_one_trial(store: ox.Store) -> None:
    assert answer(store, "findings-of-trial", trial="kg:prospect") == [
        (F_VARIABILITY, "caution", ECHO, "", PROSPECT_ARTICLE, Q_VARIABILITY),
        (F_PROSPECT, "no benefit", ECHO, SELECTION, PROSPECT_ARTICLE, ""),
    ]
    assert answer(store, "findings-of-trial", trial="kg:echocrt") == [
        (F_ECHOCRT, "no benefit", "", "", ECHOCRT_ARTICLE, Q_ECHOCRT_CONCLUSION),
        (F_MORTALITY, "possible harm", "", "", ECHOCRT_ARTICLE, Q_ECHOCRT_CONCLUSION),
    ]


def test_studied_modalities_needs_the_reasoner(store: ox.Store) -> None:
    # Every row comes from a chain: the trial's imaging uses, its findings, broader kinds.
    assert seed(answer(store, "studied-modalities")) == [
        ("EchoCRT", ECHO, "inferred"),
        ("PROSPECT", ECHO, "inferred"),
        ("PROSPECT", "tissue Doppler imaging", "inferred"),
    ]
    assert answer(store, "studied-modalities", infer=False) == []


def test_trials_of_a_modality_need_the_reasoner(store: ox.Store) -> None:
    echocrt = ("EchoCRT", "randomized controlled trial", "NCT00683696")
    prospect = ("PROSPECT", "observational clinical study", "NCT00253357")
    expected = {"kg:echocardiography": [echocrt, prospect],
                "kg:tissue-doppler-imaging": [prospect]}
    for modality in MODALITIES:
        rows = answer(store, "trials-of-modality", modality=modality)
        assert seed(rows) == expected.get(modality, []), modality
        assert answer(store, "trials-of-modality", infer=False, modality=modality) == []


def test_no_benefit_findings_need_the_reasoner(store: ox.Store) -> None:
    assert seed(answer(store, "no-benefit-findings")) == [
        ("EchoCRT", F_ECHOCRT, "", ECHOCRT_ARTICLE, Q_ECHOCRT_CONCLUSION),
        ("PROSPECT", F_PROSPECT, ECHO, PROSPECT_ARTICLE, ""),
    ]
    assert answer(store, "no-benefit-findings", infer=False) == []


def test_harm_findings_need_the_reasoner(store: ox.Store) -> None:
    assert seed(answer(store, "harm-findings")) == [
        ("EchoCRT", F_MORTALITY, "may increase", "1.81", "1.11", "2.93", "0.02", ECHOCRT_ARTICLE,
         Q_ECHOCRT_CONCLUSION),
    ]
    assert answer(store, "harm-findings", infer=False) == []


def test_caveats(store: ox.Store) -> None:
    assert answer(store, "caveats") == [
        ("caveat", NUCLEAR, "ionizing radiation",
         "Nuclear techniques expose the patient to radiation", INTERVIEW, Q_NUCLEAR),
        ("finding", ECHO, "", F_VARIABILITY, PROSPECT_ARTICLE, Q_VARIABILITY),
    ]


# Evidence and provenance --------------------------------------------------------------------

CITED_CLAIMS = [
    ("Early enthusiasm, dampened by two major trials", "historical account", CITED_STUDY,
     INTERVIEW, ECHOCRT_ARTICLE, Q_ENTHUSIASM),
    ("Early enthusiasm, dampened by two major trials", "historical account", CITED_STUDY,
     INTERVIEW, PROSPECT_ARTICLE, Q_ENTHUSIASM),
    ("People were disappointed by the PROSPECT results", "historical account", CITED_STUDY,
     INTERVIEW, PROSPECT_ARTICLE, Q_PROSPECT),
    (R_MORTALITY, "report of a trial result", CITED_STUDY, INTERVIEW, ECHOCRT_ARTICLE, Q_ECHOCRT),
    (R_ECHOCRT, "report of a trial result", CITED_STUDY, INTERVIEW, ECHOCRT_ARTICLE, Q_ECHOCRT),
    (R_PROSPECT, "report of a trial result", CITED_STUDY, INTERVIEW, PROSPECT_ARTICLE,
     Q_PROSPECT),
]
OPINIONS = [
    ("Nuclear techniques expose the patient to radiation", "caveat", UNSUPPORTED, INTERVIEW, "",
     Q_NUCLEAR),
    ("Nuclear techniques may be useful", "concession", UNSUPPORTED, INTERVIEW, "", Q_NUCLEAR),
    ("A huge decline in publications followed PROSPECT", "historical account", UNSUPPORTED,
     INTERVIEW, "", Q_DECLINE),
    ("The concept has changed and novel parameters have emerged", "historical account",
     UNSUPPORTED, INTERVIEW, "", Q_CONCEPT),
    ("Echocardiography is, for me, number one for patient selection", "recommendation",
     UNSUPPORTED, INTERVIEW, "", Q_ECHO),
    ("Echocardiography is, for me, possibly number one for CRT optimization", "recommendation",
     UNSUPPORTED, INTERVIEW, "", Q_ECHO),
    ("Magnetic resonance imaging should be used to assess the extent of myocardial scar",
     "recommendation", UNSUPPORTED, INTERVIEW, "", Q_MRI),
    ("The field is now cautiously optimistic", "stance", UNSUPPORTED, INTERVIEW, "",
     Q_OPTIMISM),
    ("There is hope for a role of cardiac imaging in CRT in the near future", "stance",
     UNSUPPORTED, INTERVIEW, "", Q_HOPE),
    ("Hard evidence from new randomized trials is needed", "statement of research need",
     UNSUPPORTED, INTERVIEW, "", Q_NEED),
    ("No one dares to start such trials", "statement of research need", UNSUPPORTED,
     INTERVIEW, "", Q_DARING),
]
RANDOMIZED_RESULTS = [
    (F_ECHOCRT, "finding", CLINICAL_STUDY, ECHOCRT_ARTICLE, "", Q_ECHOCRT_CONCLUSION),
    (F_MORTALITY, "finding", CLINICAL_STUDY, ECHOCRT_ARTICLE, "", Q_ECHOCRT_CONCLUSION),
]
IMAGING_RESULTS = [
    (F_VARIABILITY, "finding", IMAGING_STUDY, PROSPECT_ARTICLE, "", Q_VARIABILITY),
    (F_PROSPECT, "finding", IMAGING_STUDY, PROSPECT_ARTICLE, "", ""),
]


def seed_claims(rows: list[tuple]) -> list[tuple]:
    """The claim-evidence rows of the interview and of the two trials' articles."""
    return [row for row in rows if row[3] in (INTERVIEW, PROSPECT_ARTICLE, ECHOCRT_ARTICLE)]


def test_claim_evidence_for_every_claim(store: ox.Store) -> None:
    assert header(store, "claim-evidence") == [
        "claimLabel", "kind", "evidence", "__evidence_iri", "source", "cites", "quote"]
    assert seed_claims(answer(store, "claim-evidence")) == (
        CITED_CLAIMS + OPINIONS + RANDOMIZED_RESULTS + IMAGING_RESULTS)


def test_claim_evidence_of_one_evidence_type(store: ox.Store) -> None:
    randomized = answer(store, "claim-evidence", evidence="obo:ECO_0000180")
    assert seed_claims(randomized) == RANDOMIZED_RESULTS
    assert {row[2] for row in randomized} == {CLINICAL_STUDY}
    imaging = answer(store, "claim-evidence", evidence="obo:ECO_0001097")
    # The two observational imaging studies: PROSPECT and the Leyva CMR cohort.
    assert seed_claims(imaging) == IMAGING_RESULTS
    assert len(imaging) == 3 and imaging[0][0].startswith("Leyva 2009: ")
    assert answer(store, "claim-evidence", evidence="obo:ECO_0006016") == CITED_CLAIMS
    assert answer(store, "claim-evidence", evidence="obo:ECO_0000034") == OPINIONS


def test_claim_evidence_of_a_broader_evidence_type_needs_the_reasoner(store: ox.Store) -> None:
    # "author statement" is an ancestor of both kinds in ECO, through the import module.
    assert answer(store, "claim-evidence", evidence="obo:ECO_0000204") == CITED_CLAIMS + OPINIONS
    assert answer(store, "claim-evidence", evidence="obo:ECO_0000204", infer=False) == []
    # "experimental evidence": the trials' own results, randomized or observational.
    findings = answer(store, "claim-evidence", evidence="obo:ECO_0000006")
    assert findings == (answer(store, "claim-evidence", evidence="obo:ECO_0000180")
                        + answer(store, "claim-evidence", evidence="obo:ECO_0001097"))
    assert {row[1] for row in findings} == {"finding"}
    assert len(answer(store, "claim-evidence", evidence="obo:ECO_0000000")) == (
        len(answer(store, "claim-evidence")))


def test_evidence_profile(store: ox.Store) -> None:
    assert answer(store, "evidence-profile") == [
        (CITED_STUDY, "historical account", "2"),
        (CITED_STUDY, "report of a trial result", "3"),
        (UNSUPPORTED, "caveat", "1"),
        (UNSUPPORTED, "concession", "1"),
        (UNSUPPORTED, "historical account", "2"),
        (UNSUPPORTED, "recommendation", "3"),
        (UNSUPPORTED, "stance", "2"),
        (UNSUPPORTED, "statement of research need", "2"),
        # The 14 randomized trials' results; PROSPECT's two and the Leyva cohort's one.
        (CLINICAL_STUDY, "finding", "35"),
        (IMAGING_STUDY, "finding", "3"),
    ]


def test_source_discrepancies(store: ox.Store) -> None:
    [row] = answer(store, "source-discrepancies")
    assert row[:5] == (
        "The year of the PROSPECT results: 2009 in the interview, 2008 in its reference",
        "2009", INTERVIEW, PROSPECT_ARTICLE, "2008")
    assert row[5].startswith("The interview dates the PROSPECT results to 2009; its own "
                             "reference 1 gives Circulation 2008.")
    assert row[6] == Q_PROSPECT


# Bibliography and numbers -------------------------------------------------------------------

def test_trial_identifiers(store: ox.Store) -> None:
    assert seed(answer(store, "trial-identifiers")) == [
        ("PROSPECT", "Predictors of Response to CRT", "NCT00253357", PROSPECT_ARTICLE,
         "Circulation", "2008", "117", f"2608{DASH}2616", "18458170",
         "10.1161/CIRCULATIONAHA.107.743120", "1",
         "Chung ES, Leon AR, Tavazzi L et al. Results of the Predictors of Response to CRT "
         f"(PROSPECT) trial. Circulation 2008; 117: 2608{DASH} 2616."),
        # EchoCRT's PMID and DOI could not be verified: the graph leaves them out.
        ("EchoCRT", "Echocardiography Guided Cardiac Resynchronization Therapy", "NCT00683696",
         ECHOCRT_ARTICLE, "The New England Journal of Medicine", "2013", "369", f"1395{DASH}1405", "",
         "", "2",
         "Ruschitzka F, Abraham WT, Singh JP et al. Cardiac-resynchronization therapy in heart "
         f"failure with a narrow QRS complex. N Engl J Med 2013; 369: 1395{DASH}1405."),
    ]


def test_publication_authors_in_order(store: ox.Store) -> None:
    echocrt = ["Ruschitzka F", "Abraham WT", "Singh JP", "Bax JJ", "Borer JS", "Brugada J",
               "Dickstein K", "Ford I", "Gorcsan J", "Gras D", "Krum H", "Sogaard P",
               "Holzmeister J", "EchoCRT Study Group"]
    prospect = ["Chung ES", "Leon AR", "Tavazzi L", "Sun JP", "Nihoyannopoulos P", "Merlino J",
                "Abraham WT", "Ghio S", "Leclercq C", "Bax JJ", "Yu CM", "Gorcsan J",
                "St John Sutton M", "De Sutter J", "Murillo J"]
    assert seed(answer(store, "publication-authors")) == [
        *[("EchoCRT", ECHOCRT_ARTICLE, str(i), a) for i, a in enumerate(echocrt, 1)],
        *[("PROSPECT", PROSPECT_ARTICLE, str(i), a) for i, a in enumerate(prospect, 1)],
    ]


def test_reported_numbers(store: ox.Store) -> None:
    modest = F_PROSPECT
    assert seed(answer(store, "reported-numbers")) == [
        # trial, reported for, statistic, measure, value, lowest, highest, CI, p, unit, source
        ("EchoCRT", "EchoCRT", "count", "participating centres", "115", "", "", "", "", "",
         "centres", ABSTRACT),
        ("EchoCRT", "EchoCRT", "count", "patients enrolled (before screening for implant)",
         "1680", "", "", "", "", "", "patients", REGISTRY),
        ("EchoCRT", "EchoCRT", "count", "patients randomized (404 CRT on, 405 CRT off)", "809",
         "", "", "", "", "", "patients", REGISTRY),
        ("EchoCRT", "EchoCRT", "duration", "mean follow-up", "19.4", "", "", "", "", "",
         "months", ABSTRACT),
        ("EchoCRT", F_ECHOCRT, "hazard ratio",
         "death from any cause or first hospitalization for worsening heart failure, CRT on vs "
         "CRT off: 116 of 404 (28.7%) vs 102 of 405 (25.2%)", "1.20", "", "", "0.92", "1.57",
         "0.15", "", ABSTRACT),
        ("EchoCRT", F_MORTALITY, "hazard ratio",
         "death from any cause, CRT on vs CRT off: 45 (11.1%) vs 26 (6.4%)", "1.81", "", "",
         "1.11", "2.93", "0.02", "", ABSTRACT),
        ("PROSPECT", "PROSPECT", "count", "echocardiographic parameters of dyssynchrony tested "
         "as predictors of response (conventional and tissue-Doppler based)", "12", "", "", "",
         "", "", "parameters", PUBMED),
        ("PROSPECT", "PROSPECT", "count", "participating centres in Europe, Hong Kong and the "
         "USA", "53", "", "", "", "", "", "centres", PUBMED),
        ("PROSPECT", "PROSPECT", "count", "patients analysed for the clinical composite score "
         "at 6 months", "426", "", "", "", "", "", "patients", PUBMED),
        ("PROSPECT", "PROSPECT", "count", "patients enrolled", "498", "", "", "", "", "",
         "patients", PUBMED),
        ("PROSPECT", "PROSPECT", "count", "patients with paired left ventricular end-systolic "
         "volume data at 6 months", "286", "", "", "", "", "", "patients", PUBMED),
        ("PROSPECT", "PROSPECT", "proportion", "patients whose clinical composite score "
         "improved at 6 months (of 426)", "69", "", "", "", "", "", "percent", PUBMED),
        ("PROSPECT", "PROSPECT", "proportion", "patients whose left ventricular end-systolic "
         "volume fell by at least 15% at 6 months (of 286)", "56", "", "", "", "", "",
         "percent", PUBMED),
        ("PROSPECT", F_VARIABILITY, "coefficient of variation", "inter-core-laboratory "
         "coefficient of variation of the echocardiographic measures", "", "6.5", "72.1", "",
         "", "", "percent", SESSION_REPORT),
        ("PROSPECT", F_VARIABILITY, "proportion", "feasibility (yield) of the echocardiographic "
         "measures", "", "50", "92", "", "", "", "percent", SESSION_REPORT),
        ("PROSPECT", modest, "area under the ROC curve", "area under the ROC curve of each "
         "echocardiographic parameter for predicting response", "", "", "0.62", "", "", "", "",
         PUBMED),
        ("PROSPECT", modest, "sensitivity", "sensitivity of the 12 parameters for predicting "
         "clinical composite score response", "", "6", "74", "", "", "", "percent", PUBMED),
        ("PROSPECT", modest, "sensitivity", "sensitivity of the 12 parameters for predicting "
         "left ventricular end-systolic volume response", "", "9", "77", "", "", "", "percent",
         PUBMED),
        ("PROSPECT", modest, "specificity", "specificity of the 12 parameters for predicting "
         "clinical composite score response", "", "35", "91", "", "", "", "percent", PUBMED),
        ("PROSPECT", modest, "specificity", "specificity of the 12 parameters for predicting "
         "left ventricular end-systolic volume response", "", "31", "93", "", "", "", "percent",
         PUBMED),
    ]


def test_hazard_ratios(store: ox.Store) -> None:
    assert seed(answer(store, "hazard-ratios")) == [
        ("EchoCRT", F_MORTALITY, "death from any cause, CRT on vs CRT off: 45 (11.1%) vs 26 "
         "(6.4%)", "1.81", "1.11", "2.93", "0.02", ABSTRACT),
        ("EchoCRT", F_ECHOCRT, "death from any cause or first hospitalization for worsening "
         "heart failure, CRT on vs CRT off: 116 of 404 (28.7%) vs 102 of 405 (25.2%)", "1.20",
         "0.92", "1.57", "0.15", ABSTRACT),
    ]


def test_trials_by_size(store: ox.Store) -> None:
    counts = [
        ("EchoCRT", "1680", "patients enrolled (before screening for implant)", REGISTRY),
        ("EchoCRT", "809", "patients randomized (404 CRT on, 405 CRT off)", REGISTRY),
        ("PROSPECT", "498", "patients enrolled", PUBMED),
        ("PROSPECT", "426", "patients analysed for the clinical composite score at 6 months",
         PUBMED),
        ("PROSPECT", "286", "patients with paired left ventricular end-systolic volume data at "
         "6 months", PUBMED),
    ]
    assert seed(answer(store, "trials-by-size", minimum="0")) == counts
    assert seed(answer(store, "trials-by-size", minimum="498")) == counts[:3]
    assert seed(answer(store, "trials-by-size", minimum="500")) == counts[:2]
    assert seed(answer(store, "trials-by-size", minimum="1680")) == counts[:1]
    assert seed(answer(store, "trials-by-size", minimum="1681")) == []


def test_trial_timeline(store: ox.Store) -> None:
    assert seed(answer(store, "trial-timeline")) == [
        ("PROSPECT", "2004-03", "2006-06", "", "", "", "ESC Congress 2007", "2008", "2009"),
        ("EchoCRT", "", "", "Terminated", "2013-03-13", "Stopped for futility on the "
         "recommendation of the data and safety monitoring board.", "ESC Congress 2013", "2013",
         "2013"),
    ]


def test_trial_populations(store: ox.Store) -> None:
    assert seed(answer(store, "trial-populations")) == [
        ("EchoCRT", "heart failure", NYHA, "35", "", "130", "", f"NYHA class {NYHA}, LVEF ≤35%, "
         "QRS <130 ms, and echocardiographic evidence of left ventricular dyssynchrony."),
        ("PROSPECT", "heart failure", NYHA, "35", "130", "", "", "Standard indication for CRT: "
         f"NYHA class {NYHA}, LVEF ≤35%, QRS ≥130 ms, stable medical therapy."),
    ]


# Modalities, organisations and study types: what the reasoner adds ---------------------------

def test_radiation_modalities_need_the_reasoner(store: ox.Store) -> None:
    assert answer(store, "radiation-modalities") == [
        ("kg:tc99m-myocardial-perfusion-imaging", "99mTc myocardial perfusion imaging"),
        ("kg:cardiac-ct-venography", "cardiac CT venography"),
        ("kg:cardiac-ct", "cardiac computed tomography"),
        ("kg:nuclear-imaging", NUCLEAR),
        ("kg:pet", "positron emission tomography"),
        ("kg:spect", "single-photon emission computed tomography"),
    ]
    assert answer(store, "radiation-modalities", infer=False) == []


def test_modality_kinds_need_the_reasoner(store: ox.Store) -> None:
    assert answer(store, "modality-kinds") == [
        ("cardiac computed tomography", "cardiac CT venography", ""),
        (CMR, "late gadolinium enhancement cardiac MRI", "LGE"),
        (ECHO, "2D speckle-tracking radial strain", "radial strain"),
        (ECHO, "speckle-tracking echocardiography", "speckle tracking"),
        (ECHO, "tissue Doppler imaging", "TDI"),
        (NUCLEAR, "99mTc myocardial perfusion imaging", ""),
        (NUCLEAR, "positron emission tomography", "PET"),
        (NUCLEAR, "single-photon emission computed tomography", "SPECT"),
        ("speckle-tracking echocardiography", "2D speckle-tracking radial strain",
         "radial strain"),
    ]
    assert answer(store, "modality-kinds", infer=False) == []


def test_organisation_parts_are_transitive_with_the_reasoner(store: ox.Store) -> None:
    eacvi = "European Association of Cardiovascular Imaging"
    esc = "European Society of Cardiology"
    sections = ["EACVI Cardiovascular Magnetic Resonance section",
                "EACVI Echocardiography section",
                "EACVI Nuclear Cardiology and Cardiac CT section"]
    zemun = ("Department of Cardiology, Clinical Hospital Centre Zemun",
             "Clinical Hospital Centre Zemun", "stated")
    belgrade = ("Faculty of Medicine, University of Belgrade", "University of Belgrade",
                "stated")
    assert answer(store, "organisation-parts") == [
        zemun,
        *[(s, eacvi, "stated") for s in sections],
        *[(s, esc, "inferred") for s in sections],
        (eacvi, esc, "stated"),
        belgrade,
    ]
    assert answer(store, "organisation-parts", infer=False) == [
        zemun, *[(s, eacvi, "stated") for s in sections], (eacvi, esc, "stated"), belgrade]


def test_study_types_in_obi_need_the_reasoner(store: ox.Store) -> None:
    assert seed(answer(store, "study-types")) == [
        ("EchoCRT", "obo:OBI_0000066", "investigation"),
        ("EchoCRT", "obo:OBI_0003697", "clinical investigation"),
        ("EchoCRT", "obo:OBI_0003699", "clinical trial"),
        ("EchoCRT", "obo:OBI_0004001", "randomized clinical trial"),
        ("PROSPECT", "obo:OBI_0000066", "investigation"),
        ("PROSPECT", "obo:OBI_0003693", "observational investigation"),
        ("PROSPECT", "obo:OBI_0003697", "clinical investigation"),
        ("PROSPECT", "obo:OBI_0003698", "observational clinical investigation"),
    ]
    assert answer(store, "study-types", infer=False) == []


def test_clinical_investigations_come_from_obis_hierarchy(store: ox.Store) -> None:
    assert seed(answer(store, "clinical-investigations")) == [
        ("EchoCRT", "NCT00683696"), ("PROSPECT", "NCT00253357")]
    assert answer(store, "clinical-investigations", infer=False) == []


# Links to external ontologies and records -----------------------------------------------------

def test_external_links_of_one_term(store: ox.Store) -> None:
    chained = "semapv:MappingChaining"
    assert answer(store, "external-links", term="kg:heart-failure") == [
        ("heart failure", "skos:closeMatch", "obo:DOID_6000", "congestive heart failure",
         "semapv:ManualMappingCuration", "DOID:6000 is labelled congestive heart failure but "
         "carries the cross-references of heart failure; MONDO keeps the two apart "
         "(MONDO:0005009 = DOID:6000)"),
        ("heart failure", "skos:exactMatch", "mesh:D006333", "", chained,
         "MONDO:0005252 exactMatch mesh:D006333 (MONDO mapping set)"),
        ("heart failure", "skos:exactMatch", "obo:MONDO_0005252", "heart failure",
         "semapv:ManualMappingCuration", ""),
        ("heart failure", "skos:exactMatch", "obo:NCIT_C50577", "Heart Failure", chained,
         "MONDO:0005252 exactMatch NCIT:C50577 (MONDO mapping set)"),
        ("heart failure", "skos:exactMatch", "SCTID:84114007", "Heart failure", chained,
         "MONDO:0005252 exactMatch SCTID:84114007 (MONDO mapping set)"),
    ]


def test_external_links_cover_the_whole_mapping_set(store: ox.Store) -> None:
    rows = answer(store, "external-links")
    assert len(rows) == 50
    assert {row[0] for row in rows} >= {"echocardiography", "cardiac magnetic resonance imaging",
                                         "single-photon emission computed tomography",
                                         "positron emission tomography", "clinical study"}


def test_modalities_by_kind_of_procedure_use_maxos_hierarchy(store: ox.Store) -> None:
    exact, broad = "skos:exactMatch", "skos:broadMatch"
    assert answer(store, "modality-procedures", kind="obo:MAXO_0000072") == [
        ("2D speckle-tracking radial strain", broad, "echocardiography"),
        ("echocardiography", exact, "echocardiography"),
        ("speckle-tracking echocardiography", broad, "echocardiography"),
        ("tissue Doppler imaging", broad, "Doppler ultrasonography"),
    ]
    assert answer(store, "modality-procedures", kind="obo:MAXO_0000424") == [
        ("cardiac magnetic resonance imaging", exact, "cardiac MRI"),
        ("late gadolinium enhancement cardiac MRI", broad, "cardiac MRI"),
    ]
    # Every modality is a clinical imaging procedure; MAxO files SPECT, not PET, under
    # nuclear medicine procedure.
    assert len(answer(store, "modality-procedures", kind="obo:MAXO_0000005")) == 10
    assert answer(store, "modality-procedures", kind="obo:MAXO_0009052") == [
        ("single-photon emission computed tomography", broad,
         "single-photon emission computed tomography")]


def test_trial_records_open_in_their_registries(store: ox.Store) -> None:
    assert seed(answer(store, "trial-records")) == [
        ("EchoCRT", "<https://www.clinicaltrials.gov/study/NCT00683696>", ECHOCRT_ARTICLE, "",
         ""),
        ("PROSPECT", "<https://www.clinicaltrials.gov/study/NCT00253357>", PROSPECT_ARTICLE,
         "<https://pubmed.ncbi.nlm.nih.gov/18458170>",
         "<https://doi.org/10.1161/CIRCULATIONAHA.107.743120>"),
    ]


# The expert's view --------------------------------------------------------------------------

def test_expert_stance(store: ox.Store) -> None:
    assert answer(store, "expert-stance") == [
        (EXPERT, "The field is now cautiously optimistic", "cautiously optimistic", "hedged",
         "yes", Q_OPTIMISM),
        (EXPERT, "There is hope for a role of cardiac imaging in CRT in the near future",
         "there is a hope", "hedged", "no", Q_HOPE),
    ]


def test_research_needs(store: ox.Store) -> None:
    assert answer(store, "research-needs") == [
        ("Hard evidence from new randomized trials is needed", EXPERT, UNSUPPORTED, Q_NEED),
        ("No one dares to start such trials", EXPERT, UNSUPPORTED, Q_DARING),
    ]


def test_historical_account(store: ox.Store) -> None:
    assert answer(store, "historical-account") == [
        ("A huge decline in publications followed PROSPECT", "PROSPECT", "", UNSUPPORTED,
         Q_DECLINE),
        ("Early enthusiasm, dampened by two major trials", "EchoCRT", ECHOCRT_ARTICLE,
         CITED_STUDY, Q_ENTHUSIASM),
        ("Early enthusiasm, dampened by two major trials", "PROSPECT", PROSPECT_ARTICLE,
         CITED_STUDY, Q_ENTHUSIASM),
        ("People were disappointed by the PROSPECT results", "PROSPECT", PROSPECT_ARTICLE,
         CITED_STUDY, Q_PROSPECT),
        ("The concept has changed and novel parameters have emerged", "", "", UNSUPPORTED,
         Q_CONCEPT),
    ]


def test_expert_affiliations(store: ox.Store) -> None:
    # 16 claims: all 18 but the two quoted from PROSPECT's and EchoCRT's own articles.
    assert answer(store, "expert-affiliations") == [
        (EXPERT, "Department of Cardiology, Clinical Hospital Centre Zemun",
         "Clinical Hospital Centre Zemun", "Serbia", "16"),
        (EXPERT, "Faculty of Medicine, University of Belgrade", "University of Belgrade",
         "Serbia", "16"),
    ]


# Parameter errors ---------------------------------------------------------------------------

def test_a_value_that_is_not_an_integer_is_refused(store: ox.Store) -> None:
    query = QUERIES["trials-by-size"]
    for value in ("five", "1.5", ""):
        with pytest.raises(ParameterError) as err:
            query.run(store, {"minimum": value})
        assert str(err.value) == f"parameter minimum={value!r} is not an integer"


def test_a_value_outside_the_enumeration_lists_the_allowed_ones(store: ox.Store) -> None:
    with pytest.raises(ParameterError) as err:
        QUERIES["recommendations-for-modality"].run(store, {"modality": "kg:ultrasound"})
    message = str(err.value)
    assert message.startswith("parameter modality=") and "ultrasound" in message
    assert message.endswith(" is not one of the allowed values: " + ", ".join(MODALITIES))
    with pytest.raises(ParameterError) as err:
        QUERIES["findings-of-trial"].bind({"trial": "kg:madit-crt"})
    assert str(err.value).endswith(" is not one of the allowed values: kg:prospect, kg:echocrt")
    with pytest.raises(ParameterError) as err:
        QUERIES["claim-evidence"].bind({"evidence": "obo:ECO_0000033"})
    assert str(err.value).endswith(
        " is not one of the allowed values: obo:ECO_0000180, obo:ECO_0001097, obo:ECO_0006016, "
        "obo:ECO_0000034, obo:ECO_0000204, obo:ECO_0000006, obo:ECO_0000000")


def test_a_missing_required_parameter_is_named(store: ox.Store) -> None:
    with pytest.raises(ParameterError) as err:
        QUERIES["recommendations-for-role"].run(store, {})
    assert str(err.value) == "recommendations-for-role needs the parameter role"
    with pytest.raises(ParameterError) as err:
        QUERIES["trials-by-size"].bind({})
    assert str(err.value) == "trials-by-size needs the parameter minimum"


def test_an_unknown_parameter_is_refused_with_the_known_ones(store: ox.Store) -> None:
    with pytest.raises(ParameterError) as err:
        QUERIES["findings-of-trial"].run(store, {"trial": "kg:prospect", "year": "2009"})
    assert str(err.value) == "findings-of-trial has no parameter year; its parameters: trial"
    with pytest.raises(ParameterError) as err:
        QUERIES["recommendations"].bind({"modality": "kg:spect"})
    assert str(err.value) == "recommendations has no parameter modality; its parameters: (none)"
