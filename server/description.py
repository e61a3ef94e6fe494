"""The SPARQL Service Description of the endpoint, with a VoID description of its dataset.

The statistics are counted once, when the server starts: the graph does not change while it
is served.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph import __version__
from graph.namespaces import BASE, GRAPH_NAMES, ONTOLOGY_IRI, PREFIXES, SD, VOID
from graph.query import run_query, solutions
from graph.results import FORMATS

FORMATS_NS = "http://www.w3.org/ns/formats/"
# W3C's IRIs for the formats the endpoint writes (https://www.w3.org/ns/formats/).
FORMAT_IRIS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML",
               "csv": "SPARQL_Results_CSV", "tsv": "SPARQL_Results_TSV", "turtle": "Turtle",
               "ntriples": "N-Triples", "rdfxml": "RDF_XML", "jsonld": "JSON-LD",
               "trig": "TriG", "nquads": "N-Quads"}


@dataclass(frozen=True)
class Statistics:
    """Counts over the served dataset; `graphs` maps each named graph's IRI to its triples."""

    graphs: dict[str, int]
    triples: int
    subjects: int
    objects: int
    classes: list[tuple[str, int]]  # class IRI, instances
    properties: list[tuple[str, int]]  # property IRI, triples

    @property
    def graph_names(self) -> dict[str, str]:
        """Short name of each graph (ontology, data, inferred) by IRI, for people."""
        return {iri: GRAPH_NAMES.get(iri, iri) for iri in self.graphs}


def count(store: ox.Store) -> Statistics:
    """Every named graph's size (graph:derivations too), and the rest over the default graph,
    which leaves the derivations out as queries do."""
    def select(query: str) -> ox.QuerySolutions:  # over the union of ALL_GRAPHS
        return solutions(run_query(store, query))

    def pairs(query: str) -> list[tuple[str, int]]:
        return [(s[0].value, int(s[1].value)) for s in select(query)]

    graphs = {s[0].value: int(s[1].value) for s in solutions(store.query(
        "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"))}
    totals = next(iter(select(
        "SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s) (COUNT(DISTINCT ?o) AS ?o) "
        "{ SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")))
    classes = pairs("SELECT ?c (COUNT(DISTINCT ?x) AS ?n) { ?x a ?c FILTER(isIRI(?c)) } "
                    "GROUP BY ?c ORDER BY DESC(?n) ?c")
    properties = pairs("SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p")
    t, s, o = (int(totals[v].value) for v in ("t", "s", "o"))
    return Statistics(graphs, t, s, o, classes, properties)


def service_description(stats: Statistics, endpoint: str) -> list[ox.Triple]:
    """sd:Service for `endpoint`, its default dataset and one VoID subset per named graph."""
    results = ", ".join(f"<{FORMATS_NS}{FORMAT_IRIS[f.name]}>" for f in FORMATS)
    named = "".join(
        f"""  sd:namedGraph [ a sd:NamedGraph ; sd:name <{iri}> ;
      sd:graph [ a sd:Graph, void:Dataset ; void:triples {n} ] ] ;\n"""
        for iri, n in stats.graphs.items())
    classes = "".join(f"  void:classPartition [ void:class <{c}> ; void:entities {n} ] ;\n"
                      for c, n in stats.classes)
    properties = "".join(f"  void:propertyPartition [ void:property <{p}> ; void:triples {n} ] ;\n"
                         for p, n in stats.properties)
    vocabularies = ", ".join(f"<{ns}>" for ns in PREFIXES.values())
    text = f"""
@prefix sd: <{SD}> . @prefix void: <{VOID}> . @prefix dcterms: <http://purl.org/dc/terms/> .
<{endpoint}> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat {results} ;
  dcterms:title "crtkg SPARQL endpoint (read-only)" ;
  sd:defaultDataset <{BASE}dataset> .
<{BASE}dataset> a sd:Dataset, void:Dataset ;
  dcterms:title "crtkg: the evidence on imaging in cardiac resynchronization therapy" ;
  dcterms:hasVersion "{__version__}" ;
  void:sparqlEndpoint <{endpoint}> ;
  void:uriSpace "{BASE}" ;
  void:vocabulary <{ONTOLOGY_IRI}>, {vocabularies} ;
  void:triples {stats.triples} ;
  void:distinctSubjects {stats.subjects} ;
  void:distinctObjects {stats.objects} ;
  void:classes {len(stats.classes)} ;
  void:properties {len(stats.properties)} ;
  sd:defaultGraph [ a sd:Graph, void:Dataset ; void:triples {stats.triples} ] ;
{named}{classes}{properties}  .
"""
    return list(ox.parse(text, format=ox.RdfFormat.TURTLE))
