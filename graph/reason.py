"""Materialize what the ontology's axioms imply (OWL 2 RL, owlrl), keeping only what is news."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from owlrl import DeductiveClosure, OWLRL_Semantics
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from graph.errors import ReasoningFailed
from graph.namespaces import BUILTIN_VOCABULARIES, INFERRED_GRAPH, OWL, RDF, RDFS

if TYPE_CHECKING:
    from graph.derive import Closure
    from graph.rules import Triple

# Relations every term has with itself: restating them tells a user nothing.
REFLEXIVE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty,
             RDFS.subClassOf, RDFS.subPropertyOf}


_THING, _NOTHING = OWL.Thing, OWL.Nothing  # a Namespace attribute is a new URIRef each time

# The reasoners a build can use: crtkg's compiled rules (graph.derive, with derivations) and
# owlrl, the reference they are tested against.
REASONERS = ("rules", "owlrl")


@dataclass
class Inference:
    """The inferred triples, how many of each trivial kind were trimmed, and (from the rules)
    how each was derived."""

    graph: Graph | list[Triple]  # a Graph from owlrl, a list from the rules
    trimmed: Counter[str] = field(default_factory=Counter)
    closure: Closure | None = None


def reason(graphs: dict[URIRef, Graph], reasoner: str = "rules",
           triples: dict[URIRef, list[Triple]] | None = None) -> Inference:
    """The OWL 2 RL closure of the named graphs, only the new triples, trimmed.

    `reasoner` is "rules" (graph.derive: compiled rules that record derivations) or
    "owlrl" (the reference); both keep the same triples. `triples`, the same graphs'
    triples as lists where the caller has them, spares the rules iterating the Graphs.
    """
    if reasoner == "owlrl":
        return reason_owlrl(graphs)
    if reasoner != "rules":
        raise ValueError(f"unknown reasoner {reasoner!r}; expected one of {REASONERS}")
    from graph.derive import materialize  # derive trims with this module's trivial_kind

    closure = materialize(graphs, triples)
    return Inference(closure.graph, closure.trimmed, closure)


def reason_owlrl(graphs: dict[URIRef, Graph]) -> Inference:
    """Run owlrl's OWL 2 RL closure over the named graphs and return only the new triples.

    The closure runs over one Dataset holding them all (ontology, imports, data), so rules
    that join them (the imported hierarchy, domains, sub-properties, chains) see each;
    what it adds lands in a graph of its own in the same Dataset.
    """
    dataset = Dataset()
    for name, source in graphs.items():
        named = dataset.graph(name)
        named += source
    DeductiveClosure(OWLRL_Semantics).expand(dataset, destination=INFERRED_GRAPH)
    added = dataset.graph(INFERRED_GRAPH)
    _raise_on_inconsistency(added)
    return trim(added)


def _raise_on_inconsistency(added: Graph) -> None:
    # owlrl records inconsistencies as triples instead of raising: look for them.
    messages = sorted(str(m) for node in added.subjects(RDF.type, ERRNS.ErrorMessage)
                      for m in added.objects(node, ERRNS.error))
    if messages:
        raise ReasoningFailed(messages)


def trivial_kind(triple: tuple) -> str | None:
    """Why a triple is noise to users, or None if it is worth keeping.

    >>> spect = URIRef("https://w3id.org/crtkg/id/spect")
    >>> trivial_kind((spect, RDF.type, OWL.Thing)), trivial_kind((spect, OWL.sameAs, spect))
    ('owl:Thing / owl:Nothing', 'reflexive')
    >>> print(trivial_kind((spect, RDF.type, URIRef("https://w3id.org/crtkg/ontology/ImagingModality"))))
    None
    """
    s, p, o = triple
    if isinstance(s, Literal):
        return "literal subject"
    if any(isinstance(term, BNode) for term in triple):
        return "anonymous node"  # inferences about class expressions and lists
    if p in REFLEXIVE and s == o:
        return "reflexive"
    if o == _THING or s == _NOTHING:
        return "owl:Thing / owl:Nothing"
    if isinstance(s, URIRef) and str(s).startswith(BUILTIN_VOCABULARIES):
        return "RDF/OWL vocabulary axiom"
    return None


def trim(added: Graph) -> Inference:
    """Split what the reasoner added into what users want and counts of what they don't."""
    kept, trimmed = Graph(), Counter[str]()
    for triple in added:
        kind = trivial_kind(triple)
        if kind is None:
            kept.add(triple)
        else:
            trimmed[kind] += 1
    return Inference(kept, trimmed)
