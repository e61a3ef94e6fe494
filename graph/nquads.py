"""The artifact's N-Quads lines: each term spelled once, as Oxigraph spells it, and blank
nodes labelled canonically (RDFC-1.0).

RDFC-1.0 labels a blank node from the quads that mention blank nodes only, so just those
go through Oxigraph's canonicalization; every other line is written directly.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal
from rdflib.term import Node

from graph.rules import Triple

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def to_oxigraph(node: Node) -> OxTerm:
    """The Oxigraph term of an rdflib IRI, blank node or literal."""
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(node.datatype))
        return ox.Literal(str(node))
    return ox.NamedNode(str(node))


class Quads:
    """Lines of the named graphs, kept apart from the quads with blank nodes until
    `sorted_lines` labels those canonically; counts what each graph got."""

    def __init__(self) -> None:
        self.terms: dict[Node, OxTerm] = {}
        self.texts: dict[Node, str] = {}  # each term's N-Triples text; "_:" for a blank node
        self.lines: list[str] = []
        self.blank: list[ox.Quad] = []
        self.counts: dict[str, int] = {}

    def spell(self, node: Node) -> str:
        text = self.texts.get(node)
        if text is None:
            self.terms[node] = to_oxigraph(node)
            text = self.texts[node] = str(self.terms[node])
        return text

    def add_graph(self, name: str, iri: str, triples: Iterable[Triple]) -> None:
        """The triples of one named graph."""
        where, texts, lines = f"<{iri}> .", self.texts, self.lines
        count = 0
        for triple in triples:
            count += 1
            try:
                s, p, o = texts[triple[0]], texts[triple[1]], texts[triple[2]]
            except KeyError:
                s, p, o = (self.spell(node) for node in triple)
            if s[0] == "_" or o[0] == "_":
                self.add_blank(iri, triple)
            else:
                lines.append(f"{s} {p} {o} {where}")
        self.counts[name] = self.counts.get(name, 0) + count

    def add_blank(self, iri: str, triple: Triple) -> None:
        for node in triple:
            self.spell(node)
        s, p, o = (self.terms[n] for n in triple)
        assert not isinstance(s, ox.Literal) and isinstance(p, ox.NamedNode)  # as RDF has them
        self.blank.append(ox.Quad(s, p, o, ox.NamedNode(iri)))

    def sorted_lines(self) -> list[str]:
        """Every line, blank nodes labelled by RDFC-1.0, sorted."""
        lines = self.lines
        if self.blank:
            quads = ox.Dataset(self.blank)
            quads.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
            text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
            # pyoxigraph's stub: without an output, bytes, never None
            lines += [line for line in text.decode("utf-8").splitlines() if line]  # type: ignore[union-attr]
            self.blank = []
        lines.sort()
        return lines
