"""Import modules: the few terms crtkg uses from external OBO ontologies, extracted ODK-style.

An import module, `ontology/imports/<ont>_import.ttl`, holds the seed terms listed in
`<ont>_terms.txt` together with all their is_a ancestors: labels, definitions, exact synonyms
and the subClassOf edges between them. The build loads the modules beside `crtkg.ttl` so that
it reasons over the imported hierarchy: a query for OBI:0003697 "clinical investigation" then
finds the randomized trials and the observational studies, classed under OBI's subclasses of it.

The modules are committed, so a build needs neither the release files nor the network.
`crtkg imports refresh --source DIR` regenerates them from the OBO release files in DIR and
records in each module the source PURL, version, license and SHA-256 of the release it read.
The output depends on the inputs only (no timestamps), so a refresh that changes nothing
leaves every module byte-identical.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pronto
from rdflib import Graph, Literal, URIRef

from graph.errors import SourceError
from graph.files import read_source, write_atomically
from graph.namespaces import BASE, DCTERMS, OBO, OBOINOWL, OWL, RDF, RDFS, XSD

DEFINITION = OBO.IAO_0000115
MODULE_BASE = BASE + "ontology/imports/"
MODULE_PREFIXES = {"obo": OBO, "owl": OWL, "rdfs": RDFS, "dcterms": DCTERMS,
                   "oboInOwl": OBOINOWL, "xsd": XSD}
LICENSE_PROPERTIES = {str(DCTERMS.license), "dcterms:license"}

CURIE = re.compile(r"([A-Za-z][A-Za-z0-9_]*):([A-Za-z0-9_]+)")

# The clauses a module needs; all others are blanked before pronto reads a release. Its strict
# parser (fastobo) rejects clauses that real releases carry: xrefs that are IRIs with escaped
# colons (maxo.obo), a definition xref with a space in it (eco.obo). Blanking, not deleting,
# keeps line numbers, so a syntax error still points at the line of the release file.
HEADER_TAGS = {"format-version", "data-version", "ontology", "property_value"}
TERM_TAGS = {"id", "name", "def", "synonym", "is_a", "is_obsolete", "replaced_by", "consider"}
# A definition or synonym up to its quoted text (and scope); its xref list is replaced by [].
QUOTED_HEAD = re.compile(r'(def:\s*"(?:[^"\\]|\\.)*"|synonym:\s*"(?:[^"\\]|\\.)*"\s+[A-Z]+)')


@dataclass(frozen=True)
class Seed:
    """One term a seed file asks for, and where it asks."""

    curie: str
    file: Path
    line: int


@dataclass(frozen=True)
class ModuleSummary:
    """What `refresh` made of one seed file."""

    name: str  # the ontology's short name, e.g. "obi"
    source: Path  # the release file read
    version: str
    seeds: int
    classes: int
    module_file: Path  # the module written


@dataclass(frozen=True)
class Release:
    """An OBO release file as pronto read it, after the lenient pass."""

    file: Path
    ontology: pronto.Ontology
    sha256: str
    undefined: frozenset[str]  # is_a parents the file names but does not define


def refresh(source_dir: Path, imports_dir: Path) -> list[ModuleSummary]:
    """Regenerate `<ont>_import.ttl` for each `<ont>_terms.txt` in `imports_dir`.

    Reads `<source_dir>/<ont>.obo`, or `<ont>.owl` (RDF/XML) where the ontology releases no
    OBO file (SEPIO). Every module is extracted before any is written, so a
    bad seed or release file leaves all committed modules as they were. A term that several
    modules reach is described (label, definition, synonyms) by one of them only, so the
    union of the modules gives it one label (see `describers`).
    """
    seed_files = sorted(imports_dir.glob("*_terms.txt"))
    if not seed_files:
        raise SourceError(imports_dir, "no <ont>_terms.txt seed files here")
    extractions = [_extraction(seed_file, source_dir) for seed_file in seed_files]
    owners = describers(extractions)
    modules = [_module(extraction, owners) for extraction in extractions]
    for summary, turtle in modules:
        write_atomically(summary.module_file, turtle)
    return [summary for summary, _ in modules]


@dataclass(frozen=True)
class Extraction:
    """What one seed file asks of its release: the seeds and their is_a closure."""

    name: str  # the ontology's short name, e.g. "obi"
    seed_file: Path
    release: Release
    seeds: list[Seed]
    terms: list[pronto.Term]  # the seeds and their labelled ancestors, each once


def _extraction(seed_file: Path, source_dir: Path) -> Extraction:
    name = seed_file.name.removesuffix("_terms.txt")
    release_file = next((f for f in (source_dir / f"{name}.obo", source_dir / f"{name}.owl")
                         if f.is_file()), source_dir / f"{name}.obo")
    if not release_file.is_file():
        raise SourceError(release_file, f"not found: the release file that {seed_file.name} "
                                        "needs (--source must be the folder of the .obo or "
                                        ".owl files)")
    seeds = read_seeds(seed_file)
    release = read_release(release_file)
    return Extraction(name, seed_file, release, seeds, list(_closure(release, seeds)))


def describers(extractions: list[Extraction]) -> dict[URIRef, str]:
    """Which module describes each term: the module of the term's own ontology (OBI's terms
    in obi_import); else, of the modules that reach it, the first by name that has a
    definition for it; else the first by name.

    Upper-level terms come along in several modules, and the releases label them
    differently (IAO:0000030 is "information content entity" in OBI's release,
    "information" in SEPIO's); a union with two labels for one term is what ROBOT reports
    as multiple_labels. A term's own ontology has the authority over its label. For a term
    of an ontology with no module here (BFO, COB, IAO), a module with a definition loses
    nothing the others have, and the names break ties, so the result does not depend on the
    order of the files.
    """
    candidates: dict[URIRef, list[tuple[bool, bool, str]]] = {}
    for extraction in extractions:
        for term in extraction.terms:
            own = term.id.partition(":")[0].lower() == extraction.name
            candidates.setdefault(term_iri(term.id, extraction.name), []).append(
                (not own, not term.definition, extraction.name))
    return {iri: min(ranks)[2] for iri, ranks in candidates.items()}


def _module(extraction: Extraction, owners: dict[URIRef, str]) -> tuple[ModuleSummary, bytes]:
    name = extraction.name
    module = module_graph(extraction, owners)
    summary = ModuleSummary(
        name=name, source=extraction.release.file,
        version=str(module.value(_module_iri(name), OWL.versionInfo)),
        seeds=len({s.curie for s in extraction.seeds}),
        classes=len(set(module.subjects(RDF.type, OWL.Class))),
        module_file=extraction.seed_file.with_name(f"{name}_import.ttl"))
    return summary, module.serialize(format="turtle", encoding="utf-8")


def read_seeds(seed_file: Path) -> list[Seed]:
    """The CURIEs of a seed file, e.g. `OBI:0003697  # clinical investigation`: one a line,
    `#` starts a comment, blank lines are ignored, each CURIE has the file's prefix (OBI for
    obi_terms.txt)."""
    prefix = seed_file.name.removesuffix("_terms.txt").upper()
    seeds = []
    for number, line in enumerate(read_source(seed_file).split("\n"), start=1):
        curie = line.split("#", 1)[0].strip()
        if not curie:
            continue
        match = CURIE.fullmatch(curie)
        if match is None:
            raise SourceError(seed_file, f"{curie!r} is not a CURIE like {prefix}:0000001 "
                                         "(a label goes after a #)", number)
        if match[1] != prefix:
            raise SourceError(seed_file, f"{curie} is from another ontology: "
                                         f"{seed_file.name} lists {prefix} terms only", number)
        seeds.append(Seed(curie, seed_file, number))
    return seeds


def module_graph(extraction: Extraction, owners: dict[URIRef, str]) -> Graph:
    """The module of an extraction: its header, and each term as an OWL class with its
    is_a edges, described (label, definition, synonyms) where `owners` gives it this
    module, or names no module for it."""
    name = extraction.name
    module = Graph(bind_namespaces="none")
    for prefix, namespace in MODULE_PREFIXES.items():
        module.bind(prefix, namespace)
    _add_header(module, extraction.release, name)
    for term in extraction.terms:
        described = owners.get(term_iri(term.id, name), name) == name
        _add_class(module, term, name, described)
    return module


def read_release(obo_file: Path) -> Release:
    """Parse a release file with pronto: an OBO file after blanking the clauses no module
    needs, an OWL (RDF/XML) file as it is."""
    text = read_source(obo_file, keep_newlines=True)  # as pronto would read the file
    lines, undefined = _lenient_lines(text) if obo_file.suffix == ".obo" else ([text], set())
    with tempfile.TemporaryDirectory() as folder:
        lenient = Path(folder) / obo_file.name
        lenient.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pronto's notes on clauses it skips
                ontology = pronto.Ontology(str(lenient), import_depth=0, encoding="utf-8")
        except SyntaxError as err:
            raise SourceError(obo_file, f"OBO syntax error: {err.msg}", err.lineno) from None
        except ValueError as err:  # pronto's answer to a file it cannot tell the format of
            reason = str(err).replace(str(lenient), obo_file.name)
            raise SourceError(obo_file, f"not an OBO file pronto can read: {reason}") from None
    with obo_file.open("rb") as release:  # the checksum of the file's bytes, as published
        sha256 = hashlib.file_digest(release, "sha256").hexdigest()
    return Release(obo_file, ontology, sha256, frozenset(undefined))


def _lenient_lines(text: str) -> tuple[list[str], set[str]]:
    """The release's lines with unneeded clauses blanked, plus stub frames for undefined
    is_a parents: pronto fails with a KeyError on those (althonos/pronto#226)."""
    lines, defined, parents = [], set(), set()
    in_term = False  # only [Term] frames matter; [Typedef] and [Instance] ones are blanked
    header = True
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if line.startswith("["):
            header, in_term = False, line.strip() == "[Term]"
            lines.append(line if in_term else "")
            continue
        tag, _, value = line.partition(":")
        if tag not in (HEADER_TAGS if header else TERM_TAGS) or not (header or in_term):
            lines.append("")
            continue
        if tag == "id":
            defined.add(value.strip())
        elif tag == "is_a" and value.split():
            parents.add(value.split()[0])
        lines.append(_without_xrefs(line) if tag in ("def", "synonym") else line)
    undefined = parents - defined
    lines.extend(f"\n[Term]\nid: {parent}" for parent in sorted(undefined))
    return lines, undefined


def _without_xrefs(line: str) -> str:
    """A def or synonym clause with its xref list emptied (fastobo rejects some xrefs).

    >>> _without_xrefs('def: "A trial." [PMID:123, OBI:sc]')
    'def: "A trial." []'
    >>> _without_xrefs('synonym: "RCT" EXACT [OBI:x]')
    'synonym: "RCT" EXACT []'
    """
    match = QUOTED_HEAD.match(line)
    return f"{match[1]} []" if match else line  # unmatched: let the parser report the line


def _closure(release: Release, seeds: list[Seed]) -> Iterator[pronto.Term]:
    """Each seed and its is_a ancestors that the file defines with a label, each once."""
    todo = [_seed_term(release, seed) for seed in seeds]
    seen: set[str] = set()
    while todo:
        term = todo.pop()
        if term.id in seen or term.id in release.undefined or not term.name:
            continue
        seen.add(term.id)
        yield term
        todo.extend(term.superclasses(distance=1, with_self=False))


def _seed_term(release: Release, seed: Seed) -> pronto.Term:
    ontology, source = release.ontology, release.file.name
    if seed.curie not in ontology or seed.curie in release.undefined:
        raise SourceError(seed.file, f"{seed.curie} is not in {source}", seed.line)
    term = ontology.get_term(seed.curie)
    if term.obsolete:
        raise SourceError(seed.file, f"{seed.curie} is obsolete in {source}"
                                     + _replacements(ontology, term), seed.line)
    return term


def _replacements(ontology: pronto.Ontology, term: pronto.Term) -> str:
    def named(ids: frozenset[str]) -> str:
        return ", ".join(f"{i} ({ontology[i].name})" if i in ontology and ontology[i].name else i
                         for i in sorted(ids))
    if term.replaced_by.ids:
        return f"; replaced by {named(term.replaced_by.ids)}"
    if term.consider.ids:
        return f"; consider {named(term.consider.ids)}"
    return "; the file names no replacement"


def _add_header(module: Graph, release: Release, name: str) -> None:
    metadata = release.ontology.metadata
    if not metadata.ontology:
        raise SourceError(release.file, "has no `ontology:` header tag, so no OBO PURL to cite")
    iri = _module_iri(name)
    module.add((iri, RDF.type, OWL.Ontology))
    module.add((iri, DCTERMS.source, OBO[f"{metadata.ontology}.owl"]))
    module.add((iri, OWL.versionInfo, Literal(_version(metadata))))
    for license_iri in _licenses(metadata):
        module.add((iri, DCTERMS.license, URIRef(license_iri)))
    module.add((iri, RDFS.comment, Literal(
        f"Extracted by `crtkg imports refresh` from {release.file.name} (SHA-256 "
        f"{release.sha256}): the terms of {name}_terms.txt with their labels, definitions, "
        "exact synonyms and is_a ancestors.")))


def _module_iri(name: str) -> URIRef:
    return URIRef(f"{MODULE_BASE}{name}_import")


def _version(metadata: pronto.Metadata) -> str:
    """`data-version` verbatim; else `property_value: owl:versionInfo` (stato.obo has only
    that); else "unversioned"."""
    if metadata.data_version:
        return metadata.data_version
    infos = sorted(pv.literal for pv in metadata.annotations
                   if pv.property in ("owl:versionInfo", str(OWL.versionInfo))
                   and isinstance(pv, pronto.LiteralPropertyValue))
    return infos[0] if infos else "unversioned"


def _licenses(metadata: pronto.Metadata) -> list[str]:
    # OBI states its license as a string literal, ECO and MAxO as an IRI: both are IRIs here.
    values = {pv.literal if isinstance(pv, pronto.LiteralPropertyValue) else pv.resource
              for pv in metadata.annotations if pv.property in LICENSE_PROPERTIES
              and isinstance(pv, pronto.LiteralPropertyValue | pronto.ResourcePropertyValue)}
    return sorted(v.strip() for v in values)


def _add_class(module: Graph, term: pronto.Term, name: str, described: bool = True) -> None:
    """A term as an OWL class with its is_a edges; its label, definition and exact synonyms
    only if this module describes it. The edges stay in every module that reaches the
    term: they are its ontology's view of the hierarchy, and the union needs them all."""
    iri = term_iri(term.id, name)
    module.add((iri, RDF.type, OWL.Class))
    for parent in term.superclasses(distance=1, with_self=False):
        module.add((iri, RDFS.subClassOf, term_iri(parent.id, name)))
    if not described:
        return
    module.add((iri, RDFS.label, Literal(term.name, lang="en")))
    if term.definition:
        module.add((iri, DEFINITION, Literal(str(term.definition), lang="en")))
    for synonym in term.synonyms:
        if synonym.scope == "EXACT":
            module.add((iri, OBOINOWL.hasExactSynonym, Literal(synonym.description, lang="en")))


def term_iri(identifier: str, ontology: str) -> URIRef:
    """The OBO PURL of an OBO identifier.

    >>> str(term_iri("OBI:0003697", "obi"))
    'http://purl.obolibrary.org/obo/OBI_0003697'
    >>> str(term_iri("ObsoleteProperty", "obi"))
    'http://purl.obolibrary.org/obo/obi#ObsoleteProperty'
    """
    if identifier.startswith(("http://", "https://")):
        return URIRef(identifier)
    prefix, sep, local = identifier.partition(":")
    return OBO[f"{prefix}_{local}"] if sep else OBO[f"{ontology}#{identifier}"]
