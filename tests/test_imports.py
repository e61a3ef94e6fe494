"""Import modules as a user meets them: the files `refresh` writes, its errors, the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from cli import main
from graph.errors import SourceError
from graph.imports import refresh
from graph.namespaces import DCTERMS, OBO, OBOINOWL, OWL, RDF, RDFS
from tests.helpers import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "obo"  # toy.obo and toy_terms.txt
RELEASES = ROOT.parent / "shared" / "ontologies"  # the real release files, beside the checkout
MODULE = URIRef("https://w3id.org/crtkg/ontology/imports/toy_import")
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
SEEDS = (FIXTURES / "toy_terms.txt").read_text()


def toy(n: int) -> URIRef:
    return OBO[f"TOY_{n:07d}"]


@pytest.fixture
def imports_dir(tmp_path: Path) -> Path:
    """A folder of seed files holding toy_terms.txt, as ontology/imports holds the real ones."""
    folder = tmp_path / "imports"
    folder.mkdir()
    shutil.copy(FIXTURES / "toy_terms.txt", folder)
    return folder


def read_module(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def test_refresh_writes_the_seeds_and_their_ancestors(imports_dir):
    [summary] = refresh(FIXTURES, imports_dir)
    assert (summary.name, summary.version, summary.seeds, summary.classes) == (
        "toy", "toy/2025-01-31", 2, 5)
    assert summary.module_file == imports_dir / "toy_import.ttl"
    module = read_module(summary.module_file)
    # Not TOY:0000005 (no ancestor of a seed), nor TOY:0000099 (a parent the file lacks).
    assert set(module.subjects(RDF.type, OWL.Class)) == {
        toy(4), toy(3), toy(2), toy(1), OBO.BFO_0000015}
    assert set(module.subject_objects(RDFS.subClassOf)) == {
        (toy(4), toy(3)), (toy(4), toy(99)), (toy(3), toy(2)), (toy(2), toy(1)),
        (toy(1), OBO.BFO_0000015)}
    assert module.value(toy(3), RDFS.label) == Literal("clinical trial", lang="en")
    assert module.value(toy(3), OBO.IAO_0000115) == Literal(
        'A clinical investigation that involves an "intervention".', lang="en")
    assert module.value(toy(2), OBO.IAO_0000115) is None
    assert set(module.objects(toy(1), OBOINOWL.hasExactSynonym)) == {Literal("study", lang="en")}


def test_the_module_header_says_where_it_comes_from(imports_dir):
    [summary] = refresh(FIXTURES, imports_dir)
    module = read_module(summary.module_file)
    assert set(module.subjects(RDF.type, OWL.Ontology)) == {MODULE}
    assert module.value(MODULE, DCTERMS.source) == OBO["toy.owl"]
    assert module.value(MODULE, OWL.versionInfo) == Literal("toy/2025-01-31")
    assert module.value(MODULE, DCTERMS.license) == CC_BY_4  # a string literal in the file
    comment = str(module.value(MODULE, RDFS.comment))
    assert comment.startswith("Extracted by `crtkg imports refresh` from toy.obo (SHA-256 ")
    assert "the terms of toy_terms.txt" in comment
    text = summary.module_file.read_text()
    assert "@prefix obo: <http://purl.obolibrary.org/obo/> ." in text and "ns1:" not in text


@pytest.mark.parametrize(("header", "version"), [
    ("data-version: toy/2025-01-31\nproperty_value: owl:versionInfo \"2025\" xsd:string",
     "toy/2025-01-31"),
    ("property_value: owl:versionInfo \"RC1.4\" xsd:string", "RC1.4"),  # as stato.obo has it
    ("", "unversioned"),
])
def test_the_version_is_the_data_version_else_the_version_info(tmp_path, imports_dir, header,
                                                                version):
    obo = "\n".join(line for line in (FIXTURES / "toy.obo").read_text().split("\n")
                    if not line.startswith(("data-version:", "property_value: owl:versionInfo")))
    (tmp_path / "toy.obo").write_text(obo.replace("ontology: toy", f"ontology: toy\n{header}"))
    [summary] = refresh(tmp_path, imports_dir)
    assert summary.version == version
    assert read_module(summary.module_file).value(MODULE, OWL.versionInfo) == Literal(version)


def test_refresh_again_is_byte_identical(imports_dir):
    [summary] = refresh(FIXTURES, imports_dir)
    first = summary.module_file.read_bytes()
    refresh(FIXTURES, imports_dir)
    assert summary.module_file.read_bytes() == first


def test_output_does_not_depend_on_the_hash_seed(tmp_path):
    """Set order varies with PYTHONHASHSEED between processes; the module must not."""
    outputs = []
    for seed in ("1", "2"):
        folder = tmp_path / seed / "ontology" / "imports"
        folder.mkdir(parents=True)
        shutil.copy(FIXTURES / "toy_terms.txt", folder)
        subprocess.run([sys.executable, "-m", "cli", "--root", str(tmp_path / seed),
                        "imports", "refresh", "--source", str(FIXTURES)],
                       check=True, capture_output=True, cwd=ROOT,
                       env={"PYTHONHASHSEED": seed, "PATH": ""})
        outputs.append((folder / "toy_import.ttl").read_bytes())
    assert outputs[0] == outputs[1]


# A bad line added to the seed file, and what the error says after "toy_terms.txt:LINE: ".
BAD_SEEDS = [
    ("TOY:0000404  # a typo", "TOY:0000404 is not in toy.obo"),
    ("TOY:0000099", "TOY:0000099 is not in toy.obo"),  # only named as a parent
    ("TOY:0000006  # old", "TOY:0000006 is obsolete in toy.obo; replaced by TOY:0000004 "
                           "(randomized clinical trial)"),
    ("TOY:0000007", "TOY:0000007 is obsolete in toy.obo; consider TOY:0000002 (clinical "
                    "investigation), TOY:0000005 (study arm)"),
    ("TOY:0000008", "TOY:0000008 is obsolete in toy.obo; the file names no replacement"),
    ("OBI:0003697  # clinical investigation",
     "OBI:0003697 is from another ontology: toy_terms.txt lists TOY terms only"),
    ("TOY:0000004 randomized clinical trial", "'TOY:0000004 randomized clinical trial' is not "
                                              "a CURIE like TOY:0000001 (a label goes after a #)"),
    ("randomized clinical trial", "'randomized clinical trial' is not a CURIE like TOY:0000001 "
                                  "(a label goes after a #)"),
]


@pytest.mark.parametrize(("line", "message"), BAD_SEEDS)
def test_a_bad_seed_names_its_file_and_line_and_writes_nothing(tmp_path, imports_dir, line,
                                                               message):
    [summary] = refresh(FIXTURES, imports_dir)
    before = summary.module_file.read_bytes()
    # Another module, which would extract fine, must not be written either.
    releases = tmp_path / "releases"
    releases.mkdir()
    for name in ("toy.obo", "bfo.obo"):
        shutil.copy(FIXTURES / "toy.obo", releases / name)
    (imports_dir / "bfo_terms.txt").write_text("BFO:0000015  # process\n")
    seed_file = imports_dir / "toy_terms.txt"
    seed_file.write_text(SEEDS + line + "\n")
    number = SEEDS.count("\n") + 1
    with pytest.raises(SourceError) as caught:
        refresh(releases, imports_dir)
    assert str(caught.value) == f"{seed_file}:{number}: {message}"
    assert summary.module_file.read_bytes() == before
    assert not (imports_dir / "bfo_import.ttl").exists()
    assert [p.name for p in imports_dir.iterdir() if p.name.startswith(".")] == []


def test_a_missing_release_file_is_named(tmp_path, imports_dir):
    with pytest.raises(SourceError) as caught:
        refresh(tmp_path / "nowhere", imports_dir)
    assert str(caught.value).startswith(f"{tmp_path / 'nowhere' / 'toy.obo'}: not found")


def test_an_obo_syntax_error_names_the_line_of_the_release(tmp_path, imports_dir):
    lines = (FIXTURES / "toy.obo").read_text().split("\n")
    number = lines.index("id: TOY:0000002") + 2
    lines.insert(number - 1, 'def: "never closed []')
    (tmp_path / "toy.obo").write_text("\n".join(lines))
    with pytest.raises(SourceError) as caught:
        refresh(tmp_path, imports_dir)
    assert str(caught.value).startswith(f"{tmp_path / 'toy.obo'}:{number}: OBO syntax error")


def test_an_empty_release_file_is_named_not_a_traceback(tmp_path, imports_dir):
    (tmp_path / "toy.obo").write_text("")
    with pytest.raises(SourceError) as caught:
        refresh(tmp_path, imports_dir)
    assert str(caught.value).startswith(f"{tmp_path / 'toy.obo'}: not an OBO file pronto can read")
    assert str(tmp_path / "toy.obo") not in str(caught.value).split(": ", 1)[1]  # no temp path


def test_a_release_with_a_byte_order_mark_reads_as_without(tmp_path, imports_dir):
    plain = refresh(FIXTURES, imports_dir)[0].module_file.read_bytes()
    (tmp_path / "toy.obo").write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "toy.obo").read_bytes())
    refresh(tmp_path, imports_dir)
    # Only the recorded SHA-256 of the release differs.
    assert [line for line in (imports_dir / "toy_import.ttl").read_bytes().split(b"\n")
            if b"SHA-256" not in line] == [line for line in plain.split(b"\n")
                                           if b"SHA-256" not in line]


OWL_RELEASE = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
         xmlns:owl="http://www.w3.org/2002/07/owl#"
         xmlns:obo="http://purl.obolibrary.org/obo/">
  <owl:Ontology rdf:about="http://purl.obolibrary.org/obo/owly.owl">
    <owl:versionIRI rdf:resource="http://purl.obolibrary.org/obo/owly/releases/2025-02-01/owly.owl"/>
  </owl:Ontology>
  <owl:Class rdf:about="http://purl.obolibrary.org/obo/OWLY_0000001">
    <rdfs:label xml:lang="en">statement</rdfs:label>
  </owl:Class>
  <owl:Class rdf:about="http://purl.obolibrary.org/obo/OWLY_0000002">
    <rdfs:label xml:lang="en">assertion</rdfs:label>
    <obo:IAO_0000115 xml:lang="en">A statement someone makes.</obo:IAO_0000115>
    <rdfs:subClassOf rdf:resource="http://purl.obolibrary.org/obo/OWLY_0000001"/>
  </owl:Class>
</rdf:RDF>
"""


def test_an_owl_release_is_read_where_there_is_no_obo_one(tmp_path):
    (tmp_path / "owly.owl").write_text(OWL_RELEASE)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "owly_terms.txt").write_text("OWLY:0000002  # assertion\n")
    [summary] = refresh(tmp_path, seeds)
    assert summary.source == tmp_path / "owly.owl" and summary.classes == 2
    module = read_module(summary.module_file)
    assert module.value(OBO.OWLY_0000002, RDFS.subClassOf) == OBO.OWLY_0000001
    assert module.value(OBO.OWLY_0000002, OBO.IAO_0000115) == Literal("A statement someone makes.",
                                                                      lang="en")
    assert module.value(OBO.OWLY_0000001, RDFS.label) == Literal("statement", lang="en")


def test_a_folder_without_seed_files_is_an_error(tmp_path):
    with pytest.raises(SourceError) as caught:
        refresh(FIXTURES, tmp_path)
    assert str(caught.value) == f"{tmp_path}: no <ont>_terms.txt seed files here"


@pytest.fixture
def toy_project(project_copy) -> Path:
    """A copy of the project whose ontology/imports holds only the toy seed file."""
    folder = project_copy.root / "ontology" / "imports"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    shutil.copy(FIXTURES / "toy_terms.txt", folder)
    return project_copy.root


@pytest.mark.parametrize("root_first", [False, True])
def test_cli_refresh_prints_a_line_per_module(toy_project, capsys, root_first):
    root = ["--root", str(toy_project)]
    command = ["imports", "refresh", "--source", str(FIXTURES)]
    assert main(root + command if root_first else command + root) == 0
    out, err = capsys.readouterr()
    written = toy_project.resolve() / "ontology" / "imports" / "toy_import.ttl"
    assert out == f"toy: version toy/2025-01-31, 2 seeds, 5 classes -> {written}\n"
    assert err == "" and written.is_file()


def test_cli_refresh_with_a_missing_release_file_fails_on_stderr(toy_project, tmp_path, capsys):
    status = main(["imports", "refresh", "--source", str(tmp_path / "nowhere"),
                   "--root", str(toy_project)])
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    assert err.startswith(f"crtkg: error: {tmp_path / 'nowhere' / 'toy.obo'}: not found")
    assert not (toy_project / "ontology" / "imports" / "toy_import.ttl").exists()


def test_committed_modules_are_what_refresh_makes_of_the_releases(tmp_path):
    if not RELEASES.is_dir():
        pytest.skip(f"the OBO release files are not at {RELEASES} (CI has them; a checkout "
                    "alone does not), so the committed modules cannot be regenerated here")
    committed = ROOT / "ontology" / "imports"
    for seed_file in committed.glob("*_terms.txt"):
        shutil.copy(seed_file, tmp_path)
    refresh(RELEASES, tmp_path)
    modules = sorted(committed.glob("*_import.ttl"))
    assert sorted(p.name for p in tmp_path.glob("*_import.ttl")) == [p.name for p in modules]
    for module in modules:
        assert (tmp_path / module.name).read_bytes() == module.read_bytes(), (
            f"{module.name} is stale: run `crtkg imports refresh --source {RELEASES}`")


# What ../shared/ontologies/README.md says of each release (STATO's header says "RC1.4").
COMMITTED = [
    ("obi", "2026-05-08", "http://creativecommons.org/licenses/by/4.0/"),
    ("eco", "releases/2024-07-19", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("maxo", "releases/2024-07-29", "https://creativecommons.org/licenses/by/4.0/"),
    ("stato", "RC1.4", "http://creativecommons.org/licenses/by/3.0/"),
    ("sepio", "releases/2023-06-13", "https://creativecommons.org/licenses/by/3.0/"),
]


@pytest.mark.parametrize(("name", "version", "license_iri"), COMMITTED)
def test_committed_module_headers(name, version, license_iri):
    module = read_module(ROOT / "ontology" / "imports" / f"{name}_import.ttl")
    iri = URIRef(f"https://w3id.org/crtkg/ontology/imports/{name}_import")
    assert module.value(iri, DCTERMS.source) == OBO[f"{name}.owl"]
    assert module.value(iri, OWL.versionInfo) == Literal(version)
    assert module.value(iri, DCTERMS.license) == URIRef(license_iri)


def test_the_obi_module_classes_trials_under_clinical_investigation():
    module = read_module(ROOT / "ontology" / "imports" / "obi_import.ttl")
    assert (OBO.OBI_0004001, RDFS.subClassOf, OBO.OBI_0003699) in module
    assert (OBO.OBI_0003699, RDFS.subClassOf, OBO.OBI_0003697) in module
    assert (OBO.OBI_0003698, RDFS.subClassOf, OBO.OBI_0003697) in module
    assert module.value(OBO.OBI_0003697, RDFS.label) == Literal("clinical investigation",
                                                                 lang="en")
    # OBI's own parents outside OBI come along: investigation is a (completely executed)
    # planned process. MAxO's
    # module, first by name of those with a definition of it, labels it for all of them.
    assert (OBO.COB_0000035, RDFS.subClassOf, OBO.COB_0000082) in module
    assert (OBO.COB_0000082, RDF.type, OWL.Class) in module
    assert union_of_modules().value(OBO.COB_0000082, RDFS.label) == Literal("planned process",
                                                                             lang="en")


def union_of_modules(folder: Path = ROOT / "ontology" / "imports") -> Graph:
    union = Graph()
    for path in sorted(folder.glob("*_import.ttl")):
        union += read_module(path)
    return union


def labels_of(union: Graph) -> dict[URIRef, set[Literal]]:
    """The labels of each class the modules state."""
    return {c: set(union.objects(c, RDFS.label)) for c in union.subjects(RDF.type, OWL.Class)}


def test_every_term_has_one_label_in_the_union_of_the_committed_modules():
    labels = labels_of(union_of_modules())
    assert {c: ls for c, ls in labels.items() if len(ls) != 1} == {}
    # OBI's release and IAO call it so; SEPIO's release says "information".
    assert labels[OBO.IAO_0000030] == {Literal("information content entity", lang="en")}
    definitions = {c: set(union_of_modules().objects(c, OBO.IAO_0000115)) for c in labels}
    assert {c: ds for c, ds in definitions.items() if len(ds) > 1} == {}


ALPHA = """format-version: 1.2
data-version: alpha/2025-02-01
ontology: alpha

[Term]
id: BFO:0000015
name: processual entity

[Term]
id: TOY:0000001
name: inquiry
is_a: BFO:0000015

[Term]
id: ALPHA:0000001
name: trial registry entry
is_a: TOY:0000001
"""


def test_a_term_two_modules_reach_is_described_by_one(tmp_path, imports_dir):
    """Its own ontology's module describes it; else one with a definition; the other
    module keeps the class and its is_a edges, without label, definition or synonyms."""
    releases = tmp_path / "releases"
    releases.mkdir()
    shutil.copy(FIXTURES / "toy.obo", releases)
    (releases / "alpha.obo").write_text(ALPHA)
    (imports_dir / "alpha_terms.txt").write_text("ALPHA:0000001  # trial registry entry\n")
    refresh(releases, imports_dir)
    alpha = read_module(imports_dir / "alpha_import.ttl")
    union = union_of_modules(imports_dir)
    assert {c: {str(label) for label in ls} for c, ls in labels_of(union).items()} == {
        OBO.ALPHA_0000001: {"trial registry entry"},
        toy(1): {"investigation"},  # TOY's own, though alpha comes first by name
        OBO.BFO_0000015: {"process"},  # toy.obo defines it, alpha.obo does not
        toy(2): {"clinical investigation"}, toy(3): {"clinical trial"},
        toy(4): {"randomized clinical trial"}}
    assert set(alpha.predicate_objects(toy(1))) == {(RDF.type, OWL.Class),
                                                   (RDFS.subClassOf, OBO.BFO_0000015)}
    assert set(alpha.predicate_objects(OBO.BFO_0000015)) == {(RDF.type, OWL.Class)}
    assert set(union.objects(toy(1), OBOINOWL.hasExactSynonym)) == {Literal("study", lang="en")}
