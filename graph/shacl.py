"""SHACL validation compiled to SPARQL and run on pyoxigraph: pyshacl's answers, faster.

`compile_shapes` turns a shapes graph (ontology/shapes.ttl) into SELECT queries, one per
constraint of a targeted shape; `shape_results` runs them on a store whose default graph
holds the validated triples (data + ontology) and returns every violation: its focus node,
result path, value (where SHACL gives one), constraint component and message. pyshacl stays
the reference: tests/test_shacl.py checks that both report the same results.

A constraint compiles to a SPARQL expression that holds of a node violating it: of each
value node (sh:class, sh:datatype, sh:nodeKind, sh:minLength, sh:pattern, sh:or, sh:xone)
or of the focus node (sh:minCount, sh:maxCount, sh:qualifiedMinCount). A shape that sh:or,
sh:xone or sh:qualifiedValueShape refers to compiles to an expression that a node conforms
to it: no constraint of it holds of the node. Compiled, and nothing else:

- targets: sh:targetClass (through rdfs:subClassOf* in the validated graph) and
  sh:targetSubjectsOf;
- paths: an IRI, sh:inversePath and sh:alternativePath, as SPARQL property paths;
- the constraints above, sh:property of a node shape, sh:message, and sh:sparql of a
  targeted node shape: an sh:select that selects $this, run once and joined with the focus
  nodes. (SHACL pre-binds $this to each focus node instead; that gives the same rows
  wherever the query's own triple patterns bind $this, as in ours, not where only a FILTER
  or an OPTIONAL mentions it.)

Any other SHACL term in a shape (sh:hasValue, sh:node, sh:zeroOrMorePath, sh:severity,
sh:prefixes, ...) raises SourceError naming the shapes file and the shape, so that the build
stops rather than check less than the shapes say.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from graph.errors import SourceError
from graph.namespaces import OWL, RDF, RDFS, SH, XSD, in_order, shorten, term_text
from graph.query import solutions

Test = Callable[[str], str]  # a variable -> a SPARQL expression that holds of its node
Message = Callable[[str, str], str]  # (focus, value), as shown -> a default message

TARGETS = (SH.targetClass, SH.targetSubjectsOf)
# Read with a shape or a constraint; and what a shape may say that checks nothing.
PARAMETERS = frozenset({*TARGETS, SH.path, SH.message, SH.property, SH.sparql, SH.flags,
                        SH.qualifiedMinCount})
NON_VALIDATING = frozenset({SH.name, SH.description, SH.order, SH.group})
NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({0})", SH.BlankNode: "isBlank({0})", SH.Literal: "isLiteral({0})",
    SH.BlankNodeOrIRI: "!isLiteral({0})", SH.BlankNodeOrLiteral: "!isIRI({0})",
    SH.IRIOrLiteral: "!isBlank({0})"}
# Datatypes Oxigraph casts to: an ill-typed literal ("abc"^^xsd:integer) fails the cast, so
# it violates sh:datatype, as SHACL says. (Every lexical form is an xsd:string.)
CASTS = frozenset(XSD[name] for name in (
    "boolean", "integer", "decimal", "float", "double", "dateTime", "date", "time", "gYear",
    "gYearMonth", "gMonthDay", "gDay", "gMonth", "duration", "yearMonthDuration",
    "dayTimeDuration"))


@dataclass(frozen=True)
class Constraint:
    """One constraint in SPARQL: `violated(var)` holds when the node in `var`, each value
    node if `per_value`, else the focus node, breaks it."""

    component: URIRef
    per_value: bool
    violated: Test
    default_message: Message


@dataclass(frozen=True)
class Shape:
    """A shape as read: its path (in SPARQL, and as shown) if it is a property shape, its
    constraints, property shapes, SPARQL constraints (the SELECT, its message) and message."""

    node: Node
    where: str  # how an error names it, e.g. "shape:Claim > sh:property crtkg:quote"
    path: str | None
    shown_path: str | None
    constraints: list[Constraint]
    properties: list[Shape]
    selects: list[tuple[str, str | None]]
    message: str | None


@dataclass(frozen=True)
class Query:
    """One compiled check: a SELECT of the focus nodes ?this that violate a constraint of a
    shape, with ?value where SHACL reports one."""

    shape: Shape
    component: URIRef
    text: str
    message: str | None
    default_message: Message


@dataclass(frozen=True)
class ShapeResult:
    """One violation, as a SHACL validation report states it."""

    focus: ox.NamedNode | ox.BlankNode
    path: str | None  # sh:resultPath as a SPARQL property path, with CURIEs
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    component: URIRef  # sh:sourceConstraintComponent
    message: str
    shape: Node  # sh:sourceShape


def shape_results(store: ox.Store, shapes: Graph, shapes_file: Path | str,
                  graphs: Sequence[ox.NamedNode] | None = None) -> list[ShapeResult]:
    """Every violation of the shapes by the triples of the store's default graph, or of
    the union of its named `graphs`."""
    return [result for query in compile_shapes(shapes, shapes_file)
            for result in run_check(store, query, graphs)]


def compile_shapes(shapes: Graph, shapes_file: Path | str) -> list[Query]:
    """The checks of every shape with a target, one per constraint."""
    compiler = Compiler(shapes, str(shapes_file))
    targeted = sorted({s for target in TARGETS for s in shapes.subjects(target)}, key=str)
    return [query for node in targeted for query in compiler.queries(node)]


def run_check(store: ox.Store, query: Query,
              graphs: Sequence[ox.NamedNode] | None = None) -> list[ShapeResult]:
    """The violations one check finds (an sh:select may bind ?value and ?message too)."""
    solutions = (store.query(query.text, default_graph=list(graphs)) if graphs
                 else store.query(query.text))
    assert isinstance(solutions, ox.QuerySolutions)
    names = {v.value for v in solutions.variables}
    results = []
    for row in solutions:
        focus = row["this"]
        value = row["value"] if "value" in names else None
        if value is None and query.component == SH.SPARQLConstraintComponent:
            value = focus  # a node shape's value node is its focus node
        bound = row["message"] if "message" in names else None
        message = (bound.value if isinstance(bound, ox.Literal) else query.message
                   or query.default_message(term_text(focus), term_text(value)))
        results.append(ShapeResult(focus, query.shape.shown_path, value, query.component,
                                   message, query.shape.node))
    return results


class Compiler:
    """Reads the shapes of a shapes graph and writes their SPARQL."""

    def __init__(self, shapes: Graph, file: str) -> None:
        self.graph, self.file, self.variables = shapes, file, 0
        self.components: dict[URIRef, Callable[[Node, Shape], Constraint]] = {
            SH.minCount: self.min_count, SH.maxCount: self.max_count,
            SH["class"]: self.class_, SH.datatype: self.datatype, SH.nodeKind: self.node_kind,
            SH.minLength: self.min_length, SH.pattern: self.pattern, SH["or"]: self.or_,
            SH.xone: self.xone, SH.qualifiedValueShape: self.qualified_min_count}

    def queries(self, node: Node) -> list[Query]:
        """The checks of a targeted shape: of its constraints and its property shapes'."""
        # Named as the shapes file writes it (with its prefixes: shape:Claim).
        shape = self.read_shape(node, node.n3(self.graph.namespace_manager))
        target = self.target(node)
        found = [self.query(s, c, target) for s in (shape, *shape.properties)
                 for c in s.constraints]
        for select, message in shape.selects:
            text = f"SELECT DISTINCT * WHERE {{ {target} {{ {select} }} }}"
            self.check_select(select, text, f"{shape.where} > sh:sparql")
            found.append(Query(shape, SH.SPARQLConstraintComponent, text,
                               message or shape.message, lambda _, __: "violates its shape"))
        return found

    def check_select(self, select: str, query: str, where: str) -> None:
        """Refuse an sh:select that does not parse, or as part of `query`, or that does not
        select $this: joined with the focus nodes ?this, it must give each its own rows."""
        try:
            answer, _ = ox.Store().query(select), ox.Store().query(query)
        except SyntaxError as err:
            raise SourceError(self.file, f"shape {where}: sh:select: {err}") from None
        names = ({v.value for v in answer.variables}
                 if isinstance(answer, ox.QuerySolutions) else set())
        if "this" not in names or "path" in names:
            raise self.unsupported(where, "an sh:select that does not select $this, or "
                                          "selects ?path,")

    def target(self, node: Node) -> str:
        """A subquery of the distinct focus nodes ?this of a shape's targets."""
        def iris(parameter: URIRef) -> str:
            return " ".join(f"<{o}>" for o in in_order(self.graph.objects(node, parameter)))

        parts = []
        if classes := iris(SH.targetClass):
            parts.append(f"{{ VALUES ?class {{ {classes} }} "
                         f"?type <{RDFS.subClassOf}>* ?class . ?this a ?type }}")
        if predicates := iris(SH.targetSubjectsOf):
            parts.append(f"{{ VALUES ?predicate {{ {predicates} }} ?this ?predicate ?object }}")
        return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}"

    def query(self, shape: Shape, constraint: Constraint, target: str) -> Query:
        """The check of one constraint of a shape on the focus nodes of `target`."""
        if constraint.per_value and shape.path is not None:
            text = (f"SELECT DISTINCT ?this ?value WHERE {{ {target} ?this {shape.path} ?value "
                    f"FILTER({constraint.violated('?value')}) }}")
        else:  # a test of the focus node, or of a node shape's value node: the focus node
            value = "(?this AS ?value)" if constraint.per_value else ""
            text = (f"SELECT DISTINCT ?this {value} WHERE {{ {target} "
                    f"FILTER({constraint.violated('?this')}) }}")
        return Query(shape, constraint.component, text, shape.message,
                     constraint.default_message)

    # --- reading shapes ---------------------------------------------------------------------

    def read_shape(self, node: Node, where: str, nested: bool = False) -> Shape:
        """The shape at `node`; `nested` if another shape's constraint refers to it."""
        predicates = set(self.graph.predicates(node))
        for predicate in in_order(predicates - PARAMETERS - NON_VALIDATING - {*self.components}):
            if predicate.startswith(str(SH)):
                raise self.unsupported(where, shorten(predicate))
        if {RDFS.Class, OWL.Class} & set(self.graph.objects(node, RDF.type)):
            raise self.unsupported(where, "a shape that is a class (an implicit target)")
        if nested and SH.sparql in predicates:
            raise self.unsupported(where, "sh:sparql in a shape that another refers to")
        path = shown = None
        if (path_node := self.graph.value(node, SH.path)) is not None:
            path = self.path(path_node, where, lambda iri: f"<{iri}>")
            shown = self.path(path_node, where, shorten)
            if predicates & {SH.property, SH.sparql}:
                raise self.unsupported(where, "sh:property or sh:sparql of a property shape")
        properties = [self.read_property(p, where, nested)
                      for p in in_order(self.graph.objects(node, SH.property))]
        shape = Shape(node, where, path, shown, [], properties, self.selects(node, where),
                      self.message(node, where))
        shape.constraints.extend(
            compile_one(value, shape) for parameter, compile_one in self.components.items()
            for value in in_order(self.graph.objects(node, parameter)))
        return shape

    def read_property(self, node: Node, where: str, nested: bool) -> Shape:
        path = self.graph.value(node, SH.path)
        if path is None:
            raise self.unsupported(f"{where} > sh:property", "a property shape without sh:path")
        shown = self.path(path, f"{where} > sh:property", shorten)
        return self.read_shape(node, f"{where} > sh:property {shown}", nested)

    def path(self, node: Node, where: str, iri: Callable[[str], str]) -> str:
        try:
            return sparql_path(self.graph, node, iri)
        except ValueError as err:
            part = err.args[0]
            kinds = sorted({shorten(str(p)) for p in self.graph.predicates(part)} - {"rdf:first",
                                                                                "rdf:rest"})
            kind = ", ".join(kinds) or "a sequence path (an RDF list)"
            raise self.unsupported(where, f"the path {kind}") from None

    def selects(self, node: Node, where: str) -> list[tuple[str, str | None]]:
        """The SELECT and message of each SPARQL constraint (sh:sparql) of a shape."""
        found = []
        for constraint in in_order(self.graph.objects(node, SH.sparql)):
            for predicate in set(self.graph.predicates(constraint)) - {RDF.type, SH.select,
                                                                        SH.message}:
                raise self.unsupported(f"{where} > sh:sparql", shorten(str(predicate)))
            select = self.graph.value(constraint, SH.select)
            if select is None:
                raise self.unsupported(f"{where} > sh:sparql", "sh:sparql without sh:select")
            found.append((str(select), self.message(constraint, f"{where} > sh:sparql")))
        return found

    def message(self, node: Node, where: str) -> str | None:
        """The shape's or constraint's sh:message (the first, if several languages give it)."""
        messages = sorted(str(m) for m in self.graph.objects(node, SH.message))
        if any(re.search(r"\{[?$]\w+\}", m) for m in messages):
            raise self.unsupported(where, "an sh:message with {?variable} or {$variable} in it")
        return messages[0] if messages else None

    def members(self, head: Node, where: str) -> list[Shape]:
        """The shapes of an RDF list (the value of sh:or, sh:xone)."""
        return [self.read_shape(m, f"{where} member {i}", nested=True)
                for i, m in enumerate(Collection(self.graph, head), 1)]

    def describe(self, node: Node) -> str:
        """A shape or a list of shapes, in Turtle, for a default message."""
        if isinstance(node, BNode) and (node, RDF.first, None) in self.graph:
            return "( " + " ".join(self.describe(m) for m in Collection(self.graph, node)) + " )"
        if isinstance(node, BNode):
            pairs = sorted(self.graph.predicate_objects(node))
            return "[ " + " ; ".join(f"{term_text(p)} {self.describe(o)}" for p, o in pairs) + " ]"
        if isinstance(node, Literal):
            return str(node) if node.datatype == XSD.integer else sparql_string(str(node))
        return term_text(node)

    def unsupported(self, where: str, what: str) -> SourceError:
        return SourceError(self.file, f"shape {where}: {what} is not supported by the "
                                      "compiled SHACL validator (graph/shacl.py)")

    # --- constraint components, each from its parameter's value and its shape ---------------

    def min_count(self, n: Node, shape: Shape) -> Constraint:
        count, path = self.count(n, shape, SH.minCount), self.path_of(shape, SH.minCount)
        return Constraint(SH.MinCountConstraintComponent, False,
                          lambda f: f"NOT EXISTS {{ {self.at_least(count, f, path)} }}",
                          lambda focus, _: f"Less than {count} values on {focus}->"
                                           f"{shape.shown_path}")

    def max_count(self, n: Node, shape: Shape) -> Constraint:
        count, path = self.count(n, shape, SH.maxCount), self.path_of(shape, SH.maxCount)
        return Constraint(SH.MaxCountConstraintComponent, False,
                          lambda f: f"EXISTS {{ {self.at_least(count + 1, f, path)} }}",
                          lambda focus, _: f"More than {count} values on {focus}->"
                                           f"{shape.shown_path}")

    def class_(self, cls: Node, _: Shape) -> Constraint:
        return Constraint(SH.ClassConstraintComponent, True,
                          lambda v: f"NOT EXISTS {{ {v} a/<{RDFS.subClassOf}>* <{cls}> }}",
                          lambda _, __: f"Value does not have class {term_text(cls)}")

    def datatype(self, datatype: Node, _: Shape) -> Constraint:
        def violated(v: str) -> str:
            well_formed = f" && COALESCE(isLiteral(<{datatype}>({v})), false)"
            return (f"!(isLiteral({v}) && sameTerm(datatype({v}), <{datatype}>)"
                    f"{well_formed if datatype in CASTS else ''})")
        return Constraint(SH.DatatypeConstraintComponent, True, violated,
                          lambda _, __: f"Value is not Literal with datatype "
                                        f"{term_text(datatype)}")

    def node_kind(self, kind: Node, shape: Shape) -> Constraint:
        if kind not in NODE_KINDS:
            raise self.unsupported(shape.where, f"sh:nodeKind {term_text(kind)}")
        return Constraint(SH.NodeKindConstraintComponent, True,
                          lambda v: f"!({NODE_KINDS[kind].format(v)})",
                          lambda _, __: f"Value is not of Node Kind {term_text(kind)}")

    def min_length(self, n: Node, shape: Shape) -> Constraint:
        length = self.count(n, shape, SH.minLength)
        return Constraint(SH.MinLengthConstraintComponent, True,
                          lambda v: f"isBlank({v}) || STRLEN(STR({v})) < {length}",
                          lambda _, __: f"String length not >= {length}")

    def pattern(self, pattern: Node, shape: Shape) -> Constraint:
        regex = sparql_string(str(pattern))
        flags = sparql_string(str(self.graph.value(shape.node, SH.flags) or ""))
        # A regex Oxigraph cannot compile would make every test of it false: refuse it.
        probe = ox.Store().query(f"SELECT (REGEX('', {regex}, {flags}) AS ?ok) {{}}")
        if next(iter(solutions(probe)))["ok"] is None:
            raise SourceError(self.file, f"shape {shape.where}: sh:pattern {regex} (sh:flags "
                                         f"{flags}) is no regular expression Oxigraph runs")
        return Constraint(SH.PatternConstraintComponent, True,
                          lambda v: f"isBlank({v}) || !REGEX(STR({v}), {regex}, {flags})",
                          lambda _, __: f"Value does not match pattern '{pattern}'")

    def or_(self, shapes: Node, shape: Shape) -> Constraint:
        members, shown = self.members(shapes, f"{shape.where} > sh:or"), self.describe(shapes)
        return Constraint(SH.OrConstraintComponent, True,
                          lambda v: "!(" + " || ".join(self.conforms(m, v) for m in members) + ")",
                          lambda _, value: f"Node {value} must conform to one or more shapes "
                                           f"in {shown}")

    def xone(self, shapes: Node, shape: Shape) -> Constraint:
        members, shown = self.members(shapes, f"{shape.where} > sh:xone"), self.describe(shapes)
        return Constraint(SH.XoneConstraintComponent, True,
                          lambda v: "(" + " + ".join(f"IF({self.conforms(m, v)}, 1, 0)"
                                                     for m in members) + ") != 1",
                          lambda _, value: f"Node {value} must conform to exactly one shape "
                                           f"in {shown}")

    def qualified_min_count(self, value_shape: Node, shape: Shape) -> Constraint:
        """sh:qualifiedValueShape with sh:qualifiedMinCount: n values that conform to it."""
        counts = [self.count(n, shape, SH.qualifiedMinCount)
                  for n in self.graph.objects(shape.node, SH.qualifiedMinCount)]
        if len(counts) != 1:
            raise self.unsupported(shape.where, "sh:qualifiedValueShape without one "
                                                "sh:qualifiedMinCount")
        path = self.path_of(shape, SH.qualifiedValueShape)
        qualified = self.read_shape(value_shape, f"{shape.where} > sh:qualifiedValueShape",
                                    nested=True)
        return Constraint(SH.QualifiedMinCountConstraintComponent, False,
                          lambda f: "NOT EXISTS { " + self.at_least(
                              counts[0], f, path, lambda v: self.conforms(qualified, v)) + " }",
                          lambda _, __: f"Focus node does not conform to shape MinCount "
                                        f"{counts[0]}: {self.describe(value_shape)}")

    # --- SPARQL -----------------------------------------------------------------------------

    def count(self, n: Node, shape: Shape, parameter: URIRef) -> int:
        """The value of a count parameter: a non-negative integer."""
        if not (isinstance(n, Literal) and isinstance(n.value, int) and n.value >= 0):
            raise SourceError(self.file, f"shape {shape.where}: {shorten(parameter)} must be a "
                                         f"non-negative integer, not {term_text(n)}")
        return n.value

    def path_of(self, shape: Shape, parameter: URIRef) -> str:
        """The path of the property shape that `parameter` constrains."""
        if shape.path is None:
            raise self.unsupported(shape.where, f"{shorten(parameter)} of a node shape")
        return shape.path

    def at_least(self, n: int, focus: str, path: str, test: Test | None = None) -> str:
        """A group pattern that matches if `focus` has `n` distinct values on `path` (of which
        `test` holds); with n = 0 it always matches."""
        nodes = [self.fresh() for _ in range(n)]
        patterns = [f"{focus} {path} {v} ." for v in nodes]
        patterns += [f"FILTER({test(v)})" for v in nodes] if test else []
        patterns += [f"FILTER(!sameTerm({a}, {b}))" for a, b in combinations(nodes, 2)]
        return " ".join(patterns)

    def conforms(self, shape: Shape, node: str) -> str:
        """A SPARQL expression that holds if the node in `node` conforms to `shape`."""
        tests = []
        for constraint in shape.constraints:
            if constraint.per_value and shape.path is not None:
                v = self.fresh()
                tests.append(f"NOT EXISTS {{ {node} {shape.path} {v} "
                             f"FILTER({constraint.violated(v)}) }}")
            else:
                tests.append(f"!({constraint.violated(node)})")
        tests += [self.conforms(p, node) for p in shape.properties]
        return "(" + " && ".join(tests or ["true"]) + ")"

    def fresh(self) -> str:
        """A variable no other part of a query uses."""
        self.variables += 1
        return f"?v{self.variables}"


def sparql_path(graph: Graph, node: Node, iri: Callable[[str], str] = shorten) -> str:
    """A SHACL path (an IRI, sh:inversePath, sh:alternativePath) as a SPARQL property path,
    each IRI written by `iri` (as a CURIE by default). Any other path is a ValueError whose
    argument is the part that is not one of these."""
    if isinstance(node, URIRef):
        return iri(str(node))
    if (inverse := graph.value(node, SH.inversePath)) is not None:
        inner = sparql_path(graph, inverse, iri)
        return f"^({inner})" if inner.startswith("^") else f"^{inner}"
    if (alternatives := graph.value(node, SH.alternativePath)) is not None:
        return "(" + "|".join(sparql_path(graph, p, iri)
                              for p in Collection(graph, alternatives)) + ")"
    raise ValueError(node)


def sparql_string(text: str) -> str:
    """A SPARQL string literal of `text` (JSON's escapes are SPARQL's).

    >>> print(sparql_string('a "quote"\\nand é'))
    "a \\"quote\\"\\nand é"
    """
    return json.dumps(text, ensure_ascii=False)
