"""The compiled SHACL validator (graph/shacl.py) against pyshacl, its reference: the same
violations of the project's data, of a scale-up, of data broken in every way the shapes
forbid, and under shapes that use the compiled constraints in other ways; and a shape the
compiler cannot compile stops the build, naming the shapes file, the shape and the term."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph.artifact import build
from graph.checks import checked_store
from graph.errors import SourceError
from graph.load import SourcePaths, Sources, load_sources
from graph.namespaces import CRTKG, DCTERMS, FABIO, KG, OBO, PROV, RDF, RDFS, SH, XSD, shorten
from graph.shacl import shape_results, sparql_path
from tests.helpers import ROOT

# (focus, path, value, severity, component, message): the message only where a shape gives
# one (sh:message), as the two validators word their default messages differently.
Result = tuple[Node, str | None, Node | None, str, str, str | None]
BLANK = BNode("blank")  # stands for any blank node: each validator names its own


@pytest.fixture(scope="module")
def sources() -> Sources:
    return load_sources(SourcePaths(ROOT))


def given_messages(shapes: Graph) -> set[str]:
    return {str(m) for m in shapes.objects(None, SH.message)}


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BLANK
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = None if term.datatype == ox.NamedNode(str(XSD.string)) else term.datatype.value
    return Literal(term.value, datatype=datatype)


def compiled(data: Graph, ontology: Graph, shapes: Graph) -> set[Result]:
    """What graph/shacl.py reports of data + ontology, on the store the build gives it."""
    given = given_messages(shapes)
    return {(rdflib_term(r.focus), r.path, rdflib_term(r.value), "sh:Violation",
             shorten(r.component), r.message if r.message in given else None)
            for r in shape_results(checked_store(data, ontology), shapes, "shapes.ttl")}


def reference(data: Graph, ontology: Graph, shapes: Graph) -> set[Result]:
    """What pyshacl reports of data + ontology, as the build ran it before graph/shacl.py."""
    _, report, _ = pyshacl_validate(data + ontology, shacl_graph=shapes, inference="none",
                                    allow_warnings=True)
    given = given_messages(shapes)
    results = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path, value = report.value(result, SH.resultPath), report.value(result, SH.value)
        message = str(report.value(result, SH.resultMessage))
        results.add((report.value(result, SH.focusNode),
                     None if path is None else sparql_path(report, path),
                     BLANK if isinstance(value, BNode) else value,
                     shorten(report.value(result, SH.resultSeverity)),
                     shorten(report.value(result, SH.sourceConstraintComponent)),
                     message if message in given else None))
    return results


def test_the_project_data_conforms_for_both(sources: Sources):
    assert compiled(sources.data, sources.ontology, sources.shapes) == set()
    assert reference(sources.data, sources.ontology, sources.shapes) == set()


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    """bench/scale.py's scale-up with 20 synthetic studies."""
    from bench.scale import write_root

    root = tmp_path_factory.mktemp("scale")
    write_root(root, 20, 2016)
    return load_sources(SourcePaths(root))


def test_a_scale_up_conforms_for_both(scaled: Sources):
    assert len(scaled.data) > 5000
    assert compiled(scaled.data, scaled.ontology, scaled.shapes) == set()
    assert reference(scaled.data, scaled.ontology, scaled.shapes) == set()


@pytest.mark.parametrize("graph", ["project", "scale-up"])
def test_data_missing_every_seventh_triple_gives_the_same_violations(
        sources: Sources, scaled: Sources, graph: str):
    # Broken everywhere at once: labels, links, quotes, types, list cells, in no chosen way.
    chosen = sources if graph == "project" else scaled
    data = Graph()
    for n, triple in enumerate(sorted(chosen.data)):
        if n % 7:
            data.add(triple)
    ours = compiled(data, chosen.ontology, chosen.shapes)
    assert ours == reference(data, chosen.ontology, chosen.shapes)
    assert len({r[4] for r in ours}) >= 6


@dataclass
class Break:
    """Triples to take out of the data (None: any object) and to put in, and what breaks:
    (focus, constraint component) pairs, each of which both validators must report."""

    remove: list[tuple[Node, Node, Node | None]] = field(default_factory=list)
    add: list[tuple[Node, Node, Node]] = field(default_factory=list)
    breaks: set[tuple[str, str]] = field(default_factory=set)


PROSPECT, STUDY_ARTICLE = KG.prospect, KG["prospect-article"]
QUOTED, DERIVED = KG["echocrt-primary-result"], KG["prospect-modest-prediction"]
RANKED, EVIDENCE = KG["rec-echo-patient-selection"], KG["evidence-echocrt-results"]
STATEMENT, VALUE = KG["history-concept-change"], KG["prospect-enrolled"]
ECO_TYPE = (EVIDENCE, RDF.type, OBO.ECO_0000180)

BREAKS = {
    "a study without a label (a subclass of a target class)": Break(
        remove=[(PROSPECT, RDFS.label, None)],
        breaks={("kg:prospect", "sh:MinCountConstraintComponent")}),
    "an empty label": Break(
        remove=[(PROSPECT, RDFS.label, None)], add=[(PROSPECT, RDFS.label, Literal(""))],
        breaks={("kg:prospect", "sh:MinLengthConstraintComponent")}),
    "a new trial with nothing but its type": Break(
        add=[(KG.bare, RDF.type, CRTKG.RandomizedControlledTrial)],
        breaks={("kg:bare", "sh:MinCountConstraintComponent")}),
    "two quotes": Break(
        add=[(QUOTED, CRTKG.quote, Literal("A second sentence of the abstract."))],
        breaks={("kg:echocrt-primary-result", "sh:MaxCountConstraintComponent")}),
    "a short quote in a language": Break(
        remove=[(QUOTED, CRTKG.quote, None)], add=[(QUOTED, CRTKG.quote, Literal("CRT", lang="en"))],
        breaks={("kg:echocrt-primary-result", "sh:DatatypeConstraintComponent"),
                ("kg:echocrt-primary-result", "sh:MinLengthConstraintComponent")}),
    "quoted from a study, not a document": Break(
        remove=[(QUOTED, PROV.wasQuotedFrom, None)],
        add=[(QUOTED, PROV.wasQuotedFrom, KG.echocrt)],
        breaks={("kg:echocrt-primary-result", "sh:ClassConstraintComponent")}),
    "quoted from two documents": Break(
        add=[(QUOTED, PROV.wasQuotedFrom, KG["stankovic-interview"])],
        breaks={("kg:echocrt-primary-result", "sh:MaxCountConstraintComponent")}),
    "no evidence line": Break(
        remove=[(STATEMENT, CRTKG.supportedBy, None)],
        breaks={("kg:history-concept-change", "sh:MinCountConstraintComponent")}),
    "supported by a study, not an evidence line": Break(
        add=[(STATEMENT, CRTKG.supportedBy, PROSPECT)],
        breaks={("kg:history-concept-change", "sh:ClassConstraintComponent")}),
    "no quote and nothing derived (xone: neither)": Break(
        remove=[(STATEMENT, CRTKG.quote, None)],
        breaks={("kg:history-concept-change", "sh:XoneConstraintComponent")}),
    "a quote without its document (xone: neither)": Break(
        remove=[(QUOTED, PROV.wasQuotedFrom, None)],
        breaks={("kg:echocrt-primary-result", "sh:XoneConstraintComponent")}),
    "derived, read in a literal (xone: a member's nodeKind)": Break(
        remove=[(DERIVED, DCTERMS.source, None)],
        add=[(DERIVED, DCTERMS.source, Literal("PubMed"))],
        breaks={("kg:prospect-modest-prediction", "sh:XoneConstraintComponent")}),
    "a quoted claim that also says what it was derived from conforms": Break(
        add=[(QUOTED, PROV.wasDerivedFrom, KG["echocrt-article"]),
             (QUOTED, DCTERMS.source, URIRef("https://pubmed.ncbi.nlm.nih.gov/"))]),
    "a force without its words (sparql)": Break(
        add=[(RANKED, CRTKG.force, CRTKG.HedgedForce)],
        breaks={("kg:rec-echo-patient-selection", "sh:SPARQLConstraintComponent")}),
    "a rank without its words (sparql, or)": Break(
        remove=[(RANKED, CRTKG.statedRank, None)],
        breaks={("kg:rec-echo-patient-selection", "sh:SPARQLConstraintComponent"),
                ("kg:rec-echo-patient-selection", "sh:OrConstraintComponent")}),
    "a force on an evidence line (targetSubjectsOf)": Break(
        add=[(EVIDENCE, CRTKG.force, CRTKG.ShouldForce)],
        breaks={("kg:evidence-echocrt-results", "sh:SPARQLConstraintComponent")}),
    "a force that is not one, twice": Break(
        add=[(RANKED, CRTKG.force, PROSPECT), (RANKED, CRTKG.force, CRTKG.HedgedForce),
             (RANKED, CRTKG.statedForce, Literal("should"))],
        breaks={("kg:rec-echo-patient-selection", "sh:ClassConstraintComponent"),
                ("kg:rec-echo-patient-selection", "sh:MaxCountConstraintComponent")}),
    "ranks that are not integers": Break(
        remove=[(RANKED, CRTKG.rankAmongOptions, None)],
        add=[(RANKED, CRTKG.rankAmongOptions, Literal("first")),
             (RANKED, CRTKG.rankAmongOptions, Literal("1.5", datatype=XSD.integer))],
        breaks={("kg:rec-echo-patient-selection", "sh:DatatypeConstraintComponent")}),
    "a year that is a plain string": Break(
        add=[(RANKED, CRTKG.statedYear, Literal("2013"))],
        breaks={("kg:rec-echo-patient-selection", "sh:DatatypeConstraintComponent")}),
    "an evidence line without an ECO class (qualifiedMinCount)": Break(
        remove=[ECO_TYPE],
        breaks={("kg:evidence-echocrt-results", "sh:QualifiedMinCountConstraintComponent")}),
    "an ECO class IRI of the wrong pattern (qualified: pattern)": Break(
        remove=[ECO_TYPE], add=[(EVIDENCE, RDF.type, OBO.ECO_180)],
        breaks={("kg:evidence-echocrt-results", "sh:QualifiedMinCountConstraintComponent")}),
    "an evidence line from nowhere": Break(
        remove=[(EVIDENCE, CRTKG.evidenceFrom, None)],
        breaks={("kg:evidence-echocrt-results", "sh:MinCountConstraintComponent")}),
    "a finding no study reports (inverse alternative path)": Break(
        remove=[(PROSPECT, CRTKG.reportsFinding, KG["prospect-variability"])],
        breaks={("kg:prospect-variability", "sh:MinCountConstraintComponent")}),
    "a finding only a primary finding conforms (the other alternative)": Break(
        remove=[(PROSPECT, CRTKG.reportsFinding, DERIVED)]),
    "a finding from no source nor event (or)": Break(
        remove=[(DERIVED, PROV.hadPrimarySource, None)],
        breaks={("kg:prospect-modest-prediction", "sh:OrConstraintComponent")}),
    "a finding presented at a study (or: a member's class)": Break(
        remove=[(DERIVED, PROV.hadPrimarySource, None)],
        add=[(DERIVED, CRTKG.presentedAt, PROSPECT)],
        breaks={("kg:prospect-modest-prediction", "sh:OrConstraintComponent")}),
    "a finding presented at an event conforms": Break(
        remove=[(DERIVED, PROV.hadPrimarySource, None)],
        add=[(DERIVED, CRTKG.presentedAt, KG["esc-congress-2007"])]),
    "a finding from a study, not its publication": Break(
        add=[(DERIVED, PROV.hadPrimarySource, PROSPECT)],
        breaks={("kg:prospect-modest-prediction", "sh:ClassConstraintComponent")}),
    "a finding without a direction": Break(
        remove=[(DERIVED, CRTKG.direction, None)],
        breaks={("kg:prospect-modest-prediction", "sh:MinCountConstraintComponent")}),
    "a statement by an organisation": Break(
        remove=[(STATEMENT, CRTKG.statedBy, None)],
        add=[(STATEMENT, CRTKG.statedBy, KG.medtronic)],
        breaks={("kg:history-concept-change", "sh:ClassConstraintComponent")}),
    "a study's source is a literal (nodeKind), two registry numbers": Break(
        add=[(PROSPECT, DCTERMS.source, Literal("ClinicalTrials.gov")),
             (PROSPECT, CRTKG.registryNumber, Literal("NCT00000000"))],
        breaks={("kg:prospect", "sh:NodeKindConstraintComponent"),
                ("kg:prospect", "sh:MaxCountConstraintComponent")}),
    "a study published as an interview": Break(
        remove=[(PROSPECT, CRTKG.hasPublication, None)],
        add=[(PROSPECT, CRTKG.hasPublication, KG["stankovic-interview"])],
        breaks={("kg:prospect", "sh:ClassConstraintComponent")}),
    "two publication years and two DOIs": Break(
        add=[(STUDY_ARTICLE, FABIO.hasPublicationYear, Literal("2009", datatype=XSD.gYear)),
             (STUDY_ARTICLE, URIRef("http://purl.org/ontology/bibo/doi"), Literal("10.1/x"))],
        breaks={("kg:prospect-article", "sh:MaxCountConstraintComponent")}),
    "a reported value with no value, two statistics": Break(
        remove=[(VALUE, CRTKG.value, None)],
        add=[(VALUE, CRTKG.statistic, PROSPECT)],
        breaks={("kg:prospect-enrolled", "sh:OrConstraintComponent"),
                ("kg:prospect-enrolled", "sh:MaxCountConstraintComponent"),
                ("kg:prospect-enrolled", "sh:ClassConstraintComponent")}),
    "a reported number without its text, with two, with a number for text": Break(
        remove=[(KG["echocrt-primary-hr"], CRTKG.reportedText, None),
                (KG["companion-crt-d-hr"], CRTKG.reportedText, None)],
        add=[(VALUE, CRTKG.reportedText, Literal("427")),
             (KG["companion-crt-d-hr"], CRTKG.reportedText, Literal("0.80", datatype=XSD.decimal))],
        breaks={("kg:echocrt-primary-hr", "sh:SPARQLConstraintComponent"),
                ("kg:prospect-enrolled", "sh:SPARQLConstraintComponent"),
                ("kg:companion-crt-d-hr", "sh:SPARQLConstraintComponent")}),
    "a reported number whose text says another number": Break(
        remove=[(KG["echocrt-primary-hr"], CRTKG.reportedText, None)],
        add=[(KG["echocrt-primary-hr"], CRTKG.reportedText, Literal("1.02"))],
        breaks={("kg:echocrt-primary-hr", "sh:SPARQLConstraintComponent")}),
}


@pytest.mark.parametrize("name", BREAKS)
def test_broken_data_gives_the_same_violations(sources: Sources, name: str):
    case = BREAKS[name]
    data = Graph() + sources.data
    for triple in case.remove:
        assert triple in data, f"{triple} is not in the data"
        data.remove(triple)
    for triple in case.add:
        data.add(triple)
    ours = compiled(data, sources.ontology, sources.shapes)
    assert ours == reference(data, sources.ontology, sources.shapes)
    assert case.breaks <= {(shorten(str(r[0])), r[4]) for r in ours}
    assert bool(ours) == bool(case.breaks)  # a case that breaks nothing conforms


# The compiled constraints used as the project's shapes do not use them: each shape here
# fails on the project's data (but ex:Conforms), so both validators have work to agree on.
OTHER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/shape/> .
@prefix crtkg: <https://w3id.org/crtkg/ontology/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .

ex:BothAlternatives a sh:NodeShape ; sh:targetClass crtkg:Finding ;
    sh:xone ( [ sh:path rdfs:label ; sh:minCount 1 ] [ sh:path crtkg:direction ; sh:minCount 1 ]
              [ sh:path crtkg:nothing ; sh:minCount 1 ] ) .
ex:NestedLogic a sh:NodeShape ; sh:targetClass crtkg:Claim ;
    sh:or ( [ sh:xone ( [ sh:path crtkg:quote ; sh:minCount 1 ]
                        [ sh:path crtkg:force ; sh:minCount 1 ] ) ]
            [ sh:property [ sh:path crtkg:aboutModality ; sh:minCount 2 ] ] ) .
ex:Counts a sh:NodeShape ; sh:targetClass crtkg:ClinicalStudy ;
    sh:property [ sh:path crtkg:reportsFinding ; sh:minCount 2 ; sh:maxCount 3 ] ,
                [ sh:path crtkg:sponsor ; sh:maxCount 0 ] ,
                [ sh:path [ sh:inversePath crtkg:aboutStudy ] ; sh:minCount 1 ;
                  sh:class crtkg:Finding ] ,
                [ sh:path rdf:type ; sh:maxCount 1 ] .
ex:Words a sh:NodeShape ; sh:targetSubjectsOf rdfs:label ;
    sh:property [ sh:path rdfs:label ; sh:pattern "^[a-z]" ; sh:flags "i" ;
                  sh:datatype rdf:langString ; sh:minLength 30 ;
                  sh:message "labels start with a letter, in a language, 30 long" ] .
ex:Kinds a sh:PropertyShape ; sh:targetClass crtkg:Finding ;
    sh:path [ sh:alternativePath ( prov:hadPrimarySource crtkg:aboutStudy
                                   [ sh:inversePath crtkg:primaryFinding ] ) ] ;
    sh:nodeKind sh:Literal ; sh:qualifiedValueShape [ sh:class crtkg:ClinicalStudy ] ;
    sh:qualifiedMinCount 2 .
ex:ThisClass a sh:NodeShape ; sh:targetSubjectsOf crtkg:direction ;
    sh:class crtkg:Recommendation ; sh:nodeKind sh:BlankNodeOrIRI .
ex:Harm a sh:NodeShape ; sh:targetClass crtkg:Claim ;
    sh:sparql [ sh:select \"\"\"SELECT $this ?value WHERE {
        $this <https://w3id.org/crtkg/ontology/direction> ?value .
        FILTER(?value = <https://w3id.org/crtkg/ontology/PossibleHarm>) }\"\"\" ] .
ex:Conforms a sh:NodeShape ; sh:targetClass crtkg:Person ;
    sh:property [ sh:path rdfs:label ; sh:minCount 0 ; sh:maxCount 1 ; sh:nodeKind sh:Literal ] .
"""


def test_other_uses_of_the_compiled_constraints_give_the_same_violations(sources: Sources):
    shapes = Graph().parse(data=OTHER_SHAPES, format="turtle")
    ours = compiled(sources.data, sources.ontology, shapes)
    assert ours == reference(sources.data, sources.ontology, shapes)
    assert {r[4] for r in ours} == {f"sh:{c}ConstraintComponent" for c in (
        "MinCount", "MaxCount", "Class", "Datatype", "NodeKind", "MinLength", "Pattern", "Or",
        "Xone", "QualifiedMinCount", "SPARQL")}


def test_an_ill_typed_literal_violates_its_datatype(sources: Sources):
    # SHACL says so for every datatype SPARQL knows; pyshacl knows only those rdflib parses
    # (not xsd:gYear), so here the compiled validator is stricter than its reference.
    data = Graph() + sources.data
    data.add((KG["rec-echo-patient-selection"], CRTKG.statedYear,
              Literal("20x3", datatype=XSD.gYear)))
    assert {r[4] for r in compiled(data, sources.ontology, sources.shapes)} == {
        "sh:DatatypeConstraintComponent"}


@pytest.mark.parametrize(("constraint", "named"), [
    ("sh:property [ sh:path crtkg:direction ; sh:hasValue crtkg:Benefit ]", "sh:hasValue"),
    ("sh:node shape:Labelled", "sh:node"),
    ("sh:property [ sh:path [ sh:zeroOrMorePath rdfs:subClassOf ] ; sh:minCount 1 ]",
     "the path sh:zeroOrMorePath"),
    ("sh:property [ sh:path [ sh:inversePath [ sh:oneOrMorePath crtkg:x ] ] ; sh:minCount 1 ]",
     "the path sh:oneOrMorePath"),
    ("sh:property [ sh:path ( crtkg:statedBy rdfs:label ) ; sh:minCount 1 ]",
     "the path a sequence path"),
    ("sh:severity sh:Warning ; sh:property [ sh:path rdfs:label ; sh:minCount 1 ]",
     "sh:severity"),
    ("sh:property [ sh:path rdfs:label ; sh:qualifiedValueShape [ sh:datatype rdf:langString ] ;"
     " sh:qualifiedMaxCount 1 ]", "sh:qualifiedMaxCount"),
    ("sh:sparql [ sh:prefixes shape: ; sh:select 'SELECT $this WHERE { }' ]", "sh:prefixes"),
    ("sh:or ( [ sh:sparql [ sh:select 'SELECT $this WHERE { }' ] ] )", "sh:sparql in a shape"),
    ("sh:sparql [ sh:select 'SELECT ?x WHERE { $this a ?x }' ]", "does not select $this"),
    ("sh:sparql [ sh:select 'SELECT $this WHERE { $this a ' ]", "sh:select: "),
    ("sh:minCount 1", "sh:minCount of a node shape"),
    ("sh:property [ sh:path rdfs:label ; sh:minCount 'one' ]",
     "sh:minCount must be a non-negative integer, not 'one'"),
    ("sh:property [ sh:path rdfs:label ; sh:pattern '^(?=a)' ]",
     'sh:pattern "^(?=a)" (sh:flags "") is no regular expression Oxigraph runs'),
    ("sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:message '{$this} needs a label' ]",
     "an sh:message with {?variable} or {$variable} in it is not supported"),
])
def test_an_unsupported_shape_stops_the_build_naming_it(
        project_copy: SourcePaths, tmp_path: Path, constraint: str, named: str):
    shapes = project_copy.shapes_file
    shapes.write_text(shapes.read_text() + f"\nshape:Extra a sh:NodeShape ; "
                      f"sh:targetClass crtkg:Claim ; {constraint} .\n")
    with pytest.raises(SourceError) as caught:
        build(project_copy, tmp_path / "crtkg.nq")
    assert Path(caught.value.file).name == "shapes.ttl"
    assert caught.value.reason.startswith("shape shape:Extra")
    assert named in caught.value.reason
