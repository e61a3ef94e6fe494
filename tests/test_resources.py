"""Every IRI dereferences: /id/..., /ontology/..., /graph/..., with content negotiation.

What a linked-data client and a person each get at a term's URL: the formats by Accept and by
suffix, the caching headers, the 404 with near names, and what the HTML page shows.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from graph.namespaces import BASE, CRTKG, GRAPHS, KG, RDFS
from tests.helpers import rows

# A browser's Accept header (Chromium's), and each RDF format by media type and by suffix.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RDF = {"text/turtle": (".ttl", ox.RdfFormat.TURTLE),
       "application/n-triples": (".nt", ox.RdfFormat.N_TRIPLES),
       "application/ld+json": (".jsonld", ox.RdfFormat.JSON_LD),
       "application/rdf+xml": (".rdf", ox.RdfFormat.RDF_XML)}
ECHOCRT = ox.NamedNode(f"{KG}echocrt")
LABEL = ox.NamedNode(str(RDFS.label))
CLAIM = "rec-echo-patient-selection"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def triples(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) if isinstance(q, ox.Quad) else q
            for q in ox.parse(body, format=fmt, base_iri=BASE)}


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.content_type == "text/html; charset=utf-8"
    return response.get_data(as_text=True)


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def hrefs(markup: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', markup)]


@pytest.mark.parametrize("media_type", RDF)
def test_each_format_by_accept_and_by_suffix_gives_the_same_triples(
        client: FlaskClient, media_type: str) -> None:
    suffix, fmt = RDF[media_type]
    by_accept = client.get("/id/echocrt", headers={"Accept": media_type})
    by_suffix = client.get(f"/id/echocrt{suffix}", headers={"Accept": BROWSER})
    for response in (by_accept, by_suffix):
        assert response.status_code == 200
        assert response.content_type == f"{media_type}; charset=utf-8"
    got = triples(by_accept.data, fmt)
    assert got == triples(by_suffix.data, fmt)
    assert ox.Triple(ECHOCRT, LABEL, ox.Literal("EchoCRT", language="en")) in got
    turtle = triples(client.get("/id/echocrt.ttl").data, ox.RdfFormat.TURTLE)
    assert got == turtle  # every format says the same


def test_the_rdf_has_the_asserted_the_inferred_and_the_incoming_triples(
        client: FlaskClient, store: ox.Store) -> None:
    got = triples(client.get("/id/echocrt.nt").data, ox.RdfFormat.N_TRIPLES)
    graphs = [ox.NamedNode(str(GRAPHS[g])) for g in ("data", "inferred")]
    expected = {ox.Triple(q.subject, q.predicate, q.object) for g in graphs
                for q in store.quads_for_pattern(ECHOCRT, None, None, g)}
    expected |= {ox.Triple(q.subject, q.predicate, q.object) for g in graphs
                 for q in store.quads_for_pattern(None, None, ECHOCRT, g)}
    assert expected <= got
    assert ox.Triple(ECHOCRT, ox.NamedNode(f"{CRTKG}studiedModality"),
                     ox.NamedNode(f"{KG}echocardiography")) in got  # inferred by a chain


@pytest.mark.parametrize("accept", [BROWSER, "*/*", "text/html", None])
def test_people_get_the_page(client: FlaskClient, accept: str | None) -> None:
    response = client.get("/id/echocrt", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert "<h1 id=\"resource-title\">EchoCRT</h1>" in response.get_data(as_text=True)


def test_caching_headers_vary_etag_link_and_304(client: FlaskClient) -> None:
    turtle = client.get("/id/echocrt", headers={"Accept": "text/turtle"})
    page_ = client.get("/id/echocrt", headers={"Accept": BROWSER})
    assert turtle.headers["Vary"] == "Accept" and page_.headers["Vary"] == "Accept"
    assert turtle.headers["ETag"] != page_.headers["ETag"]  # one tag per representation
    links = dict(re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"',
                            turtle.headers["Link"]))
    assert links == {"/id/echocrt.html": "text/html", "/id/echocrt.ttl": "text/turtle",
                     "/id/echocrt.nt": "application/n-triples",
                     "/id/echocrt.jsonld": "application/ld+json",
                     "/id/echocrt.rdf": "application/rdf+xml"}
    again = client.get("/id/echocrt", headers={"Accept": "text/turtle",
                                                "If-None-Match": turtle.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == turtle.headers["ETag"]
    other = client.get("/id/echocrt", headers={"Accept": BROWSER,
                                                "If-None-Match": turtle.headers["ETag"]})
    assert other.status_code == 200  # the page's tag is another


def test_a_format_nobody_offers_is_406_naming_the_offered_ones(client: FlaskClient) -> None:
    response = client.get("/id/echocrt", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/html, text/turtle, application/n-triples" in response.get_data(as_text=True)


def test_an_unknown_name_is_404_with_near_names(client: FlaskClient) -> None:
    response = client.get("/id/echocrtt", headers={"Accept": BROWSER})
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "https://w3id.org/crtkg/id/echocrtt</code> is not an IRI of this graph" in body
    suggested = re.search(r'<ul id="suggestions">(.*?)</ul>', body, re.S)[1]
    assert '<a href="/id/echocrt">kg:echocrt</a>' in suggested
    for href in hrefs(suggested):
        assert client.get(href, headers={"Accept": BROWSER}).status_code == 200
    plain = client.get("/ontology/ImagingModalty.ttl")
    assert plain.status_code == 404 and plain.content_type == "text/plain; charset=utf-8"
    assert plain.get_data(as_text=True).startswith(
        "crtkg:ImagingModalty is not in the graph; did you mean crtkg:ImagingModality")
    assert "ETag" not in plain.headers


def test_every_iri_of_the_graph_has_its_page_and_its_turtle(client: FlaskClient,
                                                             store: ox.Store) -> None:
    iris = {r["i"] for r in rows(store, f"""SELECT DISTINCT (STR(?x) AS ?i) {{
        {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }}
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}") && !STRSTARTS(STR(?x), "{BASE}mappings/")) }}""")}
    assert len(iris) > 400
    for iri in sorted(iris):
        path = "/" + iri.removeprefix(BASE)
        assert client.get(path, headers={"Accept": BROWSER}).status_code == 200, path
        turtle = client.get(path + ".ttl")
        assert turtle.status_code == 200, path
        assert triples(turtle.data, ox.RdfFormat.TURTLE), path


def test_the_ontology_iri_gives_the_ontology_and_the_index(client: FlaskClient,
                                                           store: ox.Store) -> None:
    ontology = triples(client.get("/ontology", headers={"Accept": "text/turtle"}).data,
                       ox.RdfFormat.TURTLE)
    assert len(ontology) == len(list(store.quads_for_pattern(
        None, None, None, ox.NamedNode(str(GRAPHS["ontology"])))))
    classes = {r["c"] for r in rows(store, """SELECT ?c { GRAPH graph:ontology { ?c a owl:Class }
        FILTER(STRSTARTS(STR(?c), STR(crtkg:))) }""")}
    index = page(client, "/ontology")
    listed = {"crtkg:" + unquote(h).removeprefix("/ontology/") for h in hrefs(index)
              if h.startswith("/ontology/") and "#" not in h}
    assert classes <= listed
    assert f"{len(classes)} classes" in text_of(index)
    echo = rows(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) { ?x a crtkg:ImagingModality }")[0]["n"]
    entry = re.search(r'href="/ontology/ImagingModality".*?<span class="count"[^>]*>(\d+)<',
                      index, re.S)
    assert entry[1] == echo


def test_a_class_page_documents_the_class(client: FlaskClient, store: ox.Store) -> None:
    body = page(client, "/ontology/ImagingModality")
    vocab = text_of(re.search(r'<section class="vocab".*?</section>', body, re.S)[0])
    assert "In the vocabulary: class" in vocab
    assert "Subclass of skos:Concept" in vocab
    assert "Range of about modality measured by studied modality modality used" in vocab
    n = rows(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) { ?x a crtkg:ImagingModality }")[0]["n"]
    assert f"Used {n} instances" in vocab
    assert "echocardiography" in vocab  # an example from the graph


def test_a_property_page_gives_domain_range_inverse_and_usage(client: FlaskClient,
                                                              store: ox.Store) -> None:
    vocab = text_of(re.search(r'<section class="vocab".*?</section>',
                              page(client, "/ontology/reportsFinding"), re.S)[0])
    assert "In the vocabulary: object property" in vocab
    assert "Domain clinical study" in vocab and "Range finding" in vocab
    assert "Inverse of finding of" in vocab
    n = rows(store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?o "
                    "{ ?s crtkg:reportsFinding ?o } }")[0]["n"]
    assert f"Used in {n} triples" in vocab
    chain = text_of(re.search(r'<section class="vocab".*?</section>',
                              page(client, "/ontology/studiedModality"), re.S)[0])
    assert "Implied by the chain" in chain and "reports finding o about modality" in chain
    defined = text_of(re.search(r'<section class="vocab".*?</section>',
                                page(client, "/ontology/IonizingRadiationModality"), re.S)[0])
    assert "Equivalent to ( imaging modality and exposes patient to value ionizing " \
           "radiation )" in defined


def test_a_claim_page_shows_its_quote_in_its_text_its_evidence_and_source(
        client: FlaskClient, store: ox.Store) -> None:
    body = page(client, f"/id/{CLAIM}")
    quote = rows(store, f"SELECT ?q {{ kg:{CLAIM} crtkg:quote ?q }}")[0]["q"]
    assert f"<mark>{html.escape(quote, quote=False)}</mark>" in body.replace("&#34;", '"')
    claim = text_of(re.search(r'<section class="claim".*?</section>', body, re.S)[0])
    assert "Evidence author statement without traceable support obo:ECO_0000034" in claim
    assert "Quoted from Is there a role for imaging techniques in cardiac resynchronization " \
           "therapy?" in claim
    assert "www.escardio.org/Congresses-%26-Events" in claim  # the page it was read from


def test_a_publication_links_to_pubmed_and_doi(client: FlaskClient) -> None:
    body = page(client, "/id/prospect-article")
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/18458170"' in body
    assert '<a href="https://doi.org/10.1161/CIRCULATIONAHA.107.743120"' in body


def test_inferred_statements_link_to_their_explanation(client: FlaskClient) -> None:
    body = page(client, "/id/spect")
    inferred = re.search(r'<details class="inferred-types".*?</details>', body, re.S)[0]
    assert "modality with ionizing radiation" in inferred
    why = [h for h in hrefs(inferred) if h.startswith("/explain?")]
    target = next(h for h in why if "IonizingRadiationModality" in unquote(h))
    explanation = client.get(target, headers={"Accept": "text/html"})
    assert explanation.status_code == 200
    assert "is inferred" in explanation.get_data(as_text=True)
    statements = re.search(r'<table class="statements".*?</table>', body, re.S)[0]
    label_row = re.search(r'<tr><th scope="row">.*?rdfs:label.*?</tr>', statements, re.S)[0]
    assert "/explain?" not in label_row  # asserted: no explanation offered
    assert '<li class="inferred">' in statements and '<li class="asserted">' in statements


def test_incoming_links_are_grouped_with_counts(client: FlaskClient, store: ox.Store) -> None:
    body = page(client, "/ontology/ImagingModality")
    incoming = re.search(r'<dl class="incoming".*?</dl>', body, re.S)[0]
    n = rows(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) { ?x a crtkg:ImagingModality }")[0]["n"]
    assert re.search(rf'rdf:type.*?<span class="count">{n}</span>', incoming, re.S)


def test_the_page_embeds_its_json_ld_and_opens_a_query_in_the_editor(
        client: FlaskClient, store: ox.Store) -> None:
    body = page(client, "/id/echocrt")
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)[1]
    got = triples(embedded.encode(), ox.RdfFormat.JSON_LD)
    assert ox.Triple(ECHOCRT, LABEL, ox.Literal("EchoCRT", language="en")) in got
    editor = next(h for h in hrefs(body) if h.startswith("/?"))
    query = parse_qs(urlsplit(editor).query)["query"][0]
    answer = rows(store, query)
    assert {"property": "rdfs:label", "value": "EchoCRT"} in answer


def test_a_graph_iri_gives_the_graph(client: FlaskClient, store: ox.Store) -> None:
    data = ox.NamedNode(str(GRAPHS["data"]))
    got = triples(client.get("/graph/data.nt").data, ox.RdfFormat.N_TRIPLES)
    assert len(got) == len(list(store.quads_for_pattern(None, None, None, data)))
    body = page(client, "/graph/data")
    n = len(list(store.quads_for_pattern(None, None, None, data)))
    assert f'<span id="graph-size">{n} triples</span>' in body


def test_an_external_term_the_graph_describes_has_a_page(client: FlaskClient) -> None:
    body = page(client, "/resource?iri=http://purl.obolibrary.org/obo/ECO_0000180")
    assert "clinical study evidence" in body
    assert "/id/evidence-echocrt-results" in body  # what in the graph has it as its type
    missing = client.get("/resource?iri=http://example.org/nothing",
                         headers={"Accept": BROWSER})
    assert missing.status_code == 404
    bare = client.get("/resource")
    assert bare.status_code == 400
    assert "parameter iri is missing" in bare.get_data(as_text=True)


def test_a_derivation_page_leads_to_its_explanation(client: FlaskClient, store: ox.Store) -> None:
    statement = next(iter(store.query(f"""SELECT ?d {{ GRAPH <{GRAPHS['derivations']}> {{
        ?d a <{RDF_NS}Statement> ; <{RDF_NS}subject> <{KG}spect> ;
           <{RDF_NS}object> <{CRTKG}IonizingRadiationModality> }} }}""")))["d"]
    body = page(client, "/" + statement.value.removeprefix(BASE))
    target = next(h for h in hrefs(body) if h.startswith("/explain?"))
    assert client.get(target, headers={"Accept": "text/html"}).status_code == 200


def test_every_link_on_a_page_resolves(client: FlaskClient) -> None:
    for path in ("/id/echocrt", f"/id/{CLAIM}", "/ontology/reportsFinding"):
        for href in hrefs(page(client, path)):
            if href.startswith("/") and not href.startswith("/static/"):
                status = client.get(href, headers={"Accept": BROWSER}).status_code
                assert status == 200, (path, href)



def test_a_path_no_iri_can_have_is_404_and_a_bad_iri_parameter_400(client: FlaskClient) -> None:
    response = client.get("/id/a%20b")
    assert response.status_code == 404
    assert "https://w3id.org/crtkg/id/a b is not in the graph: it is not a valid IRI" in \
        response.get_data(as_text=True)
    bad = client.get("/resource?iri=not%20an%20iri")
    assert bad.status_code == 400
    assert "parameter iri='not an iri' is not an IRI" in bad.get_data(as_text=True)


def test_the_media_types_the_endpoint_takes_for_triples_work_here_too(
        client: FlaskClient) -> None:
    for accept, media_type in (("text/n3", "text/turtle"), ("application/x-turtle", "text/turtle"),
                               ("application/json", "application/ld+json"),
                               ("application/trig", "application/trig")):
        response = client.get("/id/echocrt", headers={"Accept": accept})
        assert response.status_code == 200, accept
        assert response.content_type == f"{media_type}; charset=utf-8"


def test_if_none_match_star_does_not_hide_a_missing_resource(client: FlaskClient) -> None:
    assert client.get("/id/nothing-here", headers={"If-None-Match": "*"}).status_code == 404


def test_only_web_addresses_become_links() -> None:
    from server.resource import Render

    assert Render.out(ox.NamedNode("https://doi.org/10.1/x")) == "https://doi.org/10.1/x"
    assert Render.out(ox.NamedNode("javascript:alert(1)")) is None
    assert Render.out(ox.NamedNode("urn:isbn:0451450523")) is None


def test_under_a_path_prefix_the_pages_link_within_it(client: FlaskClient) -> None:
    mounted = {"SCRIPT_NAME": "/crtkg"}
    body = client.get("/id/echocrt", headers={"Accept": BROWSER},
                      environ_overrides=mounted).get_data(as_text=True)
    local = [h for h in hrefs(body) if h.startswith("/")]
    assert local and all(h.startswith("/crtkg/") for h in local), local
    response = client.get("/id/echocrt.ttl", environ_overrides=mounted)
    assert "</crtkg/id/echocrt.ttl>" in response.headers["Link"]
