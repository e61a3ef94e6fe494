"""Find and parse the source files: the ontology, the shapes and the curated data."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from rdflib import RDF, Graph, Node, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from graph.errors import SourceError
from graph.mappings import MappingSet, read_mapping_set
from graph.registry import REGISTRY_FILE

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


# The libraries whose releases change what a build writes or accepts: the reasoner, the
# shape checker, the parser and the canonical serializer. (The prefix registry is read from
# its extract, graph/registry.json, which the digest covers as code.)
BUILD_LIBRARIES = ("owlrl", "pyshacl", "rdflib", "pyoxigraph")


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


def parse_turtle(path: Path) -> Graph:
    """Parse one Turtle file; a syntax error names the file, line and column."""
    graph = Graph(bind_namespaces="none")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(path, f"cannot read: {err}") from err
    try:
        graph.parse(data=text, format="turtle", publicID=path.as_uri())
    except BadSyntax as err:
        line, column = _position(text, err)
        raise SourceError(path, f"Turtle syntax error: {err._why}", line, column) from err
    except Exception as err:  # rdflib raises assorted types for bad IRIs and literals
        raise SourceError(path, f"cannot parse as Turtle: {err}") from err
    return graph


def _position(text: str, err: BadSyntax) -> tuple[int, int]:
    """Line and column (1-based) of a BadSyntax error in the parsed text."""
    consumed = err._str.decode("utf-8", errors="replace")[: err._i]
    line = consumed.count("\n") + 1
    column = len(consumed) - (consumed.rfind("\n") + 1) + 1
    return line, column


# A statement's subject at the start of a line: an <IRI> or a prefixed name (not @prefix).
_STATEMENT_START = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,()\[\]\"]*|:[^\s;,()\[\]\"]*)"
                              r"(?=\s|$)", re.MULTILINE)


def statement_lines(path: Path, graph: Graph) -> dict[URIRef, int]:
    """The line (1-based) of each subject's first statement in a parsed Turtle file.

    Statements start in column 1 in our files, so a subject's statement is a line that
    begins with its CURIE or <IRI>; a subject named only inside brackets has no line.
    """
    text = path.read_text(encoding="utf-8")
    namespaces = {prefix: str(iri) for prefix, iri in graph.namespaces()}
    subjects = set(graph.subjects())
    lines: dict[URIRef, int] = {}
    for match in _STATEMENT_START.finditer(text):
        iri = _expand(match[1], namespaces)
        if iri in subjects and iri not in lines:
            lines[iri] = text.count("\n", 0, match.start()) + 1
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
    subject_files: dict[URIRef, Path]
    subject_lines: dict[URIRef, int] = field(default_factory=dict)

    def location(self, node: Node | None) -> tuple[str, int]:
        """The file and line of a subject's first statement; line 0 if unknown."""
        file = self.subject_files.get(node) if isinstance(node, URIRef) else None
        if file is None:
            return "<unknown file>", 0
        return str(file), self.subject_lines.get(node, 0)


def load_sources(paths: SourcePaths) -> Sources:
    """Parse every source file; stop at the first that does not parse."""
    paths.check_exists()
    ontology, imports, data = Graph(), Graph(), Graph()
    sources = Sources(ontology, imports, data, parse_turtle(paths.shapes_file),
                      read_mapping_set(paths.mappings_file), {})
    typed: set[URIRef] = set()  # subjects whose recorded file types them
    for target, files in ((ontology, paths.ontology_files), (imports, paths.import_files),
                          (data, paths.data_files)):
        for path in files:
            parsed = parse_turtle(path)
            _record_subjects(sources, path, parsed, typed)
            target += parsed
    return sources


def _record_subjects(sources: Sources, path: Path, parsed: Graph, typed: set[URIRef]) -> None:
    """Record where each subject of a file is stated, unless an earlier file typed it."""
    lines = statement_lines(path, parsed)
    typed_here = set(parsed.subjects(RDF.type))
    for subject in parsed.subjects(unique=True):
        if subject in typed or (subject in sources.subject_files and subject not in typed_here):
            continue
        sources.subject_files[subject] = path
        sources.subject_lines.pop(subject, None)
        if subject in lines:
            sources.subject_lines[subject] = lines[subject]
        if subject in typed_here:
            typed.add(subject)
