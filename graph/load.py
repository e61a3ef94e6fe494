"""Find and parse the source files: the ontology, the shapes and the curated data."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, Node, URIRef

from graph.errors import SourceError
from graph.files import read_source
from graph.mappings import MappingSet, read_mapping_set
from graph.namespaces import DATA_GRAPH, IMPORTS_GRAPH, ONTOLOGY_GRAPH
from graph.registry import REGISTRY_FILE
from graph.rules import CONCLUDED, Triple

PACKAGE_DIR = Path(__file__).resolve().parent


def default_root() -> Path:
    """The project checkout: $CRTKG_ROOT, or the folder that holds this package."""
    return Path(os.environ.get("CRTKG_ROOT", PACKAGE_DIR.parent)).resolve()


@dataclass(frozen=True)
class SourcePaths:
    """Where a build reads its sources. Everything is under one project root."""

    root: Path

    def __post_init__(self) -> None:
        # Absolute, so that file IRIs and messages do not depend on the working directory.
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def ontology_files(self) -> list[Path]:
        return [self.root / "ontology" / "crtkg.ttl"]

    @property
    def shapes_file(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def imports_dir(self) -> Path:
        """Import modules of external ontologies (`<ont>_import.ttl`) and their seeds."""
        return self.root / "ontology" / "imports"

    @property
    def import_files(self) -> list[Path]:
        return sorted(self.imports_dir.glob("*_import.ttl"))

    @property
    def mappings_file(self) -> Path:
        return self.root / "ontology" / "mappings" / "crtkg.sssom.tsv"

    @property
    def data_dir(self) -> Path:
        return self.root / "graph" / "data"

    @property
    def data_files(self) -> list[Path]:
        return sorted(self.data_dir.glob("*.ttl"))

    @property
    def texts_dir(self) -> Path:
        """Stored texts of source documents, one file per document: `<local name>.txt`."""
        return self.data_dir / "sources"

    @property
    def checks_dir(self) -> Path:
        """Integrity checks: SPARQL SELECT files whose every row is a problem (ODK style)."""
        return self.root / "ontology" / "checks"

    @property
    def check_files(self) -> list[Path]:
        return sorted(self.checks_dir.glob("*.rq"))

    @property
    def queries_dir(self) -> Path:
        """The named queries: one `.rq` file a question (not a build input)."""
        return self.root / "queries"

    def all_files(self) -> list[Path]:
        texts = sorted(self.texts_dir.glob("*.txt"))
        return [*self.ontology_files, self.shapes_file, *self.import_files, self.mappings_file,
                *self.data_files, *texts, *self.check_files]

    def prefixed_files(self) -> list[Path]:
        """The files whose CURIEs and OBO IRIs the identifier checks read."""
        return [*self.ontology_files, *self.import_files, self.mappings_file,
                *self.data_files]

    def check_exists(self) -> None:
        for path in [*self.ontology_files, self.shapes_file, self.mappings_file, self.data_dir]:
            if not path.exists():
                raise SourceError(path, "not found; run crtkg from a checkout of the project "
                                        "or point --root (or $CRTKG_ROOT) at one")


# The libraries whose releases change what a build writes or accepts: the reference
# reasoner, rdflib, and Oxigraph (parser, SPARQL for shapes and checks, canonical
# serializer). The prefix registry is read from its extract, graph/registry.json, which the
# digest covers as code.
BUILD_LIBRARIES = ("owlrl", "rdflib", "pyoxigraph")


def sources_digest(paths: SourcePaths) -> str:
    """A SHA-256 over the names and bytes of every source file and of the build code, and
    the versions of the build's libraries.

    Equal digests mean the build would produce the same artifact, so it can be reused.
    """
    digest = hashlib.sha256()
    code = sorted([*PACKAGE_DIR.glob("*.py"), REGISTRY_FILE])
    for path in [*paths.all_files(), *code]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for library in BUILD_LIBRARIES:
        digest.update(f"{library} {metadata.version(library)}\0".encode())
    return digest.hexdigest()


@dataclass
class Parsed:
    """One parsed Turtle file: its triples, as Oxigraph read them and as rdflib terms, and
    the prefixes it declares."""

    path: Path
    text: str  # newlines translated, as read_text would: for counting lines
    quads: list[ox.Quad]
    triples: list[Triple]
    prefixes: dict[str, str]

    def graph(self) -> Graph:
        graph = Graph(bind_namespaces="none")
        graph.addN((s, p, o, graph) for s, p, o in self.triples)
        for prefix, namespace in self.prefixes.items():
            graph.bind(prefix, namespace)
        return graph


def parse_file(path: Path, terms: TermCache | None = None) -> Parsed:
    """Parse one Turtle file with Oxigraph (a tenth of rdflib's time); a syntax error names
    the file, line and column. Relative IRIs resolve against the file's own IRI."""
    text = read_source(path)
    parser = ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())
    try:
        quads = list(parser)
    except SyntaxError as err:
        message = re.sub(r"^Parser error at line \d+ column \d+: ", "", str(err.msg))
        raise SourceError(path, f"Turtle syntax error: {message}", err.lineno,
                          err.offset) from err
    terms = terms or TermCache()
    triples = [(terms(q.subject), terms(q.predicate), terms(q.object)) for q in quads]
    return Parsed(path, text, quads, triples,
                  dict(parser.prefixes))  # type: ignore[arg-type]


def parse_turtle(path: Path) -> Graph:
    """One Turtle file as an rdflib Graph; a syntax error names the file, line and column."""
    return parse_file(path).graph()


class TermCache:
    """Oxigraph terms as rdflib terms, each converted once (a term recurs in many triples)."""

    def __init__(self) -> None:
        self.terms: dict[object, Node] = {ox.NamedNode(t): t for t in CONCLUDED}

    def __call__(self, term: object) -> Node:
        found = self.terms.get(term)
        if found is None:
            found = self.terms[term] = _to_rdflib(term)
        return found


def _to_rdflib(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype == _XSD_STRING:
            return Literal(term.value)  # as rdflib's parser reads a plain string
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise SourceError("<parser>", f"unsupported RDF term {term!r}")


_XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")

# A statement's subject at the start of a line: an <IRI> or a prefixed name (not @prefix).
_STATEMENT_START = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,()\[\]\"]*|:[^\s;,()\[\]\"]*)"
                              r"(?=\s|$)", re.MULTILINE)


def statement_lines(parsed: Parsed) -> dict[Node, int]:
    """The line (1-based) of each subject's first statement in a parsed Turtle file.

    Statements start in column 1 in our files, so a subject's statement is a line that
    begins with its CURIE or <IRI>; a subject named only inside brackets has no line.
    """
    text = parsed.text
    subjects = {s for s, _, _ in parsed.triples}
    lines: dict[Node, int] = {}  # only IRIs: the subjects a statement can start with
    line, counted = 1, 0
    for match in _STATEMENT_START.finditer(text):
        iri = _expand(match[1], parsed.prefixes)
        if iri in subjects and iri not in lines:
            line += text.count("\n", counted, match.start())
            counted = match.start()
            lines[iri] = line
    return lines


def _expand(token: str, namespaces: dict[str, str]) -> URIRef | None:
    if token.startswith("<"):
        return URIRef(token[1:-1])
    prefix, _, local = token.partition(":")
    return URIRef(namespaces[prefix] + local) if prefix in namespaces else None


@dataclass
class Sources:
    """The parsed sources, and where each subject was stated (for error reports).

    A subject's file is the first that types it (rdf:type), else the first that states
    anything of it: a claim described in claims.ttl and linked to its anchor in anchors.ttl
    belongs to claims.ttl.
    """

    ontology: Graph
    imports: Graph
    data: Graph
    shapes: Graph
    mappings: MappingSet
    subject_files: dict[Node, Path]  # every subject, blank nodes too
    subject_lines: dict[Node, int] = field(default_factory=dict)
    shapes_file: Path = Path("ontology/shapes.ttl")  # where `shapes` was read
    # The triples of each graph as a list too: iterating a list is far faster than a Graph.
    triples: dict[URIRef, list[Triple]] = field(default_factory=dict)
    # The same ontology, imports and data in their named graphs, for the SHACL shapes and
    # the SPARQL checks.
    store: ox.Store = field(default_factory=ox.Store)

    def location(self, node: Node | None) -> tuple[str, int]:
        """The file and line of a subject's first statement; line 0 if unknown."""
        if not isinstance(node, URIRef) or node not in self.subject_files:
            return "<unknown file>", 0
        return str(self.subject_files[node]), self.subject_lines.get(node, 0)


def load_sources(paths: SourcePaths) -> Sources:
    """Parse every source file; stop at the first that does not parse."""
    paths.check_exists()
    terms = TermCache()
    sources = Sources(Graph(), Graph(), Graph(), parse_turtle(paths.shapes_file),
                      read_mapping_set(paths.mappings_file), {},
                      shapes_file=paths.shapes_file)
    typed: set[Node] = set()  # subjects whose recorded file types them
    for target, name, files in ((sources.ontology, ONTOLOGY_GRAPH, paths.ontology_files),
                                (sources.imports, IMPORTS_GRAPH, paths.import_files),
                                (sources.data, DATA_GRAPH, paths.data_files)):
        graph_name, listed = ox.NamedNode(name), {}
        for path in files:
            parsed = parse_file(path, terms)
            _record_subjects(sources, parsed, typed)
            target.addN((s, p, o, target) for s, p, o in parsed.triples)
            listed.update(dict.fromkeys(parsed.triples))
            sources.store.extend(ox.Quad(q.subject, q.predicate, q.object, graph_name)
                                 for q in parsed.quads)
        sources.triples[name] = list(listed)  # once each, as in the Graph
    return sources


def _record_subjects(sources: Sources, parsed: Parsed, typed: set[Node]) -> None:
    """Record where each subject of a file is stated, unless an earlier file typed it."""
    lines = statement_lines(parsed)
    typed_here = {s for s, p, _ in parsed.triples if p == RDF.type}
    path = parsed.path
    for subject in dict.fromkeys(s for s, _, _ in parsed.triples):
        if subject in typed or (subject in sources.subject_files and subject not in typed_here):
            continue
        sources.subject_files[subject] = path
        sources.subject_lines.pop(subject, None)
        if subject in lines:
            sources.subject_lines[subject] = lines[subject]
        if subject in typed_here:
            typed.add(subject)
