"""What can be read off a SPARQL text without parsing it: its keywords and its nesting.

Cheap enough to run before every query. The text is first freed of what may hide a word
without being one (comments, strings, IRIs), after SPARQL's \\u escapes are decoded, since
those may stand anywhere in a query.
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NOT_KEYWORDS = re.compile(r"""
    \#[^\n]*                                   # a comment
  | '''(?:[^'\\]|\\.|'(?!''))*'''              # long strings, which may hold quotes
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
  | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'  # short strings
  | <[^<>"{}|^`\s]*>                           # an IRI
""", re.VERBOSE)
# Declarations, once their IRIs are blanked out: BASE, PREFIX name:
_PROLOGUE = re.compile(r"\s*(?:BASE\b|PREFIX\s+[^\s:]*:)", re.IGNORECASE)
_NOT_BRACKETS = re.compile(r"[^()\[\]{}]+")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE",
                   "COPY", "WITH")


def decoded(query: str) -> str:
    """The text with SPARQL's \\u and \\U escapes decoded.

    >>> decoded(r"kg:\u0065chocrt")
    'kg:echocrt'
    """
    if "\\u" not in query and "\\U" not in query:  # most queries: no scan by the pattern
        return query
    return _ESCAPE.sub(lambda m: chr(int(m[1] or m[2], 16)), query)


def keywords_only(query: str) -> str:
    """The text with escapes decoded and comments, strings and IRIs blanked out.

    >>> keywords_only('PREFIX kg: <https://w3id.org/crtkg/id/> SELECT * { ?s ?p "((" } # {')
    'PREFIX kg:   SELECT * { ?s ?p   }  '
    """
    return _NOT_KEYWORDS.sub(" ", decoded(query))


def blanked(query: str) -> str:
    """The text with comments, strings and IRIs overwritten by spaces, every other character
    where it was, so a position in it is the same position in the query (escapes are left
    as they are: use keywords_only to read keywords).

    >>> blanked('SELECT * { ?s ?p "{" } # {')
    'SELECT * { ?s ?p     }    '
    """
    return _NOT_KEYWORDS.sub(lambda m: " " * len(m[0]), query)


def has_keyword(bare: str, word: str) -> bool:
    """Whether `word` stands as a keyword in a text from keywords_only (not inside a prefixed
    name such as kg:a-from, nor a variable such as ?from).

    >>> has_keyword(keywords_only("SELECT * FROM <urn:g> { ?s ?p ?o }"), "from")
    True
    >>> has_keyword(keywords_only("SELECT ?from { ?from kg:a-from ?o }"), "from")
    False
    """
    return re.search(rf"(?<![\w:?$.%-]){word}(?![\w:.%-])", bare, re.IGNORECASE) is not None


def nesting_depth(bare: str) -> int:
    """The deepest nesting of brackets of any kind in a text from keywords_only.

    >>> nesting_depth(keywords_only('SELECT * { ?s ?p "((((" FILTER((?o)) }'))
    3
    """
    depth = deepest = 0
    for char in _NOT_BRACKETS.sub("", bare):  # the loop sees the brackets alone
        if char in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")}]":
            depth -= 1
    return deepest


def is_update(bare: str) -> bool:
    """Whether the text (from keywords_only) is a SPARQL Update: its first word after the
    prologue is one of the update operations.

    >>> is_update(keywords_only("PREFIX x: <urn:x:> # a note\\nINSERT DATA { x:a x:b x:c }"))
    True
    >>> is_update(keywords_only('SELECT * { ?s ?p "INSERT" }'))
    False
    """
    position = 0
    while match := _PROLOGUE.match(bare, position):
        position = match.end()
    first = re.match(r"\s*([A-Za-z]+)", bare[position:])
    return first is not None and first[1].upper() in UPDATE_KEYWORDS


# What names an IRI, once comments and strings are out of the way: a whole IRI, a PREFIX
# declaration, or a prefixed name (its local part without a final dot, which ends a triple).
_TERMS = re.compile(r"""
    (?P<skip>\#[^\n]*
      | '''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*')
  | (?P<declare>PREFIX\s+(?P<name>[A-Za-z][\w.-]*)?:\s*<(?P<namespace>[^<>"{}|^`\s]*)>)
  | <(?P<iri>[^<>"{}|^`\s]*)>
  | (?<![\w?$:.\\<-])(?P<prefix>[A-Za-z][\w.-]*)?:
      (?P<local>(?:[\w:-]|%[0-9A-Fa-f]{2}|\\[-_~.!$&'()*+,;=/?\#@%]|\.(?=[\w:%\\-]))*)
""", re.VERBOSE | re.IGNORECASE)


def declared_prefixes(query: str) -> dict[str, str]:
    """The query's own PREFIX declarations, name to namespace.

    >>> declared_prefixes("PREFIX ex: <http://example.org/> PREFIX : <urn:x:> SELECT * {}")
    {'ex': 'http://example.org/', '': 'urn:x:'}
    """
    return {m["name"] or "": m["namespace"] for m in _TERMS.finditer(decoded(query))
            if m["declare"]}


def iris_in(query: str, prefixes: dict[str, str]) -> list[str]:
    """The IRIs the query names, written whole or as prefixed names of `prefixes` or of the
    query's own PREFIX declarations, in order; what stands in comments or strings is not
    read. One pass: a declaration counts from where it stands, as in SPARQL.

    >>> iris_in('SELECT * { ?s kg:a "kg:b" } # kg:c', {"kg": "https://w3id.org/crtkg/id/"})
    ['https://w3id.org/crtkg/id/a']
    >>> iris_in('PREFIX ex: <http://example.org/> ASK { ex:x ?p <http://example.org/y> }', {})
    ['http://example.org/x', 'http://example.org/y']
    """
    known, found = dict(prefixes), []
    for match in _TERMS.finditer(decoded(query)):
        if match["declare"]:
            known[match["name"] or ""] = match["namespace"]
        elif match["iri"] is not None:
            found.append(match["iri"])
        elif match["local"] is not None and (match["prefix"] or "") in known:
            local = match["local"]
            if "\\" in local:  # an escaped character: kg:a\.b names kg:a.b
                local = re.sub(r"\\(.)", r"\1", local)
            found.append(known[match["prefix"] or ""] + local)
    return found


def prefixed_names(query: str) -> list[tuple[str, int]]:
    """The prefix and the offset of each prefixed name of the query, comments and strings
    aside (offsets are of the text as given, so for a query without \\u escapes).

    >>> prefixed_names('SELECT * { ?s kg:a "crtkg:b" ; rdfs:label ?l }')
    [('kg', 14), ('rdfs', 31)]
    """
    return [(m["prefix"] or "", m.start()) for m in _TERMS.finditer(query)
            if m["local"] is not None]
