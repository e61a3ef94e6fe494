"""Every IRI base, prefix and graph name of crtkg: the one place they are declared."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Literal, Namespace, URIRef
from rdflib.term import Identifier, Node

BASE = "https://w3id.org/crtkg/"

CRTKG = Namespace(BASE + "ontology/")  # the ontology's terms (TBox)
KG = Namespace(BASE + "id/")  # curated individuals (ABox)
GRAPH = Namespace(BASE + "graph/")  # named graphs of the build artifact
DERIVATION = Namespace(BASE + "derivation/")  # derivations and the statements they relate

ONTOLOGY_IRI = URIRef(BASE + "ontology")

OBO = Namespace("http://purl.obolibrary.org/obo/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
FABIO = Namespace("http://purl.org/spar/fabio/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
CITO = Namespace("http://purl.org/spar/cito/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VANN = Namespace("http://purl.org/vocab/vann/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
OA = Namespace("http://www.w3.org/ns/oa#")  # W3C Web Annotation: where a quote is in its text

# The IRIs that external identifiers expand to: the ones each community uses for linked data
# (OBO PURLs, MeSH RDF, SNOMED's own, DOI, PubMed, ClinicalTrials.gov). graph/identifiers.py
# checks each against the bioregistry, whose prefix must know it as one of its URI prefixes.
EXTERNAL_PREFIXES: dict[str, str] = {
    **{p: f"{OBO}{p}_" for p in ("MONDO", "DOID", "NCIT", "MAXO", "OBI", "ECO", "STATO",
                                  "SEPIO", "HP", "IAO", "BFO")},
    "mesh": "http://id.nlm.nih.gov/mesh/",
    "SCTID": "http://snomed.info/id/",
    "dicom": "http://dicom.nema.org/resources/ontology/DCM/",
    "PMID": "https://pubmed.ncbi.nlm.nih.gov/",
    "doi": "https://doi.org/",
    "clinicaltrials": "https://www.clinicaltrials.gov/study/",
}

# The prefix map used by every serialization (Turtle, TriG, JSON-LD context) and by
# queries: explicit, so no output ever shows an invented `ns1:`.
PREFIXES: dict[str, str] = {
    "crtkg": str(CRTKG),
    "kg": str(KG),
    "graph": str(GRAPH),
    "obo": str(OBO),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "fabio": str(FABIO),
    "bibo": str(BIBO),
    "cito": str(CITO),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "vann": str(VANN),
    "sd": str(SD),
    "void": str(VOID),
    "sssom": str(SSSOM),
    "semapv": str(SEMAPV),
    "oboInOwl": str(OBOINOWL),
    "oa": str(OA),
    # External terms that are not OBO PURLs (those read best as obo:ECO_0000180). Record
    # IRIs (PubMed, DOI, ClinicalTrials.gov) stay whole: they are links to open.
    **{p: EXTERNAL_PREFIXES[p] for p in ("mesh", "SCTID", "dicom")},
}

# Named graphs of the build artifact. The default graph of a query is their union.
ONTOLOGY_GRAPH = GRAPH.ontology  # the TBox: ontology/crtkg.ttl
IMPORTS_GRAPH = GRAPH.imports  # terms of external ontologies: ontology/imports/*_import.ttl
DATA_GRAPH = GRAPH.data  # the asserted evidence: graph/data/*.ttl
MAPPINGS_GRAPH = GRAPH.mappings  # links to external terms and records: SKOS + SSSOM
INFERRED_GRAPH = GRAPH.inferred  # only what the OWL 2 RL reasoner added, trimmed
DERIVATIONS_GRAPH = GRAPH.derivations  # how each inferred triple was derived: rule, premises
# Short names of the graphs, as build summaries and the artifact header name them.
GRAPHS = {"ontology": ONTOLOGY_GRAPH, "imports": IMPORTS_GRAPH, "data": DATA_GRAPH,
          "mappings": MAPPINGS_GRAPH, "inferred": INFERRED_GRAPH,
          "derivations": DERIVATIONS_GRAPH}
GRAPH_NAMES = {str(iri): name for name, iri in GRAPHS.items()}  # the short name by IRI
ASSERTED_GRAPHS = (ONTOLOGY_GRAPH, IMPORTS_GRAPH, DATA_GRAPH, MAPPINGS_GRAPH)
# The graphs a query's default graph is the union of, and that it may name with GRAPH. The
# derivations are about the triples, not more of them: a query sees them only when it asks
# (FROM NAMED, named-graph-uri, default-graph-uri), and an export only when told to.
ALL_GRAPHS = (*ASSERTED_GRAPHS, INFERRED_GRAPH)

# Vocabularies whose own axioms are noise to users when the reasoner restates them.
BUILTIN_VOCABULARIES = (str(RDF), str(RDFS), str(OWL), str(XSD))


def shorten(iri: str) -> str:
    """An IRI as a CURIE where a prefix above fits, else in angle brackets.

    >>> shorten("https://w3id.org/crtkg/id/echocrt"), shorten(OBO + "ECO_0000180")
    ('kg:echocrt', 'obo:ECO_0000180')
    >>> shorten("https://example.org/x"), shorten("https://w3id.org/crtkg/id/")  # no local part
    ('<https://example.org/x>', '<https://w3id.org/crtkg/id/>')
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def curie_or_iri(iri: str) -> str:
    """An IRI as users type it: a CURIE where a prefix above fits, else the IRI itself.

    >>> curie_or_iri("https://w3id.org/crtkg/id/echocrt"), curie_or_iri("https://example.org/x")
    ('kg:echocrt', 'https://example.org/x')
    """
    short = shorten(iri)
    return iri if short.startswith("<") else short


def full_iri(value: str) -> str:
    """What a user typed, as an IRI where it is a CURIE of a prefix above; anything else
    (an IRI, a wrong value) as it is, for the caller to check: the lenient inverse of
    `shorten` (graph.identifiers.expand is the strict expansion, for checked CURIEs)."""
    prefix, _, local = value.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return value


def in_order(nodes: Iterable[Node]) -> list[Identifier]:
    """A graph's terms in rdflib's order (by kind, then text), so output is the same from
    run to run. rdflib types them as Node, which has no order, but every term of a parsed
    graph is an Identifier: an IRI, a blank node or a literal."""
    return sorted(n for n in nodes if isinstance(n, Identifier))


def term_text(term: object) -> str:
    """How a message shows a term, rdflib's or pyoxigraph's: a CURIE where a prefix fits, a
    literal quoted, "missing" for none.

    >>> term_text(URIRef(BASE + "id/echocrt")), term_text(ox.Literal("2009")), term_text(None)
    ('kg:echocrt', "'2009'", 'missing')
    """
    if term is None:
        return "missing"
    if isinstance(term, URIRef | ox.NamedNode):
        return shorten(str(term) if isinstance(term, URIRef) else term.value)
    if isinstance(term, Literal | ox.Literal):
        return repr(str(term) if isinstance(term, Literal) else term.value)
    return str(term)


def sparql_prologue() -> str:
    """The PREFIX lines for every prefix above, to put in front of a user's query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
