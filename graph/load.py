"""Find and parse the source files: the ontology, the shapes and the curated data."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from graph.errors import SourceError
from graph.mappings import MappingSet, read_mapping_set

PACKAGE_DIR = Path(__file__).resolve().parent


def default_root() -> Path:
    """The project checkout: $CRTKG_ROOT, or the folder that holds this package."""
    return Path(os.environ.get("CRTKG_ROOT", PACKAGE_DIR.parent)).resolve()


@dataclass(frozen=True)
class SourcePaths:
    """Where a build reads its sources. Everything is under one project root."""

    root: Path

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
    def queries_dir(self) -> Path:
        """The named queries: one `.rq` file a question (not a build input)."""
        return self.root / "queries"

    def all_files(self) -> list[Path]:
        texts = sorted(self.texts_dir.glob("*.txt"))
        return [*self.ontology_files, self.shapes_file, *self.import_files, self.mappings_file,
                *self.data_files, *texts]

    def check_exists(self) -> None:
        for path in [*self.ontology_files, self.shapes_file, self.mappings_file, self.data_dir]:
            if not path.exists():
                raise SourceError(path, "not found; run crtkg from a checkout of the project "
                                        "or point --root (or $CRTKG_ROOT) at one")


# The libraries whose releases change what a build writes or accepts: the reasoner, the
# shape checker, the prefix registry, the parser and the canonical serializer.
BUILD_LIBRARIES = ("owlrl", "pyshacl", "bioregistry", "rdflib", "pyoxigraph")


def sources_digest(paths: SourcePaths) -> str:
    """A SHA-256 over the names and bytes of every source file and of the build code, and
    the versions of the build's libraries.

    Equal digests mean the build would produce the same artifact, so it can be reused.
    """
    digest = hashlib.sha256()
    code = sorted(PACKAGE_DIR.glob("*.py"))
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


@dataclass
class Sources:
    """The parsed sources, and which file each subject was stated in (for error reports)."""

    ontology: Graph
    imports: Graph
    data: Graph
    shapes: Graph
    mappings: MappingSet
    subject_files: dict[URIRef, Path]


def load_sources(paths: SourcePaths) -> Sources:
    """Parse every source file; stop at the first that does not parse."""
    paths.check_exists()
    ontology, imports, data = Graph(), Graph(), Graph()
    subject_files: dict[URIRef, Path] = {}
    for target, files in ((ontology, paths.ontology_files), (imports, paths.import_files),
                          (data, paths.data_files)):
        for path in files:
            parsed = parse_turtle(path)
            for subject in parsed.subjects(unique=True):
                subject_files.setdefault(subject, path)
            target += parsed
    return Sources(ontology, imports, data, parse_turtle(paths.shapes_file),
                   read_mapping_set(paths.mappings_file), subject_files)
