"""The named queries of `queries/`: one SPARQL file a question, with a grlc-style header.

The header is the file's leading `#+ ` comment lines, read as YAML (grlc's decorators):

    #+ summary: Which trials tested a given imaging modality?
    #+ description: ...
    #+ tags:
    #+   - trials
    #+ enumerate:
    #+   - modality:
    #+     - kg:echocardiography
    #+     - kg:cardiac-mri

Parameters follow grlc's (and BASIL's) variable names: `?_name` is a required parameter,
`?__name` an optional one; a suffix types it: `?_name_iri` an IRI (a CURIE of the project's
prefixes or a full IRI), `?_name_integer` an integer, `?_name_en` a literal in that language,
`?_name_xsd_date` a literal of that prefixed datatype; no suffix, a plain string. Values are
bound by the engine (pyoxigraph's substitutions), never pasted into the text, so no value can
change a query's shape. Two rules of the engine, checked when a file is loaded: a SELECT
query must project its parameters (they are left out of the answer again), and an optional
parameter is tested with `COALESCE(expression, true)`, not `BOUND()`, which pyoxigraph 0.5
reports false for a bound parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import yaml

from graph.errors import QueryError, SourceError
from graph.files import read_source
from graph.identifiers import IRI_PATTERN
from graph.namespaces import PREFIXES, curie_or_iri, full_iri
from graph.query import Answer, run_query, sparql_syntax_error

DECORATOR = "#+"  # starts each line of the header: grlc calls them decorators
XSD = "http://www.w3.org/2001/XMLSchema#"
# ?_name or ?__name, then an optional _type: iri, integer, a language tag, or prefix_datatype.
PARAMETER = re.compile(r"[?$](__?)([A-Za-z][A-Za-z0-9]*)(?:_([A-Za-z][\w-]*))?\b")
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]+)*")


class ParameterError(QueryError):
    """A parameter value the query cannot take; the message names the parameter."""


@dataclass(frozen=True)
class Parameter:
    name: str  # as users give it: --param name=value, ?name=value
    variable: str  # the SPARQL variable it binds, without ?
    kind: str  # "string", "iri", "integer", "language" or "datatype"
    required: bool
    language: str | None = None
    datatype: str | None = None  # full IRI, for kind "datatype" and "integer"
    values: tuple[str, ...] = ()  # the allowed values (full IRIs for kind "iri"), if enumerated

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a value given as text; ParameterError if it does not fit."""
        given = value
        if self.kind == "iri":
            value = full_iri(value)
        if self.values and value not in self.values:
            raise ParameterError(f"parameter {self.name}={given!r} is not one of the allowed "
                                 f"values: {', '.join(shorten_all(self.values))}")
        if self.kind == "iri":
            try:
                if re.fullmatch(IRI_PATTERN, value):
                    return ox.NamedNode(value)
            except ValueError:  # a character IRIs may not hold, as Oxigraph checks them
                pass
            raise ParameterError(f"parameter {self.name}={value!r} is not an IRI or a CURIE "
                                 f"of a known prefix ({', '.join(PREFIXES)})")
        if self.kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", value):
                raise ParameterError(f"parameter {self.name}={value!r} is not an integer")
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "integer"))
        if self.kind == "language":
            return ox.Literal(value, language=self.language)
        if self.kind == "datatype":
            return ox.Literal(value, datatype=ox.NamedNode(self.datatype or ""))
        return ox.Literal(value)


@dataclass(frozen=True)
class NamedQuery:
    name: str  # the file's name without .rq
    summary: str
    text: str  # the whole file, header included (comments are valid SPARQL)
    path: Path
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    def bind(self, given: Mapping[str, str]) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        """The substitutions for the given parameter values, checked against the header."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise ParameterError(f"{self.name} has no parameter {', '.join(unknown)}; its "
                                 f"parameters: {', '.join(known) or '(none)'}")
        missing = [p.name for p in self.parameters if p.required and p.name not in given]
        if missing:
            raise ParameterError(f"{self.name} needs the parameter {', '.join(missing)}")
        return {ox.Variable(known[n].variable): known[n].term(v) for n, v in given.items()}

    def run(self, store: ox.Store, given: Mapping[str, str] | None = None,
            infer: bool = True, served: ox.Store | None = None) -> Answer:
        return run_query(store, self.text, infer, substitutions=self.bind(given or {}),
                         served=served)


def shorten_all(values: tuple[str, ...]) -> list[str]:
    """Values as users type them (namespaces.curie_or_iri)."""
    return [curie_or_iri(v) for v in values]


def load_catalogue(folder: Path) -> list[NamedQuery]:
    """Every `*.rq` file of the folder, by name; a broken file names its file and line."""
    return [read_named_query(p) for p in sorted(folder.glob("*.rq"))]


def read_named_query(path: Path) -> NamedQuery:
    text = read_source(path, "query file")
    header = read_decorators(path, text)
    parameters = read_parameters(path, text, header)
    check_query(path, text, parameters)
    return NamedQuery(name=path.stem, summary=header["summary"].strip(), text=text, path=path,
                      description=str(header.get("description") or "").strip(),
                      tags=tuple(str(t) for t in header.get("tags") or []),
                      parameters=parameters)


def read_decorators(path: Path, text: str) -> dict:
    """The file's leading `#+` lines, read as YAML: a mapping with a `summary:` at least."""
    lines = []
    for line in text.splitlines():
        if not line.startswith(DECORATOR):
            break
        lines.append(line[len(DECORATOR):].removeprefix(" "))
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise SourceError(path, f"broken `#+` header: {getattr(err, 'problem', err)}",
                          mark.line + 1 if mark is not None else None) from None
    if not isinstance(header, dict) or not isinstance(header.get("summary"), str):
        raise SourceError(path, "the `#+` header needs a `summary:` line", 1)
    return header


def check_query(path: Path, text: str, parameters: tuple[Parameter, ...]) -> None:
    """Parse the query once, its parameters bound (on an empty store: nothing is evaluated),
    so a syntax error, or a parameter the engine cannot bind, shows at load time rather than
    as a wrong answer later. The engine binds a parameter only where a SELECT projects it,
    and never for BOUND()."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith("#") and re.search(r"BOUND\s*\(\s*[?$]_", line, re.I):
            raise SourceError(path, "BOUND() of a parameter is always false in the engine; "
                                    "test it with COALESCE(expression, true)", number)
    try:
        ox.Store().query(text, prefixes=PREFIXES, substitutions={
            ox.Variable(p.variable): ox.Literal("") for p in parameters})
    except SyntaxError as err:
        raise sparql_syntax_error(path, text, err) from None
    except (RuntimeError, ValueError) as err:
        select = next((n for n, t in enumerate(text.splitlines(), 1)
                       if re.match(r"\s*(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", t, re.I)), None)
        raise SourceError(path, f"a parameter must be in the SELECT clause, where the engine "
                                f"binds it ({err})", select) from None


def read_parameters(path: Path, text: str, header: dict) -> tuple[Parameter, ...]:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    found: dict[str, Parameter] = {}
    for match in PARAMETER.finditer(body):
        underscores, name, suffix = match.groups()
        if name not in found:
            found[name] = parameter(path, match[0][1:], name, suffix, underscores == "_")
    enumerations = header.get("enumerate") or []
    if not isinstance(enumerations, list):
        raise SourceError(path, "`enumerate:` must be a list of `- name: [values]`")
    for entry in enumerations:
        for name, values in (entry.items() if isinstance(entry, dict) else [(entry, None)]):
            if name not in found or not isinstance(values, list):
                raise SourceError(path, f"`enumerate:` names {name!r}, which is not a parameter "
                                        f"with a list of values; parameters: {', '.join(found)}")
            p = found[name]
            allowed = tuple(full_iri(str(v)) if p.kind == "iri" else str(v) for v in values)
            found[name] = Parameter(p.name, p.variable, p.kind, p.required, p.language,
                                    p.datatype, allowed)
    return tuple(found.values())


def parameter(path: Path, variable: str, name: str, suffix: str | None,
              required: bool) -> Parameter:
    if suffix is None:
        return Parameter(name, variable, "string", required)
    if suffix == "iri":
        return Parameter(name, variable, "iri", required)
    if suffix == "integer":
        return Parameter(name, variable, "integer", required, datatype=XSD + "integer")
    prefix, _, local = suffix.partition("_")
    if local and prefix in PREFIXES:
        return Parameter(name, variable, "datatype", required, datatype=PREFIXES[prefix] + local)
    if LANGUAGE.fullmatch(suffix):
        return Parameter(name, variable, "language", required, language=suffix)
    raise SourceError(path, f"?{variable}: unknown parameter type {suffix!r} (iri, integer, a "
                            "language tag, or prefix_datatype)")
