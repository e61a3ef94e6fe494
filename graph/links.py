"""The graph of external links: mappings to other ontologies, and records in PubMed, DOI and
ClinicalTrials.gov. Built from checked sources, or the build stops with file and reason.

- Every mapping row's subject is a term of ours, with the label the row gives it; an object
  in an import module has the label the row gives it.
- Every OBO term the ontology or the data uses has a registered prefix and a valid id, and
  is in the import module of its ontology when there is one.
- Publications link (schema:sameAs) to their PubMed and DOI IRIs, trials to their registry
  record, from the identifiers stated once in the data.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef

from graph.errors import SourceError, ValidationFailed
from graph.identifiers import IdentifierError, check_obo_iri, external_iri
from graph.load import Sources
from graph.mappings import skos_graph, sssom_graph
from graph.namespaces import BIBO, CRTKG, OBO, OWL, RDF, RDFS, SCHEMA, shorten

# Data properties that hold an external identifier -> the prefix it belongs to.
RECORD_IDENTIFIERS = {BIBO.pmid: "PMID", BIBO.doi: "doi", CRTKG.registryNumber: "clinicaltrials"}


def links_graph(sources: Sources) -> Graph:
    """The mappings graph: SKOS triples, the SSSOM set in RDF, and record links."""
    check_mapping_terms(sources)
    check_obo_terms(sources)
    graph = skos_graph(sources.mappings) + sssom_graph(sources.mappings)
    graph += record_links(sources)
    return graph


def check_mapping_terms(sources: Sources) -> None:
    """Subjects must be our terms and labels must agree with the terms' own labels."""
    ours = sources.ontology + sources.data
    problems = []
    for m in sources.mappings.mappings:
        where = f"{sources.mappings.path}:{m.line}: row {m.number}"
        labels = {str(label) for label in ours.objects(URIRef(m.subject), RDFS.label)}
        if not labels:
            problems.append(f"{where}: subject_id {m.row['subject_id']} is not a term of "
                            "the ontology or the data")
        elif m.row["subject_label"] not in labels:
            problems.append(f"{where}: subject_label {m.row['subject_label']!r} is not the "
                            f"label of {m.row['subject_id']} ({', '.join(sorted(labels))})")
        imported = {str(label) for label in sources.imports.objects(URIRef(m.object),
                                                                    RDFS.label)}
        if imported and m.row.get("object_label") and m.row["object_label"] not in imported:
            problems.append(f"{where}: object_label {m.row['object_label']!r} is not the "
                            f"label of {m.row['object_id']} in its import module "
                            f"({', '.join(sorted(imported))})")
    if problems:
        raise ValidationFailed("\n".join(problems), len(problems))


def check_obo_terms(sources: Sources) -> None:
    """Every OBO IRI in the ontology and data: valid id, and imported if its ontology is."""
    # A module's ontology IRI ends in /<ont>_import; its ontology's own prefix is <ONT>.
    imported_prefixes = {str(module).rsplit("/", 1)[-1].removesuffix("_import").upper()
                         for module in sources.imports.subjects(RDF.type, OWL.Ontology)}
    problems = []
    for graph in (sources.ontology, sources.data):
        for iri in sorted({t for triple in graph for t in triple
                           if isinstance(t, URIRef) and str(t).startswith(str(OBO))}):
            problems += _obo_problems(sources, iri, imported_prefixes)
    if problems:
        raise ValidationFailed("\n".join(problems), len(problems))


def _obo_problems(sources: Sources, iri: URIRef, imported_prefixes: set[str]) -> list[str]:
    file = sources.subject_files.get(iri) or _file_using(sources, iri)
    try:
        curie = check_obo_iri(str(iri))
    except IdentifierError as err:
        return [f"{file}: {err}"]
    prefix = curie.split(":")[0]
    if prefix in imported_prefixes and (iri, None, None) not in sources.imports:
        module = f"ontology/imports/{prefix.lower()}_import.ttl"
        return [f"{file}: {curie} ({shorten(str(iri))}) is not in {module}; add it to "
                f"{prefix.lower()}_terms.txt and run `crtkg imports refresh`"]
    return []


def _file_using(sources: Sources, iri: URIRef) -> Path | str:
    """The file of a statement that uses `iri` as its property or its value."""
    for graph in (sources.ontology, sources.data):
        for pattern in ((None, iri, None), (None, None, iri)):
            for subject, _, _ in graph.triples(pattern):
                if subject in sources.subject_files:
                    return sources.subject_files[subject]
    return "<unknown file>"


def record_links(sources: Sources) -> Graph:
    """schema:sameAs links from the identifiers in the data to the records' IRIs."""
    graph = Graph()
    for prop, prefix in RECORD_IDENTIFIERS.items():
        for subject, value in sorted(sources.data.subject_objects(prop)):
            try:
                iri = external_iri(prefix, str(value))
            except IdentifierError as err:
                file = sources.subject_files.get(subject, "<unknown file>")
                raise SourceError(file, f"{shorten(str(subject))} {shorten(str(prop))} "
                                        f"{Literal(value).n3()}: {err}") from err
            graph.add((subject, SCHEMA.sameAs, URIRef(iri)))
    return graph
