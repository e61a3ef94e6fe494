"""The build: deterministic, reused when nothing changed, and safe on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import load
from graph.artifact import build, read_header
from graph.errors import ReasoningFailed, SourceError, ValidationFailed
from graph.load import SourcePaths
from tests.helpers import failed_build, good_build, line_of


def test_same_sources_give_a_byte_identical_artifact(project_copy: SourcePaths, tmp_path: Path):
    first, second = tmp_path / "a.nq", tmp_path / "b.nq"
    build(project_copy, first, force=True)
    build(project_copy, second, force=True)
    assert first.read_bytes() == second.read_bytes()


def test_unchanged_sources_reuse_the_artifact(project_copy: SourcePaths, tmp_path: Path):
    artifact = tmp_path / "crtkg.nq"
    fresh = build(project_copy, artifact)
    assert not fresh.reused and "Built" in fresh.text()
    before = artifact.stat().st_mtime_ns
    again = build(project_copy, artifact)
    assert again.reused
    assert again.text().startswith("Up to date: no source changed since the last build")
    assert again.triples == fresh.triples and again.trimmed == fresh.trimmed
    assert artifact.stat().st_mtime_ns == before
    # Any change to a source makes the next build a real one.
    data = project_copy.data_dir / "concepts.ttl"
    data.write_text(data.read_text() + "\n# a comment\n")
    assert not build(project_copy, artifact).reused


def test_a_new_release_of_a_build_library_makes_the_next_build_a_real_one(
        project_copy: SourcePaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    artifact = tmp_path / "crtkg.nq"
    build(project_copy, artifact)
    assert build(project_copy, artifact).reused
    real = load.metadata.version
    monkeypatch.setattr(load.metadata, "version",
                        lambda name: "99.0" if name == "pyoxigraph" else real(name))
    assert not build(project_copy, artifact).reused


def test_summary_names_every_graph_and_the_trimmed_count(built):
    text = built.text()
    for name in ("ontology", "data", "inferred", "total", "trimmed"):
        assert name in text
    assert read_header(built.artifact).triples == built.triples


def test_malformed_turtle_names_file_line_and_column(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    broken = project_copy.data_dir / "concepts.ttl"
    lines = broken.read_text().splitlines()
    lines[9] = 'kg:broken a crtkg:ImagingModality ; rdfs:label "unterminated .'
    broken.write_text("\n".join(lines) + "\n")
    err = failed_build(project_copy, artifact, good, SourceError)
    assert err.file == str(broken)
    assert err.line == 10 and err.column is not None
    assert str(err).startswith(f"{broken}:10:")


def test_shacl_violation_gives_a_readable_report(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    claims = project_copy.data_dir / "claims.ttl"
    text = claims.read_text()
    # Remove the sentence of one claim and give a publication a second DOI.
    text = text.replace('crtkg:quote "Since then, the whole concept has changed and novel '
                        'parameters have emerged." ;', "")
    claims.write_text(text)
    sources = project_copy.data_dir / "sources.ttl"
    sources.write_text(sources.read_text().replace('"10.1161/CIRCULATIONAHA.107.743120"',
                                                   '"10.1161/CIRCULATIONAHA.107.743120", '
                                                   '"10.1161/second"'))
    error = failed_build(project_copy, artifact, good, ValidationFailed)
    # One sorted report, a line each: file:line: focus: [property:] message.
    assert error.report.splitlines() == [
        f"{claims}:{line_of(claims, 'kg:history-concept-change')}: kg:history-concept-change: "
        "a claim needs its quote and the document it was quoted from, or, with no quote, what "
        "it was derived from (prov:wasDerivedFrom) and where it was read (dcterms:source)",
        f"{sources}:{line_of(sources, 'kg:prospect-article')}: kg:prospect-article: bibo:doi: "
        "a publication has at most one DOI (its syntax is checked against the bioregistry)"]
    assert error.count == 2


def test_a_quote_not_in_its_source_text_fails(project_copy, tmp_path):
    claims = project_copy.data_dir / "claims.ttl"
    claims.write_text(claims.read_text().replace(
        "There was subsequently a huge decline", "There was then a huge decline"))
    with pytest.raises(ValidationFailed) as caught:
        build(project_copy, tmp_path / "crtkg.nq")
    assert (f"{claims}:{line_of(claims, 'kg:history-publication-decline')}: "
            "kg:history-publication-decline: crtkg:quote is not in the text of "
            "kg:stankovic-interview") in caught.value.report


def test_two_publication_years_break_a_shape(project_copy, tmp_path):
    # The interview's 2009 must not become a second year of the article.
    sources = project_copy.data_dir / "sources.ttl"
    sources.write_text(sources.read_text().replace(
        'fabio:hasPublicationYear "2008"^^xsd:gYear ;',
        'fabio:hasPublicationYear "2008"^^xsd:gYear, "2009"^^xsd:gYear ;'))
    with pytest.raises(ValidationFailed) as caught:
        build(project_copy, tmp_path / "crtkg.nq")
    assert "kg:prospect-article: fabio:hasPublicationYear: a publication has at most one " \
           "publication year" in caught.value.report


def test_an_inconsistency_found_by_the_reasoner_fails_the_build(project_copy, tmp_path):
    artifact, good = good_build(project_copy, tmp_path)
    (project_copy.data_dir / "zz-inconsistent.ttl").write_text(
        "@prefix crtkg: <https://w3id.org/crtkg/ontology/> .\n"
        "@prefix kg: <https://w3id.org/crtkg/id/> .\n"
        "kg:rec-mri-scar a crtkg:Finding .\n")  # a Finding is disjoint with an ExpertStatement
    error = failed_build(project_copy, artifact, good, (ReasoningFailed, ValidationFailed))
    assert "rec-mri-scar" in str(error)


def test_reasoner_inconsistency_is_reported(project_copy, tmp_path):
    # Disjoint classes on a node no shape targets: only the reasoner can catch it.
    (project_copy.data_dir / "zz-inconsistent.ttl").write_text(
        "@prefix crtkg: <https://w3id.org/crtkg/ontology/> .\n"
        "@prefix kg: <https://w3id.org/crtkg/id/> .\n"
        "kg:someone a crtkg:Person ; a crtkg:Organisation .\n"
        "kg:someone <http://www.w3.org/2000/01/rdf-schema#label> \"someone\" .\n")
    with pytest.raises(ReasoningFailed) as caught:
        build(project_copy, tmp_path / "crtkg.nq")
    assert any("disjoint" in m.lower() and "someone" in m for m in caught.value.messages)


def test_missing_sources_are_named(tmp_path):
    with pytest.raises(SourceError) as caught:
        build(SourcePaths(tmp_path), tmp_path / "crtkg.nq")
    assert "crtkg.ttl: not found" in str(caught.value)


def test_the_benchmarks_scale_up_builds(tmp_path):
    # bench/scale.py's synthetic studies pass every check the real data must (shapes,
    # quotes, text anchors, integrity checks), so the benchmarks measure a real build.
    from bench.scale import HARM_FINDINGS, write_root

    write_root(tmp_path, HARM_FINDINGS, 2016)
    summary = build(SourcePaths(tmp_path), tmp_path / "crtkg.nq", force=True)
    assert summary.triples["data"] > 4000 and summary.triples["inferred"] > 3000
