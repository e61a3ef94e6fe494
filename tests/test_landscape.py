"""The evidence landscape: the trials beyond the interview's two, and the named queries over them.

Every expected row is written out and was checked against graph/data/*.ttl, whose facts come
from ../shared/domain/facts.md (sections 1c and 1d) and the sources each triple names. A query
whose answer needs the reasoner is also run with inference off. Cells that aggregate several
values (GROUP_CONCAT, whose order SPARQL leaves open) are compared as sorted parts.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pyoxigraph as ox
import pytest

from graph.catalogue import load_catalogue
from graph.query import run_query, select_rows, short
from tests.helpers import ROOT, answer

QUERIES = {q.name: q for q in load_catalogue(ROOT / "queries")}

# Characters of the sources that ruff (RUF001) would take for typos.
DASH = "\u2013"  # en dash
MINUS = "\u2212"  # minus sign
GE, LE = "\u2265", "\u2264"

NEW_TRIALS = ["kg:rethinq", "kg:lesser-earth", "kg:target", "kg:imagingcrt", "kg:smart-av",
              "kg:madit-crt", "kg:miracle", "kg:reverse", "kg:block-hf",
              "kg:leyva-2009-cmr-cohort", "kg:care-hf", "kg:companion", "kg:raft", "kg:starter"]
ARTICLES = ["kg:prospect-article", "kg:echocrt-article", "kg:rethinq-article",
            "kg:lesser-earth-article", "kg:target-article", "kg:imagingcrt-article",
            "kg:smart-av-design-article", "kg:madit-crt-article", "kg:miracle-article",
            "kg:reverse-article", "kg:block-hf-article", "kg:leyva-2009-article",
            "kg:care-hf-article", "kg:companion-article", "kg:raft-article",
            "kg:starter-article"]


def header(store: ox.Store, name: str, **given: str) -> list[str]:
    names, _ = select_rows(QUERIES[name].run(store, given))
    return [n for n in names if not n.startswith("_")]


def sorted_parts(rows: list[tuple], columns: dict[int, str]) -> list[tuple]:
    """Rows with the given columns (index -> separator) split, sorted and joined again."""
    def normal(i: int, cell: str) -> str:
        if i not in columns or not cell:
            return cell
        return columns[i].join(sorted(cell.split(columns[i])))
    return [tuple(normal(i, cell) for i, cell in enumerate(row)) for row in rows]


# Labels of the main results (the primary findings).
PROSPECT = ("PROSPECT: the 12 echocardiographic dyssynchrony parameters predicted response "
            "poorly (area under the ROC curve at most 0.62 for each)")
ECHOCRT = ("EchoCRT: CRT did not reduce death or hospitalization for heart failure with a QRS "
           "duration below 130 ms")
ECHOCRT_MORTALITY = "EchoCRT: CRT may increase mortality with a QRS duration below 130 ms"
SMART_AV = ("SMART-AV: no significant difference in left ventricular end-systolic volume at 6 "
            "months, nor in the secondary endpoints, between AV delays set by echocardiography, "
            "by the SmartDelay algorithm or fixed at 120 ms")
RETHINQ = ("RethinQ: with QRS below 130 ms, CRT did not improve peak oxygen consumption: 46% vs "
           "41% reached the primary endpoint, not a significant difference")
LESSER = ("LESSER-EARTH: with QRS below 120 ms, CRT did not change exercise duration at 12 "
          f"months ({MINUS}0.7 vs +0.8 min, P = 0.31), left ventricular end-systolic volume "
          "(P = 0.28) or ejection fraction (P = 0.52)")
TARGET = ("TARGET: with the left ventricular lead targeted by speckle-tracking radial strain, "
          "more patients responded at 6 months (end-systolic volume down by at least 15%): 70% "
          "vs 55% (P = 0.031)")
IMAGINGCRT = ("ImagingCRT: left ventricular lead placement guided by CT venography, 99mTc "
              "perfusion imaging and radial strain reduced clinical non-response: 26% vs 42% "
              "(P = 0.02)")
MADIT = ("MADIT-CRT: CRT-ICD reduced death or heart-failure events (17.2% vs 25.3%; HR 0.66, "
         f"95% CI 0.52{DASH}0.84, P = 0.001), driven by a 41% reduction in heart-failure events")
MIRACLE = ("MIRACLE: CRT improved the 6-minute walk distance (+39 vs +10 m), NYHA class, quality "
           "of life and treadmill exercise time at 6 months")
REVERSE = ("REVERSE: no significant difference in the clinical composite: worsened in 16% with "
           "CRT on vs 21% with CRT off (P = 0.10)")
BLOCK_HF = ("BLOCK-HF: biventricular pacing lowered the primary outcome against right "
            f"ventricular pacing: 45.8% vs 55.6% (HR 0.74, 95% credible interval 0.60{DASH}0.90)")
LEYVA = ("Leyva 2009: CMR measures of myocardial scarring (gadolinium hyperenhancement) were "
         "among the 16 prognostic risk factors assessed before CRT in 148 patients")
CARE_HF = ("CARE-HF: CRT reduced death from any cause or unplanned cardiovascular "
           f"hospitalization: 39% vs 55% (HR 0.63, 95% CI 0.51{DASH}0.77, P<0.001)")
CARE_HF_DEATH = ("CARE-HF: CRT reduced death from any cause: 20% vs 30% (HR 0.64, 95% CI "
                 f"0.48{DASH}0.85, P<0.002)")
CARE_HF_ECHO = ("CARE-HF: CRT reduced the interventricular mechanical delay, the end-systolic "
                "volume index and the mitral regurgitant jet area, and increased the ejection "
                "fraction")
COMPANION = ("COMPANION: CRT lowered death or hospitalization from any cause against optimal "
             "pharmacological therapy: HR 0.81 (P = 0.014) with CRT-P, HR 0.80 (P = 0.01) with "
             "CRT-D")
RAFT = ("RAFT: adding CRT to an ICD reduced death or heart-failure hospitalization: 33.2% vs "
        f"40.3% (HR 0.75, 95% CI 0.64{DASH}0.87, P<0.001)")

ECHO = "echocardiography"
RADIAL = "2D speckle-tracking radial strain"
CT_VENO = "cardiac CT venography"
MPI = "99mTc myocardial perfusion imaging"
RESPONSE = "assessment of response"
SELECTION = "patient selection"
LEAD = "LV lead placement guidance"
III_IV, I_II = f"NYHA III{DASH}IV", f"NYHA I{DASH}II"


# The data ------------------------------------------------------------------------------------

def test_every_new_study_has_its_publication_population_evidence_line_and_sources(
        store: ox.Store) -> None:
    for trial in NEW_TRIALS:
        ask = f"""ASK {{
          {trial} rdfs:label ?label ; crtkg:hasPublication ?publication ;
                  crtkg:studyPopulation/crtkg:hasCondition kg:heart-failure ;
                  dcterms:source ?source .
          {{ {trial} crtkg:registryNumber ?id }} UNION {{ {trial} crtkg:noRegistryReason ?why }}
        }}"""
        assert bool(run_query(store, ask, infer=False)), trial
    # One evidence line a study with findings, SMART-AV's included (read from its presentation).
    lines = [r[0] for r in _rows(store, """
        SELECT ?study WHERE { ?line a crtkg:EvidenceLine ; crtkg:evidenceFrom ?study .
                              ?study crtkg:reportsFinding ?finding } GROUP BY ?study""")]
    assert sorted(set(NEW_TRIALS) - set(lines)) == []


def test_every_finding_is_reported_by_its_study_and_cites_its_article(store: ox.Store) -> None:
    orphans = _rows(store, """
        SELECT ?finding WHERE {
          ?finding a crtkg:Finding ; crtkg:aboutStudy ?study ; prov:hadPrimarySource ?article .
          FILTER NOT EXISTS { ?study crtkg:reportsFinding ?finding ;
                                     crtkg:hasPublication ?article }
        }""")
    assert orphans == []
    # The one finding with no verified article says where it was presented and read.
    assert _rows(store, """SELECT ?finding ?event WHERE { ?finding a crtkg:Finding ;
        crtkg:presentedAt ?event FILTER NOT EXISTS { ?finding prov:hadPrimarySource ?a } }""") == [
        ("kg:smart-av-no-lvesv-difference", "kg:aha-2010")]


def test_identifiers_not_verified_stay_out(store: ox.Store) -> None:
    """PARTIAL or UNVERIFIED in facts.md: COMPANION's DOI, RAFT's PMID and DOI, EchoCRT's."""
    for value in ("10.1056/NEJMoa032423", "21073365", "10.1056/NEJMoa1009540", "23998714",
                  "10.1056/NEJMoa1306687"):
        assert not bool(run_query(store, f'ASK {{ ?s ?p "{value}" }}')), value
    # REVERSE's results paper has no year; SMART-AV's only publication is its design paper.
    assert not bool(run_query(store, "ASK { kg:reverse-article fabio:hasPublicationYear ?y }"))
    assert _rows(store, "SELECT ?p WHERE { kg:smart-av crtkg:hasPublication ?p }") == [
        ("kg:smart-av-design-article",)]


def test_a_credible_interval_is_not_stored_as_a_confidence_interval(store: ox.Store) -> None:
    assert _rows(store, """SELECT ?v ?lo WHERE { kg:block-hf-primary-hr crtkg:value ?v .
                           OPTIONAL { kg:block-hf-primary-hr crtkg:ciLower ?lo } }""") == [
        ("0.74", "")]


def _rows(store: ox.Store, query: str, infer: bool = True) -> list[tuple]:
    names, solutions = select_rows(run_query(store, query, infer=infer))
    return [tuple(short(s[n]) if n in s else "" for n in names) for s in solutions]


# trial-comparison --------------------------------------------------------------------------

COMPARISON_HEADER = ["trial", "year", "patients", "counted", "design", "population", "imaging",
                     "primaryEndpoint", "mainResult", "hazardRatios", "direction"]
COMPARISON = [
    ("MIRACLE", "2002", "453", "randomized",
     "Double-blind randomized trial of CRT against a control group for 6 months, at 45 centres.",
     f"QRS {GE}130 ms; LVEF {LE}35%; {III_IV}", f"{ECHO} ({RESPONSE})", "", MIRACLE, "",
     "benefit"),
    ("COMPANION", "2004", "1520", "randomized",
     "Randomized, open-label, three-arm trial (1:2:2): optimal pharmacological therapy alone, or "
     "with CRT by a pacemaker (CRT-P) or by a pacemaker-defibrillator (CRT-D).",
     f"LVEF {LE}35%; {III_IV}", "", "Death from any cause or hospitalization for any cause",
     COMPANION, "HR 0.80; HR 0.81", "benefit"),
    ("CARE-HF", "2005", "813", "enrolled",
     "Multicentre, international randomized trial of standard pharmacological therapy with or "
     "without cardiac resynchronization (a pacemaker, without a defibrillator).",
     f"QRS {GE}120 ms; LVEF {LE}35%; {III_IV}", f"{ECHO} ({RESPONSE})",
     "Death from any cause or an unplanned hospitalization for a major cardiovascular event",
     CARE_HF, f"HR 0.63 (95% CI 0.51{DASH}0.77)", "benefit"),
    ("RethinQ", "2007", "172", "randomized",
     "Randomized trial: every patient received a CRT device and was randomly assigned to CRT or "
     "to a control group without CRT for 6 months.",
     "QRS <130 ms", f"{ECHO} ({SELECTION})",
     "The proportion of patients whose peak oxygen consumption rose by at least 1.0 ml per "
     "kilogram per minute on cardiopulmonary exercise testing at 6 months",
     RETHINQ, "", "no benefit"),
    ("PROSPECT", "2008", "498", "enrolled",
     "Prospective, multicentre, non-randomized study in Europe, Hong Kong and the USA; all "
     "patients received CRT devices; echocardiograms were read blinded in core laboratories "
     "after the sites were trained in image acquisition.",
     f"QRS {GE}130 ms; LVEF {LE}35%; {III_IV}",
     f"{ECHO} ({SELECTION}); tissue Doppler imaging ({SELECTION})",
     "Response at 6 months: an improved clinical composite score, or a reduction of left "
     "ventricular end-systolic volume by at least 15%", PROSPECT, "", "no benefit"),
    ("Leyva 2009 CMR scar cohort", "2009", "148", "enrolled",
     "Prospective cohort study in a district general hospital, developing and validating a "
     "prognostic risk index of cardiovascular mortality after CRT.",
     III_IV, "late gadolinium enhancement cardiac MRI (assessment of myocardial scar)",
     "Cardiovascular mortality after CRT, as predicted by a composite prognostic index",
     LEYVA, "", "examined, no direction stated"),
    ("MADIT-CRT", "2009", "1820", "randomized",
     "Open-label randomized trial (3:2) of CRT with an implantable cardioverter-defibrillator "
     "against an ICD alone.",
     f"QRS {GE}130 ms; LVEF {LE}30%; {I_II}", f"{ECHO} ({RESPONSE})",
     "Death or a heart-failure event", MADIT, f"HR 0.66 (95% CI 0.52{DASH}0.84)", "benefit"),
    ("RAFT", "2010", "1798", "randomized",
     "Multicentre, double-blind randomized controlled trial of an ICD alone against an ICD with "
     "CRT, with optimal medical therapy.",
     f"QRS {GE}120 ms; paced QRS {GE}200 ms; LVEF {LE}30%; NYHA II{DASH}III", "",
     "Death from any cause or hospitalization for heart failure", RAFT,
     f"HR 0.75 (95% CI 0.64{DASH}0.87)", "benefit"),
    ("TARGET", "2012", "220", "randomized",
     "Two-centre randomized (1:1) controlled trial of left ventricular lead placement targeted "
     "by speckle-tracking 2D radial strain, against usual care.",
     "", f"{RADIAL} ({LEAD})",
     "A reduction of left ventricular end-systolic volume by at least 15% at 6 months",
     TARGET, "", "benefit"),
    ("BLOCK-HF", "2013", "691", "randomized",
     "Double-blind randomized trial of biventricular against right ventricular pacing in "
     "patients with atrioventricular block.",
     f"LVEF {LE}50%; NYHA I{DASH}III", f"{ECHO} ({RESPONSE})",
     "Death, urgent care for heart failure, or an increase of at least 15% in the left "
     "ventricular end-systolic volume index", BLOCK_HF, "HR 0.74", "benefit"),
    # EchoCRT's decimals come back canonical (1.20 is written in the data, 1.2 is read back).
    ("EchoCRT", "2013", "809", "randomized",
     "Randomized, parallel-group, multicentre, international trial; every patient received a "
     "CRT-D and was randomized to CRT on or CRT off, with ICD back-up active in both arms.",
     f"QRS <130 ms; LVEF {LE}35%; {III_IV}", f"{ECHO} ({SELECTION})",
     "Death from any cause or first hospitalization for worsening heart failure", ECHOCRT,
     f"HR 1.20 (95% CI 0.92{DASH}1.57)", "no benefit"),
    # Which endpoint was primary rests on one secondary summary: none is recorded.
    ("LESSER-EARTH", "2013", "85", "randomized",
     "Randomized, double-blind, 12-centre trial of active versus inactive CRT.",
     f"QRS <120 ms; LVEF {LE}35%", "", "", "", "", ""),
    ("STARTER", "2013", "187", "randomized",
     "Prospective, double-blind, randomized trial of echocardiography-guided against routine "
     "left ventricular lead placement.", f"NYHA II{DASH}IV",
     f"speckle-tracking echocardiography ({LEAD})", "", "", "", ""),
    ("ImagingCRT", "2016", "182", "randomized",
     "Double-blind randomized trial of left ventricular lead placement guided by multimodality "
     "imaging, against routine posterolateral placement.",
     "", f"{RADIAL} ({LEAD}); {MPI} ({LEAD}); {CT_VENO} ({LEAD})", "", IMAGINGCRT, "",
     "benefit"),
    # No verified year: REVERSE's results paper has none, SMART-AV's is not verified at all.
    # Which of REVERSE's endpoints was primary is not stated in the sources read.
    ("REVERSE", "", "610", "randomized",
     "Double-blind randomized trial of CRT on against CRT off, for 12 months.",
     f"QRS {GE}120 ms; LVEF {LE}40%; {I_II}", f"{ECHO} ({RESPONSE})", "", "", "", ""),
    ("SMART-AV", "", "980", "randomized",
     "Randomized (1:1:1), multicentre, double-blind, three-armed trial in patients receiving a "
     "CRT defibrillator.",
     f"QRS {GE}120 ms; LVEF {LE}35%; {III_IV}",
     f"{ECHO} (AV-delay optimization); {ECHO} ({RESPONSE})",
     "Left ventricular end-systolic volume at 6 months", SMART_AV, "", "no benefit"),
]
AGGREGATED = {6: "; ", 9: "; ", 10: ", "}


def test_trial_comparison(store: ox.Store) -> None:
    assert header(store, "trial-comparison") == COMPARISON_HEADER
    assert sorted_parts(answer(store, "trial-comparison"), AGGREGATED) == \
        sorted_parts(COMPARISON, AGGREGATED)


def test_trial_comparison_as_csv_from_the_command_line(built) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli", "--root", str(ROOT), "--artifact",
         str(built.artifact), "query", "trial-comparison", "--format", "csv"],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == ",".join(COMPARISON_HEADER)
    table = list(csv.reader(io.StringIO(done.stdout)))
    assert len(table) == 1 + len(COMPARISON)
    [madit] = [row for row in table if row[0] == "MADIT-CRT"]
    assert tuple(madit) == COMPARISON[6]


# narrow-qrs-trials -------------------------------------------------------------------------

LESSER_POPULATION = "LESSER-EARTH population: heart failure with a QRS complex below 120 ms"
RETHINQ_POPULATION = ("RethinQ population: heart failure with a narrow QRS complex and "
                      "mechanical dyssynchrony")


def test_narrow_qrs_trials(store: ox.Store) -> None:
    assert answer(store, "narrow-qrs-trials") == [
        ("LESSER-EARTH", "120", "LESSER-EARTH: a nonsignificant trend towards more heart-failure "
         "hospitalizations with CRT (15 in 5 patients vs 4 in 4 patients)", "possible harm",
         LESSER_POPULATION, "no"),
        ("LESSER-EARTH", "120", LESSER, "no benefit", LESSER_POPULATION, "no"),
        ("LESSER-EARTH", "120", "LESSER-EARTH: with QRS below 120 ms, CRT was associated with a "
         f"significant reduction in the 6-minute walk distance ({MINUS}11.3 vs +25.3 m, "
         "P = 0.01)", "possible harm", LESSER_POPULATION, "no"),
        ("EchoCRT", "130", ECHOCRT, "no benefit",
         "EchoCRT population: heart failure with a narrow QRS complex", "yes"),
        ("EchoCRT", "130", ECHOCRT_MORTALITY, "possible harm",
         "EchoCRT population: heart failure with a narrow QRS complex", "no"),
        ("RethinQ", "130", RETHINQ, "no benefit", RETHINQ_POPULATION, "yes"),
        # Subgroups, labelled as such by the population they are about.
        ("RethinQ", "130", "RethinQ, prespecified subgroup with QRS of 120 ms or more: peak "
         "oxygen consumption increased with CRT (P = 0.02)", "benefit",
         "RethinQ prespecified subgroup: QRS 120 ms or more (and below 130 ms)", "no"),
        ("RethinQ", "130", "RethinQ, subgroup with QRS below 120 ms: peak oxygen consumption "
         "unchanged with CRT (P = 0.45)", "no benefit", "RethinQ subgroup: QRS below 120 ms",
         "no"),
    ]


# lead-placement-trials ---------------------------------------------------------------------

def test_lead_placement_trials_need_the_reasoner_for_the_radiation(store: ox.Store) -> None:
    imagingcrt = ("ImagingCRT", f"{MPI}; {RADIAL}; {CT_VENO}")
    columns = {1: "; ", 3: "; "}
    assert sorted_parts(answer(store, "lead-placement-trials"), columns) == sorted_parts([
        (*imagingcrt, "yes", f"{MPI}; {CT_VENO}"),
        ("STARTER", "speckle-tracking echocardiography", "no", ""),
        ("TARGET", RADIAL, "no", ""),
    ], columns)
    # The modalities are only classified by the reasoner: without it, nothing radiates.
    assert sorted_parts(answer(store, "lead-placement-trials", infer=False), columns) == \
        sorted_parts([(*imagingcrt, "no", ""),
                      ("STARTER", "speckle-tracking echocardiography", "no", ""),
                      ("TARGET", RADIAL, "no", "")], columns)


# modality-role-evidence --------------------------------------------------------------------

NUMBER_ONE = "Echocardiography is, for me, number one for patient selection"
NO_ECHO_PREDICTOR = "PROSPECT: no echocardiographic parameter improves patient selection for CRT"


def test_modality_role_evidence(store: ox.Store) -> None:
    selection = [
        ("EchoCRT", SELECTION, "imaging use", ECHOCRT, "no benefit"),
        ("PROSPECT", SELECTION, "finding", PROSPECT, "no benefit"),
        ("RethinQ", SELECTION, "imaging use", RETHINQ, "no benefit"),
    ]
    assert answer(store, "modality-role-evidence") == [
        ("cardiac magnetic resonance imaging", "assessment of myocardial scar",
         "Magnetic resonance imaging should be used to assess the extent of myocardial scar",
         "should be used", "", "Leyva 2009 CMR scar cohort", "assessment of myocardial scar",
         "finding", LEYVA, "examined, no direction stated"),
        # "possibly, optimization" beside SMART-AV's finding on the narrower AV-delay
        # optimization by echocardiography.
        (ECHO, "CRT optimization", "Echocardiography is, for me, possibly number one for CRT "
         "optimization", "possibly", "number one", "SMART-AV", "AV-delay optimization",
         "finding", SMART_AV, "no benefit"),
        # "number one" for patient selection beside PROSPECT's finding.
        *[(ECHO, SELECTION, NUMBER_ONE, "", "number one", *row) for row in selection],
        *[(ECHO, SELECTION, NO_ECHO_PREDICTOR, "", "", *row) for row in selection],
    ]


# events ------------------------------------------------------------------------------------

NEJM = "The New England Journal of Medicine"


def test_events_in_time_order(store: ox.Store) -> None:
    assert answer(store, "events") == [
        ("2002", "published", "MIRACLE", f"MIRACLE results article (N Engl J Med 2002) ({NEJM})"),
        ("2004", "published", "COMPANION",
         f"COMPANION results article (N Engl J Med 2004) ({NEJM})"),
        ("2004-03", "trial started", "PROSPECT", ""),
        ("2005-03-07", "published online", "CARE-HF", "The Effect of Cardiac Resynchronization "
         f"on Morbidity and Mortality in Heart Failure ({NEJM})"),
        ("2006-06", "trial completed", "PROSPECT", ""),
        ("2007", "results presented", "PROSPECT", "ESC Congress 2007"),
        ("2007-11-06", "published online", "RethinQ",
         f"Cardiac-resynchronization therapy in heart failure with narrow QRS complexes ({NEJM})"),
        ("2008", "published", "PROSPECT",
         "Results of the Predictors of Response to CRT (PROSPECT) trial (Circulation)"),
        ("2008-05", "trial started", "SMART-AV", ""),
        ("2009", "published", "Leyva 2009 CMR scar cohort", "Development and validation of a "
         "clinical index to predict survival after cardiac resynchronisation therapy (Heart)"),
        ("2009", "published", "MADIT-CRT",
         f"MADIT-CRT results article (N Engl J Med 2009) ({NEJM})"),
        ("2010", "published", "RAFT", f"RAFT results article (N Engl J Med 2010) ({NEJM})"),
        ("2010", "published", "SMART-AV", "SmartDelay determined AV optimization: a comparison "
         "of AV delay methods used in cardiac resynchronization therapy (SMART-AV): rationale "
         "and design (Pacing and Clinical Electrophysiology)"),
        ("2010", "results presented", "SMART-AV", "AHA Scientific Sessions 2010"),
        ("2012-03-13", "published online", "TARGET", "Targeted Left Ventricular Lead Placement "
         "to Guide Cardiac Resynchronization Therapy: the TARGET Study: a Randomized, Controlled "
         "Trial (Journal of the American College of Cardiology)"),
        ("2013", "published", "BLOCK-HF", f"BLOCK-HF results article (N Engl J Med 2013) ({NEJM})"),
        ("2013", "results presented", "EchoCRT", "ESC Congress 2013"),
        ("2013-02-06", "published online", "LESSER-EARTH", "Cardiac resynchronization therapy "
         "in patients with heart failure and a QRS complex <120 milliseconds: the Evaluation of "
         "Resynchronization Therapy for Heart Failure (LESSER-EARTH) trial (Circulation)"),
        ("2013-03-13", "trial stopped early", "EchoCRT",
         "Stopped for futility on the recommendation of the data and safety monitoring board."),
        ("2013-09-04", "published online", "EchoCRT",
         f"Cardiac-Resynchronization Therapy in Heart Failure with a Narrow QRS Complex ({NEJM})"),
        ("2016", "published", "ImagingCRT",
         "ImagingCRT results article (Eur J Heart Fail 2016) (European Journal of Heart Failure)"),
        ("2016-12-07", "congress", "EuroEcho-Imaging 2016", "Leipzig, Germany, until 2016-12-10"),
    ]


# article-claims ----------------------------------------------------------------------------

ENTHUSIASM = "Early enthusiasm, dampened by two major trials"
CITES, LINE = "cites it as evidence", "evidence line from it"
DERIVED, QUOTED = "derived from it", "quoted from it"
REPORT, HISTORY = "report of a trial result", "historical account"


def test_article_claims_parameter_enumerates_every_publication() -> None:
    [parameter] = QUERIES["article-claims"].parameters
    assert (parameter.name, parameter.kind, parameter.required) == ("article", "iri", True)
    kg = "https://w3id.org/crtkg/id/"
    assert parameter.values == tuple(kg + a.removeprefix("kg:") for a in ARTICLES)


def test_article_claims(store: ox.Store) -> None:
    findings = {
        "kg:rethinq-article": [
            RETHINQ,
            "RethinQ, prespecified subgroup with QRS of 120 ms or more: peak oxygen consumption "
            "increased with CRT (P = 0.02)",
            "RethinQ, subgroup with QRS below 120 ms: peak oxygen consumption unchanged with CRT "
            "(P = 0.45)"],
        "kg:lesser-earth-article": [
            LESSER,
            "LESSER-EARTH: a nonsignificant trend towards more heart-failure hospitalizations "
            "with CRT (15 in 5 patients vs 4 in 4 patients)",
            "LESSER-EARTH: with QRS below 120 ms, CRT was associated with a significant "
            f"reduction in the 6-minute walk distance ({MINUS}11.3 vs +25.3 m, P = 0.01)"],
        "kg:target-article": [
            TARGET,
            "TARGET: targeted left ventricular lead placement gave a higher clinical response "
            "(NYHA class improved by at least 1): 83% vs 65% (P = 0.003)",
            "TARGET: targeted left ventricular lead placement gave lower rates of the combined "
            "endpoint of death and heart-failure hospitalization"],
        "kg:imagingcrt-article": [
            IMAGINGCRT,
            "ImagingCRT: imaging-guided lead placement made no difference to reverse remodelling "
            "or to death and heart-failure hospitalization",
            "ImagingCRT: with imaging guidance, more left ventricular leads were placed in the "
            "optimal coronary-sinus branch: 83% vs 65%"],
        "kg:smart-av-design-article": [],
        "kg:madit-crt-article": [
            "MADIT-CRT, subgroup with QRS of 150 ms or more: the benefit of CRT-ICD was seen "
            "mainly there",
            "MADIT-CRT: CRT-ICD reduced left ventricular volumes and improved the ejection "
            "fraction", MADIT],
        "kg:miracle-article": [
            MIRACLE, f"MIRACLE: the left ventricular ejection fraction rose with CRT (+4.6% vs "
            f"{MINUS}0.2%)"],
        "kg:reverse-article": [
            "REVERSE: CRT reduced the left ventricular end-systolic volume index "
            f"({MINUS}18.4 vs {MINUS}1.3 ml/m\u00b2, P < 0.0001), a secondary endpoint",
            "REVERSE: fewer heart-failure hospitalizations with CRT on (HR 0.47)", REVERSE],
        "kg:block-hf-article": [BLOCK_HF],
        "kg:companion-article": [
            "COMPANION: CRT-P lowered the risk of death from any cause by 24% (P = 0.059)",
            COMPANION],
        "kg:raft-article": [
            f"RAFT: fewer deaths with ICD-CRT: 186 vs 236 (HR 0.75, 95% CI 0.62{DASH}0.91, "
            "P = 0.003)",
            "RAFT: fewer heart-failure hospitalizations with ICD-CRT (HR 0.68, 95% CI "
            f"0.56{DASH}0.83)",
            "RAFT: more adverse events within 30 days of implantation with ICD-CRT than with an "
            "ICD alone (124 vs 58)", RAFT],
    }
    for article, labels in findings.items():
        expected = sorted((label, "finding", DERIVED) for label in labels)
        assert answer(store, "article-claims", article=article) == expected, article
    # Findings that quote their article where facts.md gives its words.
    assert answer(store, "article-claims", article="kg:care-hf-article") == [
        (CARE_HF, "finding", DERIVED), (CARE_HF_DEATH, "finding", DERIVED),
        (CARE_HF_ECHO, "finding", QUOTED)]
    assert answer(store, "article-claims", article="kg:leyva-2009-article") == [
        (LEYVA, "finding", QUOTED)]
    # The interview's two references: its statements cite them and rest on them.
    assert answer(store, "article-claims", article="kg:prospect-article") == [
        ("PROSPECT: large variability of the dyssynchrony parameters", "finding", QUOTED),
        (PROSPECT, "finding", DERIVED),
        (ENTHUSIASM, HISTORY, CITES), (ENTHUSIASM, HISTORY, LINE),
        ("People were disappointed by the PROSPECT results", HISTORY, CITES),
        ("People were disappointed by the PROSPECT results", HISTORY, LINE),
        (NO_ECHO_PREDICTOR, REPORT, CITES), (NO_ECHO_PREDICTOR, REPORT, LINE),
    ]
    mortality = "EchoCRT: CRT may increase mortality in heart failure with a narrow QRS complex"
    no_benefit = "EchoCRT: CRT not beneficial in heart failure with a narrow QRS complex"
    assert answer(store, "article-claims", article="kg:echocrt-article") == [
        (ECHOCRT, "finding", QUOTED), (ECHOCRT_MORTALITY, "finding", QUOTED),
        (ENTHUSIASM, HISTORY, CITES), (ENTHUSIASM, HISTORY, LINE),
        (mortality, REPORT, CITES), (mortality, REPORT, LINE),
        (no_benefit, REPORT, CITES), (no_benefit, REPORT, LINE),
    ]


@pytest.mark.parametrize("article", ARTICLES)
def test_every_enumerated_article_is_a_study_publication(store: ox.Store, article: str) -> None:
    assert bool(run_query(store, f"ASK {{ {article} a crtkg:StudyPublication }}", infer=False))
