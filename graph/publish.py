"""Publish the build artifact to a production store, and check that it answers as ours does.

`publish(artifact, queries_dir, target)` puts each named graph of the artifact into the store
over the SPARQL 1.1 Graph Store HTTP Protocol (`PUT {gsp}?graph=IRI`, which replaces the
graph, so a re-run changes nothing), then verifies it through the store's SPARQL endpoint:
the triples in each graph, and the answer to every named query, against ours from the
artifact's embedded store. The report is a table per graph and per query; `report.ok` is
false on any difference.

The remote store's default graph is not ours (the union of graph.namespaces.ALL_GRAPHS,
without the derivations), so every query sends its dataset explicitly: a `default-graph-uri`
and a `named-graph-uri` for each graph of ALL_GRAPHS, as the SPARQL protocol allows; and
the prefixes our queries may use undeclared are prepended as PREFIX lines.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import requests
import requests.auth

from graph.artifact import open_store, read_header
from graph.catalogue import NamedQuery, load_catalogue
from graph.errors import CrtkgError
from graph.namespaces import ALL_GRAPHS, GRAPHS, shorten, sparql_prologue
from graph.query import run_query, table
from graph.sparql_text import blanked, has_keyword, keywords_only

SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
TIMEOUT = 120.0  # seconds for one request
# Triples sent in one request. Virtuoso's authenticated endpoint answers a large body with
# its digest challenge before reading it and closes the connection (a broken pipe here at
# 33k triples); smaller requests also keep under stores' request size limits.
BATCH = 5000
MESSAGE_CHARS = 500  # of a store's error message, quoted in ours


class PublishError(CrtkgError):
    """A request to the store failed: the URL, the status, the store's message, and which
    graphs were already replaced (nothing else was changed)."""

    def __init__(self, method: str, url: str, problem: str, put: Sequence[str],
                 status: int | None = None) -> None:
        self.method, self.url, self.problem, self.put = method, url, problem, list(put)
        self.status = status  # the HTTP status, None if the store was not reached
        changed = (f"the graphs replaced before it: {', '.join(put)}; nothing else was "
                   "changed" if put
                   else "nothing was changed in the store")
        super().__init__(f"{method} {without_password(url)}: {problem}; {changed}")


def without_password(url: str) -> str:
    """A URL as messages show it: a password written into it (user:secret@host) left out.

    >>> without_password("https://dba:secret@store.example/sparql")
    'https://dba@store.example/sparql'
    """
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{parts.username}@{host}"))


@dataclass(frozen=True)
class Target:
    """A store's addresses: its base URL and the paths of its Graph Store and SPARQL
    endpoints (Oxigraph's by default; Virtuoso's are /sparql-graph-crud-auth and /sparql)."""

    base: str
    gsp: str = "/store"
    sparql: str = "/query"
    user: str | None = None
    password: str | None = None

    def url(self, path: str) -> str:
        return self.base.rstrip("/") + "/" + path.lstrip("/")

    def graph_url(self, graph: str) -> str:
        return self.url(self.gsp) + "?" + urllib.parse.urlencode({"graph": graph})


class StoreClient:
    """HTTP to one store, with digest or basic authentication when a user is given."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.session = requests.Session()
        self.put_graphs: list[str] = []  # short names of the graphs replaced so far
        if target.user is not None:
            self.authenticate(target.user, target.password or "")

    def authenticate(self, user: str, password: str) -> None:
        """Answer the store's challenge once, on a request without a body: requests' digest
        authentication then signs every later request in advance. Otherwise each PUT would
        go out unsigned first, and Virtuoso closes the connection on a large unsigned body
        after its 401 (a broken pipe here)."""
        self.session.auth = requests.auth.HTTPDigestAuth(user, password)
        probe = self.target.url(self.target.sparql) + "?query=ASK%7B%7D"
        answer = self.send("GET", probe)
        if answer.status_code == 401 and "basic" in answer.headers.get(
                "WWW-Authenticate", "").lower():
            self.session.auth = requests.auth.HTTPBasicAuth(user, password)

    def send(self, method: str, url: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> requests.Response:
        try:
            return self.session.request(method, url, data=body, headers=headers,
                                        timeout=TIMEOUT)
        except requests.RequestException as err:
            reason = err.args[0] if err.args else err
            reason = getattr(reason, "reason", reason)  # urllib3's, under requests'
            raise PublishError(method, url, f"cannot reach the store ({reason})",
                               self.put_graphs) from None

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> bytes:
        answer = self.send(method, url, body, headers)
        if answer.status_code >= 400:
            message = answer.text.strip()[:MESSAGE_CHARS]
            raise PublishError(method, url, f"HTTP {answer.status_code} {answer.reason}" +
                               (f": {message}" if message else ""), self.put_graphs,
                               answer.status_code)
        return answer.content

    def put_graph(self, name: str, iri: str, triples: list[ox.Triple]) -> None:
        """Replace the graph IRI with these triples: GSP PUT (which creates or replaces the
        graph) with the first batch, POST (which adds) with each further one."""
        url = self.target.graph_url(iri)
        for number, batch in enumerate(batches(triples, BATCH)):
            try:
                self.request("PUT" if number == 0 else "POST", url,
                             ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES),
                             {"Content-Type": N_TRIPLES})
            except PublishError as err:
                if number:  # say the graph is half put
                    err.args = (f"{err}; graph {name} holds only part of its triples",)
                raise
        self.put_graphs.append(name)

    def select(self, query: str, default_graphs: Sequence[str] = (),
               named_graphs: Sequence[str] = ()) -> dict:
        """The SPARQL JSON answer to a query, posted as a form with its dataset."""
        form = [("query", query), *(("default-graph-uri", g) for g in default_graphs),
                *(("named-graph-uri", g) for g in named_graphs)]
        body = urllib.parse.urlencode(form).encode()
        answer = self.request("POST", self.target.url(self.target.sparql), body, {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": SPARQL_JSON})
        try:
            return json.loads(answer)
        except ValueError as err:
            raise PublishError("POST", self.target.url(self.target.sparql),
                               f"the answer is not SPARQL JSON ({err}): {answer[:200]!r}",
                               self.put_graphs) from None


@dataclass
class GraphCheck:
    name: str
    ours: int
    theirs: int | None = None  # None: not counted (the count failed)
    put: bool = False

    @property
    def ok(self) -> bool:
        return self.ours == self.theirs


@dataclass
class QueryCheck:
    name: str
    ours: int | None = None  # rows (or 1 for an ASK answer)
    theirs: int | None = None
    difference: str = ""  # the first differing row, or why the answers differ
    note: str = ""  # why the query was skipped, or the parameters it ran with
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.skipped or not self.difference


@dataclass
class PublishReport:
    target: Target
    graphs: list[GraphCheck] = field(default_factory=list)
    queries: list[QueryCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(g.ok for g in self.graphs) and all(q.ok for q in self.queries)

    def text(self) -> str:
        put = [g.name for g in self.graphs if g.put]
        lines = [f"Store {without_password(self.target.base)} (Graph Store: "
                 f"{self.target.gsp}, SPARQL: {self.target.sparql})",
                 f"Replaced {len(put)} graphs: {', '.join(put)}" if put
                 else "Verified only: no graph was replaced", "",
                 "Triples per graph:"]
        lines.append(table(["graph", "ours", "theirs", "ok"], [
            [g.name, str(g.ours), "?" if g.theirs is None else str(g.theirs),
             "ok" if g.ok else "DIFFERENT"] for g in self.graphs], width=100))
        lines.append("Named queries:")
        lines.append(table(["query", "rows ours", "rows theirs", "answer", "note"], [
            [q.name, _count(q.ours), _count(q.theirs),
             "skipped" if q.skipped else "same" if q.ok else "DIFFERENT", q.note]
            for q in self.queries], width=120))
        different = [q for q in self.queries if not q.ok]
        if different:
            lines.append("Where the answers differ (the first difference of each):")
            lines += [f"  {q.name}: {q.difference}" for q in different]
        graphs_off = sum(not g.ok for g in self.graphs)
        queries_off = sum(not q.ok for q in self.queries)
        skipped = sum(q.skipped for q in self.queries)
        if self.ok:
            lines.append(f"OK: every graph's triples and every named query's answer match "
                         f"({len(self.queries) - skipped} queries compared, {skipped} skipped)")
        else:
            lines.append(f"DIFFERENT: {graphs_off} graph(s) and {queries_off} named "
                         f"query(ies) differ from ours")
        return "\n".join(lines) + "\n"


def batches(triples: list[ox.Triple], size: int) -> list[list[ox.Triple]]:
    """The triples in batches of about `size`, the triples that share a blank node in the
    same batch: a store gives each request's blank nodes new identities, so a blank node
    split across two requests would become two.

    >>> b = ox.BlankNode("b")
    >>> p, x, y = ox.NamedNode("http://e.org/p"), ox.NamedNode("http://e.org/x"), ox.Literal("y")
    >>> [len(c) for c in batches([ox.Triple(x, p, b), ox.Triple(x, p, y), ox.Triple(b, p, y)], 1)]
    [2, 1]
    """
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for triple in triples:
        labels = [t.value for t in (triple.subject, triple.object)
                  if isinstance(t, ox.BlankNode)]
        if len(labels) == 2:
            parent[root(labels[0])] = root(labels[1])
        elif labels:
            root(labels[0])
    groups: dict[object, list[ox.Triple]] = {}
    for number, triple in enumerate(triples):
        label = next((t.value for t in (triple.subject, triple.object)
                      if isinstance(t, ox.BlankNode)), None)
        groups.setdefault(("b", root(label)) if label else number, []).append(triple)
    result: list[list[ox.Triple]] = [[]]
    for group in groups.values():
        if result[-1] and len(result[-1]) + len(group) > size:
            result.append([])
        result[-1].extend(group)
    return result


def _count(n: int | None) -> str:
    return "" if n is None else str(n)


def publish(artifact: Path, queries_dir: Path, target: Target,
            graphs: Iterable[str] | None = None, verify_only: bool = False) -> PublishReport:
    """Put the artifact's named graphs (all of graph.namespaces.GRAPHS, or those named) into
    the target store unless `verify_only`, then compare the store's triple counts and
    answers to the named queries with ours. PublishError if a request fails."""
    names = list(graphs) if graphs is not None else list(GRAPHS)
    unknown = [n for n in names if n not in GRAPHS]
    if unknown:
        raise CrtkgError(f"unknown graph {', '.join(unknown)}; the graphs: {', '.join(GRAPHS)}")
    store = open_store(artifact)
    header = read_header(artifact)
    counts = header.triples if header is not None else {}
    client = StoreClient(target)
    report = PublishReport(target)
    for name in names:
        iri = ox.NamedNode(str(GRAPHS[name]))
        ours = counts.get(name)
        if ours is None:  # an artifact without counts in its header: count them
            ours = sum(1 for _ in store.quads_for_pattern(None, None, None, iri))
        check = GraphCheck(name, ours)
        if not verify_only:
            client.put_graph(name, iri.value, [q.triple for q in
                                               store.quads_for_pattern(None, None, None, iri)])
            check.put = True
        report.graphs.append(check)
    for check in report.graphs:
        check.theirs = count_triples(client, str(GRAPHS[check.name]))
    for named in load_catalogue(queries_dir):
        report.queries.append(compare_query(client, store, named))
    return report


def count_triples(client: StoreClient, graph: str) -> int | None:
    answer = client.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    bindings = answer.get("results", {}).get("bindings", [])
    try:
        return int(bindings[0]["n"]["value"])
    except (IndexError, KeyError, ValueError):
        return None


def first_values(named: NamedQuery) -> tuple[dict[str, str], str]:
    """Values for a named query's required parameters: each one's first enumerated value.
    A required parameter without enumerated values gives ({}, why it is skipped)."""
    given, missing = {}, []
    for p in named.parameters:
        if p.required:
            if p.values:
                given[p.name] = p.values[0]
            else:
                missing.append(p.name)
    if missing:
        return {}, f"required parameter {', '.join(missing)} has no enumerated value"
    return given, ""


def compare_query(client: StoreClient, store: ox.Store, named: NamedQuery) -> QueryCheck:
    """Run the named query here and in the store; the same answer, or where they part."""
    check = QueryCheck(named.name)
    given, why = first_values(named)
    if why:
        check.note, check.skipped = why, True
        return check
    check.note = ", ".join(f"{k}={shorten(v)}" for k, v in given.items())
    substitutions = named.bind(given)
    ours = answer_json(run_query(store, named.text, substitutions=substitutions))
    bare = keywords_only(named.text)
    # A query with its own FROM chooses its dataset, here as in run_query; others get ours.
    dataset = [] if has_keyword(bare, "FROM") else [str(g) for g in ALL_GRAPHS]
    text = sparql_prologue() + bind_values(named.text, substitutions)
    try:
        theirs = client.select(text, dataset, dataset)
    except PublishError as err:
        if err.status is None:  # the store is gone: no use asking it the other queries
            raise
        check.ours = len(canonical_rows(ours)[1])
        check.difference = "the store could not answer: " + " ".join(err.problem.split())[:300]
        return check
    check.ours, check.theirs, check.difference = compare_answers(
        ours, theirs, order_keys(named.text), concatenated(named.text))
    return check


def bind_values(query: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """The query with its parameters bound by a VALUES block at the start of its outermost
    group, since a remote store takes no substitutions: the group's patterns and filters
    see the value, as they see the engine's binding here.

    >>> bind_values("SELECT ?_x_iri WHERE { ?s ?p ?_x_iri }",
    ...             {ox.Variable("_x_iri"): ox.NamedNode("https://e.org/a")})
    'SELECT ?_x_iri WHERE { VALUES (?_x_iri) { (<https://e.org/a>) } ?s ?p ?_x_iri }'
    """
    if not substitutions:
        return query
    # A { inside a string, IRI or comment is blanked, so the first one left opens the
    # outermost group (the WHERE clause's).
    start = blanked(query).find("{")
    if start < 0:
        raise CrtkgError("cannot find where to bind the parameters in the query")
    names = " ".join(str(v) for v in substitutions)
    values = " ".join(str(t) for t in substitutions.values())
    return f"{query[:start + 1]} VALUES ({names}) {{ ({values}) }}{query[start + 1:]}"


def answer_json(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> dict:
    """Our answer in the SPARQL JSON form the store sends, to read both the same way."""
    if isinstance(answer, ox.QueryTriples):
        raise CrtkgError("CONSTRUCT and DESCRIBE named queries are not compared yet")
    text = answer.serialize(format=ox.QueryResultsFormat.JSON)
    # pyoxigraph's stub: without an output, bytes, never None
    return json.loads(text)  # type: ignore[arg-type]


# (GROUP_CONCAT(... ; separator="; ") AS ?name): the separator (group 1 or 2) and the name.
_CONCAT = re.compile(r"""GROUP_CONCAT\s*\([^;()]*(?:\([^()]*\)[^;()]*)*
                         (?:;\s*SEPARATOR\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'))?
                         \s*\)\s*AS\s*[?$](\w+)""", re.IGNORECASE | re.VERBOSE)


def concatenated(query: str) -> dict[str, str]:
    """The variables a GROUP_CONCAT makes, and its separator (" " unless given). SPARQL
    leaves the order of the parts undefined, and stores do differ in it.

    >>> concatenated('SELECT (GROUP_CONCAT(DISTINCT ?m; separator="; ") AS ?ms) {}')
    {'ms': '; '}
    """
    return {m[3]: m[1] if m[1] is not None else m[2] if m[2] is not None else " "
            for m in _CONCAT.finditer(query)}


def canonical_rows(answer: dict, unordered: dict[str, str] | None = None
                   ) -> tuple[list[str], list[tuple[str, ...]]]:
    """The variables and rows of a SPARQL JSON answer, each term in N-Triples form: an
    xsd:string datatype left out (RDF 1.1 makes it the same literal), a language tag in
    lower case, a blank node as `_:` (stores label them as they like). The values of the
    `unordered` variables (GROUP_CONCATs: name -> separator) have their parts sorted. An
    ASK answer is one row, its boolean."""
    if "boolean" in answer:
        return ["boolean"], [(str(answer["boolean"]).lower(),)]
    names = answer.get("head", {}).get("vars", [])
    unordered = unordered or {}
    rows = [tuple(_term(b.get(n), unordered.get(n)) for n in names)
            for b in answer.get("results", {}).get("bindings", [])]
    return names, rows


def _term(term: dict | None, separator: str | None = None) -> str:
    if term is None:
        return ""
    kind, value = term.get("type"), term.get("value", "")
    if separator and kind == "literal":
        value = separator.join(sorted(value.split(separator)))
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return "_:"
    text = json.dumps(value, ensure_ascii=False)
    if "xml:lang" in term:
        return f"{text}@{term['xml:lang'].lower()}"
    datatype = term.get("datatype")
    return f"{text}^^<{datatype}>" if datatype and datatype != XSD_STRING else text


def order_keys(query: str) -> list[str]:
    """The variables that the query's outermost ORDER BY sorts on, condition by condition
    (`?a DESC(?b) STR(?c)` gives a, b, c), or [] if it does not order its rows.

    >>> order_keys("SELECT * { ?s ?p ?o } ORDER BY DESC(COALESCE(?p, 0)) ?s LIMIT 3")
    ['p', 's']
    """
    bare = blanked(query)
    found = list(re.finditer(r"\bORDER\s+BY\b", bare, re.IGNORECASE))
    if not found or "}" in bare[found[-1].end():]:  # only a subquery's: no order outside
        return []
    clause = re.split(r"\b(?:LIMIT|OFFSET|VALUES)\b", bare[found[-1].end():],
                      flags=re.IGNORECASE)[0]
    keys: list[str] = []
    for name in re.findall(r"[?$](\w+)", clause):
        if name not in keys:
            keys.append(name)
    return keys


def compare_answers(ours: dict, theirs: dict, keys: Sequence[str] = (),
                    unordered: dict[str, str] | None = None) -> tuple[int, int, str]:
    """Rows ours, rows theirs, and the first difference ('' when the answers are the same).

    The rows are compared as multisets; when the query orders them (`keys`, from
    order_keys), their order is compared too, as far as the order is defined: by the
    values of the sort keys, up to the first key the answer does not show. Rows that tie on
    the keys may come in any order, and do differ between stores. So do the parts of a
    GROUP_CONCAT, compared as sorted parts (`unordered`: name -> separator)."""
    our_names, our_rows = canonical_rows(ours, unordered)
    their_names, their_rows = canonical_rows(theirs, unordered)
    counts = len(our_rows), len(their_rows)
    if our_names != their_names:
        return (*counts, f"variables differ: ours {our_names}, theirs {their_names}")
    only_ours = list((Counter(our_rows) - Counter(their_rows)).elements())
    only_theirs = list((Counter(their_rows) - Counter(our_rows)).elements())
    if only_ours or only_theirs:
        side, row = ("ours", sorted(only_ours)[0]) if only_ours else \
            ("theirs", sorted(only_theirs)[0])
        more = len(only_ours) + len(only_theirs) - 1
        return (*counts, f"only {side}: {_row(our_names, row)}" +
                (f" (and {more} more row{'s' if more > 1 else ''} not in both)"
                                if more else ""))
    shown = []
    for key in keys:
        if key not in our_names:
            break
        shown.append(our_names.index(key))
    for number, (a, b) in enumerate(zip(our_rows, their_rows, strict=True), 1):
        if [a[i] for i in shown] != [b[i] for i in shown]:
            return (*counts, f"same rows, other order: row {number} ours "
                             f"{_row(our_names, a)}, theirs {_row(our_names, b)}")
    return (*counts, "")


def _row(names: list[str], row: tuple[str, ...]) -> str:
    shown = ", ".join(f"{n}={_short(v)}" for n, v in zip(names, row, strict=True) if v)
    return "{" + shown + "}"


def _short(value: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        return shorten(value[1:-1])
    return re.sub(r"\^\^<http://www.w3.org/2001/XMLSchema#(\w+)>$", r"^^xsd:\1", value)
