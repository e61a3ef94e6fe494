"""Links to external ontologies: the SSSOM mapping set, identifier checks, import modules in
reasoning, SNOMED CT left out on request, and the mapping set as a standard reader sees it."""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from sssom.parsers import parse_sssom_rdf, parse_sssom_table

from cli import main
from graph import export, registry
from graph.artifact import build, open_store
from graph.errors import SourceError, ValidationFailed
from graph.identifiers import (
    IRI_PATTERN,
    IdentifierError,
    check_obo_iri,
    check_registered,
    snomed_namespaces,
)
from graph.load import SourcePaths
from graph.mappings import read_mapping_set
from graph.namespaces import EXTERNAL_PREFIXES, MAPPINGS_GRAPH, PREFIXES
from graph.query import run_query
from graph.registry import REGISTRY_FILE, extract, records_from_bioregistry, used_prefixes
from tests.helpers import ROOT, failed_build, good_build, rows

MAPPINGS = ROOT / "ontology" / "mappings" / "crtkg.sssom.tsv"
SNOMED = snomed_namespaces()  # every IRI form of SNOMED CT the bioregistry knows


# --- the mapping set ------------------------------------------------------------------------

def test_every_row_resolves_to_an_iri_the_registry_knows():
    mapping_set = read_mapping_set(MAPPINGS)
    assert len(mapping_set.mappings) == 50
    import bioregistry  # the installed registry itself, not crtkg's extract of it

    for m in mapping_set.mappings:
        prefix, local = m.row["object_id"].split(":", 1)
        namespace = EXTERNAL_PREFIXES.get(prefix) or PREFIXES[prefix]
        assert m.object == namespace + local, m.row
        assert re.fullmatch(IRI_PATTERN, m.object), m.row
        resource = bioregistry.get_resource(bioregistry.normalize_prefix(prefix))
        assert namespace in resource.get_uri_prefixes(), m.row
        pattern = bioregistry.get_pattern(resource.prefix)
        assert pattern is None or re.fullmatch(pattern.strip("^$"), local), m.row
        assert m.subject.startswith("https://w3id.org/crtkg/"), m.row
        assert m.predicate.startswith("http://www.w3.org/2004/02/skos/core#"), m.row


def test_the_registry_extract_is_what_the_installed_bioregistry_says():
    extract_file = json.loads(REGISTRY_FILE.read_text(encoding="utf-8"))
    assert extract_file["bioregistry_version"] == metadata.version("bioregistry")
    assert extract() == records_from_bioregistry(set(extract()))


def test_the_registry_extract_covers_every_prefix_the_sources_use():
    assert used_prefixes(SourcePaths(ROOT).prefixed_files()) <= set(extract())


def test_a_prefix_missing_from_the_extract_names_the_command_that_adds_it():
    assert "GO" not in extract()  # the bioregistry knows GO; crtkg uses none of its terms
    with pytest.raises(IdentifierError, match=r"'GO' is not in registry.json, the extract "
                                              r"of the bioregistry; run `crtkg imports registry`"):
        check_obo_iri("http://purl.obolibrary.org/obo/GO_0008150")


def test_imports_registry_writes_the_extract(tmp_path: Path, capsys, monkeypatch):
    target = tmp_path / "registry.json"
    monkeypatch.setattr(registry, "REGISTRY_FILE", target)
    assert main(["imports", "registry", "--root", str(ROOT)]) == 0
    assert target.read_text(encoding="utf-8") == REGISTRY_FILE.read_text(encoding="utf-8")
    assert f"wrote {target}: the bioregistry's records of" in capsys.readouterr().out


@pytest.mark.parametrize("prefix", sorted(EXTERNAL_PREFIXES))
def test_each_external_namespace_is_one_the_registry_lists(prefix: str):
    check_registered(prefix, EXTERNAL_PREFIXES[prefix])


def test_every_row_is_a_skos_triple_of_the_mappings_graph(store: ox.Store):
    mapping_set = read_mapping_set(MAPPINGS)
    for m in mapping_set.mappings:
        ask = f"ASK {{ GRAPH <{MAPPINGS_GRAPH}> {{ <{m.subject}> <{m.predicate}> <{m.object}> }} }}"
        assert bool(run_query(store, ask)), m.row


def test_heart_failure_is_a_close_match_of_doid_not_an_exact_one(store: ox.Store):
    found = rows(store, "SELECT ?p { kg:heart-failure ?p obo:DOID_6000 }")
    assert found == [{"p": "skos:closeMatch"}]


def test_sssom_py_reads_the_mapping_set():
    msdf = parse_sssom_table(MAPPINGS)
    assert len(msdf.df) == 50
    assert msdf.metadata["license"] == "https://opensource.org/license/mit"
    assert msdf.metadata["mapping_set_id"] == "https://w3id.org/crtkg/mappings/crtkg.sssom.tsv"
    row = msdf.df[msdf.df.object_id == "DOID:6000"].iloc[0]
    assert (row.subject_id, row.predicate_id) == ("kg:heart-failure", "skos:closeMatch")


@pytest.mark.parametrize("fmt", ["sssom-tsv", "sssom-ttl"])
def test_sssom_py_reads_the_exported_mapping_set(tmp_path: Path, fmt: str):
    out = tmp_path / f"set.{fmt}"
    out.write_bytes(export.export_mappings(MAPPINGS, fmt))
    if fmt == "sssom-tsv":
        msdf = parse_sssom_table(out)
    else:
        msdf = parse_sssom_rdf(out, prefix_map=read_mapping_set(MAPPINGS).curie_map)
    ours = {(m.row["subject_id"], m.row["predicate_id"], m.row["object_id"])
            for m in read_mapping_set(MAPPINGS).mappings}
    theirs = set(zip(msdf.df.subject_id, msdf.df.predicate_id, msdf.df.object_id, strict=True))
    assert theirs == ours


# --- SNOMED CT can be left out ----------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "trig", "nq"])
def test_an_export_without_snomed_has_no_snomed_iri(built, fmt: str):
    full = export.export(built.artifact, fmt).decode()
    without = export.export(built.artifact, fmt, snomed=False).decode()
    assert "http://snomed.info/id/84114007" in full or "SCTID:84114007" in full
    assert not any(ns in without for ns in SNOMED)
    assert "SCTID:" not in without
    assert "84114007" not in without  # no orphaned SSSOM annotation of a SNOMED mapping
    assert "http://purl.obolibrary.org/obo/MONDO_0005252" in without or "MONDO_0005252" in without


def test_the_mapping_set_without_snomed_has_no_snomed_row_or_prefix():
    tsv = export.export_mappings(MAPPINGS, "sssom-tsv", snomed=False).decode()
    ttl = export.export_mappings(MAPPINGS, "sssom-ttl", snomed=False).decode()
    assert "SCTID:" not in tsv and not any(ns in tsv + ttl for ns in SNOMED)
    assert tsv.count("\nkg:") + tsv.count("\ncrtkg:") == 41  # 50 rows less 9 SNOMED CT ones
    assert "SCTID:" in export.export_mappings(MAPPINGS, "sssom-tsv").decode()


def test_cli_exports_the_mapping_set_without_snomed(tmp_path: Path, capsys):
    out = tmp_path / "crtkg.sssom.tsv"
    assert main(["export", "--format", "sssom-tsv", "--no-snomed", "-o", str(out)]) == 0
    assert "SCTID:" not in out.read_text()
    assert len(parse_sssom_table(out).df) == 41


# --- imports and reasoning: the OBI question -------------------------------------------------

CLINICAL_INVESTIGATIONS = "SELECT ?s { ?s a obo:OBI_0003697 } ORDER BY ?s"


def test_every_study_is_a_clinical_investigation_with_imports_and_reasoning(store):
    # The data types each study as a randomized or an observational study, never as OBI's
    # clinical investigation: that comes from OBI's hierarchy, through the reasoner.
    studies = rows(store, """SELECT ?s { ?s a ?kind VALUES ?kind {
        crtkg:RandomizedControlledTrial crtkg:ObservationalStudy } } ORDER BY ?s""", infer=False)
    assert len(studies) == 16
    assert {"s": "kg:echocrt"} in studies and {"s": "kg:prospect"} in studies
    assert rows(store, CLINICAL_INVESTIGATIONS) == studies
    assert rows(store, CLINICAL_INVESTIGATIONS, infer=False) == []


def test_without_the_obi_import_no_study_is_a_clinical_investigation(project_copy, tmp_path):
    (project_copy.imports_dir / "obi_import.ttl").unlink()
    summary = build(project_copy, tmp_path / "crtkg.nq", force=True)
    assert summary.triples["imports"] > 0  # the other modules are still there
    assert rows(open_store(summary.artifact), CLINICAL_INVESTIGATIONS) == []


# --- bad input stops the build with file, row and reason; the last good graph stays ----------

def _edit_row(paths: SourcePaths, row: int, old: str, new: str) -> int:
    """Replace text in the mapping set's row (1-based among the rows); its line number."""
    lines = paths.mappings_file.read_text().split("\n")
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    line = header + row  # 0-based index of the row
    assert old in lines[line], lines[line]
    lines[line] = lines[line].replace(old, new)
    paths.mappings_file.write_text("\n".join(lines))
    return line + 1


@pytest.mark.parametrize(("old", "new", "reason"), [
    ("MONDO:0005252", "MONDOX:0005252", "object_id: unknown prefix 'MONDOX' in MONDOX:0005252: "
                                        "not in the curie_map"),
    ("MONDO:0005252", "MONDO:5252", "object_id: MONDO:5252 does not match the pattern of "
                                    "'MONDO', ^\\d{7}$"),
    ("skos:exactMatch", "skos:sameAs", "unknown predicate_id 'skos:sameAs'; use one of "
                                       "skos:exactMatch, skos:closeMatch"),
    ("semapv:ManualMappingCuration", "semapv:Guess", "unknown mapping_justification "
                                                     "'semapv:Guess'"),
    ("\theart failure\tskos", "\t\tskos", "subject_label is empty"),
])
def test_a_malformed_row_names_its_line_and_row(project_copy, tmp_path, old, new, reason):
    artifact, good = good_build(project_copy, tmp_path)
    line = _edit_row(project_copy, 1, old, new)
    error = failed_build(project_copy, artifact, good, SourceError)
    assert str(error).startswith(f"{project_copy.mappings_file}:{line}: row 1: {reason}")
    assert error.line == line


def test_a_missing_required_column_is_named(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    text = project_copy.mappings_file.read_text()
    project_copy.mappings_file.write_text(text.replace("\tmapping_justification\t", "\t"))
    error = failed_build(project_copy, artifact, good, SourceError,
                         match=r"missing required column\(s\) mapping_justification")
    header = text.split("\n").index(next(line for line in text.split("\n")
                                          if line.startswith("subject_id"))) + 1
    assert error.line == header


def test_a_license_that_is_not_an_iri_is_refused(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    text = project_copy.mappings_file.read_text()
    project_copy.mappings_file.write_text(
        text.replace("# license: https://opensource.org/license/mit", "# license: MIT"))
    error = failed_build(project_copy, artifact, good, SourceError)
    assert str(error).endswith("metadata: license must be an IRI, not 'MIT'")
    assert error.line == text.split("\n").index("# license: https://opensource.org/license/mit") + 1


def test_a_namespace_the_registry_does_not_know_for_a_prefix_is_refused(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    text = project_copy.mappings_file.read_text()
    project_copy.mappings_file.write_text(
        text.replace("#   mesh: http://id.nlm.nih.gov/mesh/", "#   mesh: http://example.org/mesh/"))
    failed_build(project_copy, artifact, good, SourceError, match=re.escape(
        "curie_map: prefix 'mesh' expands to http://example.org/mesh/, but crtkg uses"))


def test_a_subject_that_is_not_our_term_or_has_another_label_is_refused(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    _edit_row(project_copy, 1, "kg:heart-failure", "kg:heart-failures")
    line = _edit_row(project_copy, 2, "\theart failure\t", "\tcardiac failure\t")
    error = failed_build(project_copy, artifact, good, ValidationFailed)
    report = error.report
    assert "row 1: subject_id kg:heart-failures is not a term of the ontology or the data" in report
    assert (f"{project_copy.mappings_file}:{line}: row 2: subject_label 'cardiac failure' is "
            "not the label of kg:heart-failure (heart failure)") in report


def test_an_object_label_that_disagrees_with_its_import_module_is_refused(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    line = _edit_row(project_copy, 7, "\techocardiography\tsemapv", "\techocardiogram\tsemapv")
    error = failed_build(project_copy, artifact, good, ValidationFailed)
    assert error.report == (
        f"{project_copy.mappings_file}:{line}: row 7: object_id MAXO:0010203: object_label "
        "'echocardiogram' is not its label in its import module (echocardiography)")


def test_an_object_missing_from_its_import_module_is_refused(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    line = _edit_row(project_copy, 7, "MAXO:0010203", "MAXO:0999999")
    error = failed_build(project_copy, artifact, good, ValidationFailed)
    assert error.report == (
        f"{project_copy.mappings_file}:{line}: row 7: object_id MAXO:0999999 is not in "
        "ontology/imports/maxo_import.ttl; add it to maxo_terms.txt and run `crtkg imports "
        "refresh`")


@pytest.mark.parametrize(("old", "new", "reason"), [
    ("#   mesh: http://id.nlm.nih.gov/mesh/", "#   MESH: http://www.ncbi.nlm.nih.gov/mesh/?term=",
     "prefix 'MESH' is not one of crtkg's"),
    ("#   SCTID: http://snomed.info/id/", '#   snomedct: "http://bio2rdf.org/snomedct:"',
     "prefix 'snomedct' is not one of crtkg's"),
    ("#   schema: https://schema.org/", "#   schema: http://schema.org/",
     "prefix 'schema' expands to http://schema.org/, but crtkg uses https://schema.org/"),
    ("#   skos: http://www.w3.org/2004/02/skos/core#", "#   skos: https://www.w3.org/2004/02/skos/core#",
     "prefix 'skos' expands to https://www.w3.org/2004/02/skos/core#, but crtkg uses"),
])
def test_a_prefix_alias_or_another_namespace_is_refused(project_copy, tmp_path, old, new, reason):
    artifact, good = good_build(project_copy, tmp_path)
    text = project_copy.mappings_file.read_text()
    assert old in text
    project_copy.mappings_file.write_text(text.replace(old, new))
    error = failed_build(project_copy, artifact, good, SourceError)
    assert f"metadata: curie_map: {reason}" in str(error)
    assert error.line == text.split("\n").index(old) + 1


def test_rows_after_blank_lines_are_reported_at_their_own_line(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    lines = project_copy.mappings_file.read_text().split("\n")
    header = next(i for i, line in enumerate(lines) if line.startswith("subject_id"))
    lines[header + 3:header + 3] = ["", ""]  # two blank lines before row 3
    lines[header + 5] = lines[header + 5].replace("NCIT:C50577", "NCIT:50577")
    project_copy.mappings_file.write_text("\n".join(lines))
    error = failed_build(project_copy, artifact, good, SourceError)
    assert error.line == header + 6  # 1-based
    assert "row 3: object_id: NCIT:50577 does not match the pattern of 'NCIT'" in str(error)


@pytest.mark.parametrize(("edit", "reason"), [
    (lambda row: row + "\textra", "row 1: expected 7 tab-separated columns, found 8"),
    (lambda row: row.rsplit("\t", 2)[0], "row 1: expected 7 tab-separated columns, found 5"),
    (lambda row: row.replace("kg:heart-failure", "heart-failure", 1),
     "row 1: subject_id: 'heart-failure' is not a CURIE (prefix:identifier)"),
    (lambda row: row.replace("\tMONDO:0005252", "\tschema:Heart Failure"),
     "row 1: object_id: schema:Heart Failure does not make a valid IRI"),
    (lambda row: row + "\n" + row, "row 2: the same mapping as row 1"),
])
def test_malformed_rows_are_named(project_copy, tmp_path, edit, reason):
    artifact, good = good_build(project_copy, tmp_path)
    lines = project_copy.mappings_file.read_text().split("\n")
    header = next(i for i, line in enumerate(lines) if line.startswith("subject_id"))
    lines[header + 1] = edit(lines[header + 1])
    project_copy.mappings_file.write_text("\n".join(lines))
    failed_build(project_copy, artifact, good, SourceError, match=re.escape(reason))


def test_a_column_given_twice_is_named(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    text = project_copy.mappings_file.read_text()
    project_copy.mappings_file.write_text(text.replace("\tcomment\n", "\tcomment\tcomment\n", 1))
    failed_build(project_copy, artifact, good, SourceError,
                 match=r"column\(s\) comment given twice")


def test_a_byte_order_mark_and_crlf_line_ends_are_read(project_copy, tmp_path):
    text = project_copy.mappings_file.read_text()
    project_copy.mappings_file.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert len(read_mapping_set(project_copy.mappings_file).mappings) == 50


def test_a_quote_in_a_cell_survives_the_tsv_export(project_copy):
    _edit_row(project_copy, 1, "\tsemapv:ManualMappingCuration\t", '\tsemapv:ManualMappingCuration\tsays "exact"')
    tsv = export.export_mappings(project_copy.mappings_file, "sssom-tsv").decode()
    assert 'says "exact"' in tsv


@pytest.mark.parametrize(("old", "new", "message"), [
    ('bibo:doi "10.1161/CIRCULATIONAHA.107.743120"', 'bibo:doi "10.1161/CIRCULATIONAHA 107"',
     'kg:prospect-article bibo:doi "10.1161/CIRCULATIONAHA 107": doi:10.1161/CIRCULATIONAHA 107 '
     "does not make a valid IRI"),
    ('crtkg:registryNumber "NCT00253357"', 'crtkg:registryNumber "NCT253357"',
     'kg:prospect crtkg:registryNumber "NCT253357": clinicaltrials:NCT253357 does not match the '
     "pattern of 'clinicaltrials'"),
])
def test_a_malformed_record_identifier_is_named(project_copy, tmp_path, old, new, message):
    artifact, good = good_build(project_copy, tmp_path)
    for path in project_copy.data_files:
        if old in path.read_text():
            path.write_text(path.read_text().replace(old, new))
            edited = path
    error = failed_build(project_copy, artifact, good, SourceError)
    assert str(error).startswith(f"{edited}: {message}")


def test_a_malformed_identifier_in_the_data_names_file_and_subject(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    sources = project_copy.data_dir / "sources.ttl"
    sources.write_text(sources.read_text().replace('bibo:pmid "18458170"',
                                                   'bibo:pmid "PMID18458170"'))
    error = failed_build(project_copy, artifact, good, SourceError)
    assert str(error) == (f'{sources}: kg:prospect-article bibo:pmid "PMID18458170": '
                                 "PMID:PMID18458170 does not match the pattern of 'PMID', ^\\d+$")


def test_an_obo_term_missing_from_its_import_module_is_named(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    claims = project_copy.data_dir / "claims.ttl"
    claims.write_text(claims.read_text().replace("obo:ECO_0000034 ;", "obo:ECO_0006018 ;", 1))
    error = failed_build(project_copy, artifact, good, ValidationFailed)
    assert (f"{claims}: ECO:0006018 is not in ontology/imports/eco_import.ttl;"
            " add it to eco_terms.txt and run `crtkg imports refresh`") in error.report


def test_an_obo_iri_with_an_unknown_prefix_is_named(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    agents = project_copy.data_dir / "agents.ttl"
    agents.write_text(agents.read_text().replace("obo:BFO_0000050 kg:chc-zemun",
                                                 "obo:BFOX_0000050 kg:chc-zemun", 1))
    failed_build(project_copy, artifact, good, ValidationFailed,
                 match=f"{re.escape(str(agents))}: unknown prefix 'BFOX': not in the bioregistry")


def test_publications_and_trials_link_to_their_records(store: ox.Store):
    found = rows(store, "SELECT ?s ?record { ?s schema:sameAs ?record } ORDER BY ?s ?record")
    seed = [r for r in found if r["s"] in ("kg:echocrt", "kg:prospect", "kg:echocrt-article",
                                           "kg:prospect-article")]
    assert seed == [
        {"s": "kg:echocrt", "record": "<https://www.clinicaltrials.gov/study/NCT00683696>"},
        {"s": "kg:prospect", "record": "<https://www.clinicaltrials.gov/study/NCT00253357>"},
        {"s": "kg:prospect-article", "record": "<https://doi.org/10.1161/CIRCULATIONAHA.107.743120>"},
        {"s": "kg:prospect-article", "record": "<https://pubmed.ncbi.nlm.nih.gov/18458170>"},
    ]
    # One link for each identifier in the data, and no other.
    identifiers = rows(store, """SELECT ?s ?record {
        { ?s crtkg:registryNumber ?id BIND(IRI(CONCAT("https://www.clinicaltrials.gov/study/", ?id)) AS ?record) }
        UNION { ?s bibo:pmid ?id BIND(IRI(CONCAT("https://pubmed.ncbi.nlm.nih.gov/", ?id)) AS ?record) }
        UNION { ?s bibo:doi ?id BIND(IRI(CONCAT("https://doi.org/", ?id)) AS ?record) }
    } ORDER BY ?s ?record""", infer=False)
    assert found == identifiers and len(found) > len(seed)


def test_the_import_modules_record_source_and_version(store: ox.Store):
    found = rows(store, """SELECT ?module ?source ?version {
        GRAPH graph:imports { ?module a owl:Ontology ; dcterms:source ?source ;
                              owl:versionInfo ?version } } ORDER BY ?module""")
    assert [(r["source"], r["version"]) for r in found] == [
        ("obo:eco.owl", "releases/2024-07-19"), ("obo:maxo.owl", "releases/2024-07-29"),
        ("obo:obi.owl", "2026-05-08"), ("obo:sepio.owl", "releases/2023-06-13"),
        ("obo:stato.owl", "RC1.4")]


def test_the_mapping_rdf_annotates_each_mapping_with_its_justification():
    graph = Graph().parse(data=export.export_mappings(MAPPINGS, "sssom-ttl"), format="turtle")
    sssom, owl = "https://w3id.org/sssom/", "http://www.w3.org/2002/07/owl#"
    axioms = set(graph.objects(None, URIRef(sssom + "mappings")))
    assert len(axioms) == 50
    for axiom in axioms:
        assert graph.value(axiom, URIRef(owl + "annotatedTarget")) is not None
        justification = graph.value(axiom, URIRef(sssom + "mapping_justification"))
        assert str(justification).startswith("https://w3id.org/semapv/vocab/")
