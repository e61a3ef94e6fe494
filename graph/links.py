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
from graph.identifiers import OBO_IRI, IdentifierError, check_obo_iri, external_iri
from graph.load import Sources
from graph.mappings import Mapping, skos_graph, sssom_graph
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
    """Subjects must be our terms, with their labels; an object from an ontology we import
    must be in its module, with its label."""
    imported = imported_prefixes(sources)
    problems = []
    for m in sources.mappings.mappings:
        where = f"{sources.mappings.path}:{m.line}: row {m.number}"
        labels = {str(label) for graph in (sources.ontology, sources.data)
                  for label in graph.objects(URIRef(m.subject), RDFS.label)}
        if not labels:
            problems.append(f"{where}: subject_id {m.row['subject_id']} is not a term of "
                            "the ontology or the data")
        elif m.row["subject_label"] not in labels:
            problems.append(f"{where}: subject_label {m.row['subject_label']!r} is not the "
                            f"label of {m.row['subject_id']} ({', '.join(sorted(labels))})")
        problems += [f"{where}: object_id {p}" for p in _object_problems(sources, m, imported)]
    if problems:
        raise ValidationFailed("\n".join(problems), len(problems))


def _object_problems(sources: Sources, m: Mapping, imported: set[str]) -> list[str]:
    match = OBO_IRI.match(m.object)
    if match is None or match[1] not in imported:
        return []
    curie = f"{match[1]}:{match[2]}"
    labels = {str(label) for label in sources.imports.objects(URIRef(m.object), RDFS.label)}
    if not labels:
        return [_not_imported(curie)]
    if m.row.get("object_label") and m.row["object_label"] not in labels:
        return [f"{curie}: object_label {m.row['object_label']!r} is not its label in "
                f"its import module ({', '.join(sorted(labels))})"]
    return []


def imported_prefixes(sources: Sources) -> set[str]:
    """The prefixes of the ontologies with an import module (OBI for obi_import, …)."""
    # A module's ontology IRI ends in /<ont>_import; its ontology's own prefix is <ONT>.
    return {str(module).rsplit("/", 1)[-1].removesuffix("_import").upper()
            for module in sources.imports.subjects(RDF.type, OWL.Ontology)}


def _not_imported(curie: str) -> str:
    name = curie.split(":")[0].lower()
    return (f"{curie} is not in ontology/imports/{name}_import.ttl; add it to "
            f"{name}_terms.txt and run `crtkg imports refresh`")


def check_obo_terms(sources: Sources) -> None:
    """Every OBO IRI in the ontology and data: valid id, and imported if its ontology is."""
    imported = imported_prefixes(sources)
    problems = []
    for graph in (sources.ontology, sources.data):
        for iri in sorted({t for triple in graph for t in triple
                           if isinstance(t, URIRef) and str(t).startswith(str(OBO))}):
            problems += _obo_problems(sources, iri, imported)
    if problems:
        raise ValidationFailed("\n".join(problems), len(problems))


def _obo_problems(sources: Sources, iri: URIRef, imported: set[str]) -> list[str]:
    file = sources.subject_files.get(iri) or _file_using(sources, iri)
    try:
        curie = check_obo_iri(str(iri))
    except IdentifierError as err:
        return [f"{file}: {err}"]
    if curie.split(":")[0] in imported and (iri, None, None) not in sources.imports:
        return [f"{file}: {_not_imported(curie)}"]
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
