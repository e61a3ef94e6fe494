"""The web page in a real headless Chromium, driven like a person would, against `crtkg serve`.

Needs Debian's Chromium and its ChromeDriver; without them the tests fail (CI installs them).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pyoxigraph as ox
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from graph.namespaces import KG, PREFIXES
from tests.helpers import ROOT, rows

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"
# Without the networking flags Chromium's own connections hang on a closed network.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1600")
WAIT = 10  # seconds: the most any step may take before the test fails
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
SOLUTION_FORMATS = ["json", "xml", "csv", "tsv"]
TRIPLE_FORMATS = ["turtle", "ntriples", "rdfxml", "jsonld", "trig", "nquads"]
RECOMMENDATIONS = (ROOT / "queries" / "recommendations.rq").read_text(encoding="utf-8")

# The cells of the answer table: each cell's value (a link's text, a literal without its
# language or datatype note), as the user reads them.
CELLS = """
return Array.from(arguments[0].tBodies[0].rows, (tr) => Array.from(tr.cells, (td) => {
  const value = td.querySelector(".literal, a.iri, .bnode");
  return value ? value.textContent : "";
}));
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: the browser tests need Debian's Chromium "
                    f"and ChromeDriver; install them with `{INSTALL}`", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory(prefix="crtkg-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        # A driver path given to Service: Selenium Manager never runs (nor downloads).
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        try:
            yield driver
        finally:
            driver.quit()


def wait(browser: WebDriver) -> WebDriverWait:
    return WebDriverWait(browser, WAIT)


def open_page(browser: WebDriver, url: str) -> None:
    browser.get(url)
    wait(browser).until(lambda b: b.execute_script("return document.readyState") == "complete")


def type_query(browser: WebDriver, text: str) -> WebElement:
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys(text)
    return editor


def run_and_wait(browser: WebDriver, locator: tuple[str, str]) -> WebElement:
    """Click Run; wait for the answer, or the error box, and return the element wanted."""
    browser.find_element(By.ID, "run").click()
    return answer(browser, locator)


def answer(browser: WebDriver, locator: tuple[str, str]) -> WebElement:
    wait(browser).until(lambda b: b.find_element(By.ID, "run").is_enabled()
                        and b.find_element(By.ID, "status").text not in ("", "Running…"))
    error = browser.find_element(By.ID, "error")
    if locator[1] != "error":
        assert not error.is_displayed(), error.text
    return wait(browser).until(ec.visibility_of_element_located(locator))


def table(browser: WebDriver) -> tuple[list[str], list[list[str]]]:
    element = browser.find_element(By.ID, "results-table")
    header = [th.text.lstrip("?") for th in element.find_elements(By.CSS_SELECTOR, "thead th")]
    return header, browser.execute_script(CELLS, element)


def download_links(browser: WebDriver) -> dict[str, str]:
    links = browser.find_elements(By.CSS_SELECTOR, "#download-links a")
    return {a.get_attribute("data-format"): a.get_attribute("href") for a in links}


def post(base: str, query: str) -> tuple[int, Message, str]:
    """Ask the server directly, as the page does: the truth to compare the page with."""
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(base + "/sparql", data=body, headers={"Accept": ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


def test_the_page_describes_the_dataset(browser: WebDriver, live_server: str,
                                        store: ox.Store) -> None:
    open_page(browser, live_server + "/")
    assert "crtkg" in browser.title
    about = browser.find_element(By.ID, "about")
    assert "cardiac resynchronization therapy" in about.text
    counts = {r["g"]: r["n"] for r in rows(
        store, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    for name in ("ontology", "data", "inferred"):
        row = about.find_element(By.CSS_SELECTOR, f'tr[data-graph="{name}"]')
        assert row.find_element(By.CSS_SELECTOR, "td.num").text == counts[f"graph:{name}"]
    assert "classes with instances" in about.text and "properties in use" in about.text
    curl = browser.find_element(By.CSS_SELECTOR, "#curl pre").text
    assert curl.startswith("curl -H 'Accept: text/csv' --data-urlencode 'query=")
    assert curl.endswith(f"{live_server}/sparql")


def test_a_named_query_runs_and_its_answer_downloads(browser: WebDriver, live_server: str,
                                                     store: ox.Store) -> None:
    open_page(browser, live_server + "/")
    browser.find_element(By.CSS_SELECTOR, 'button.example[data-name="recommendations"]').click()
    assert browser.find_element(By.ID, "query").get_attribute("value") == RECOMMENDATIONS
    run_and_wait(browser, (By.ID, "results-table"))

    header, cells = table(browser)
    assert header == ["modality", "role", "force", "statedForce", "statedRank", "attribution",
                      "quote"]
    expected = [[r.get(v, "") for v in header] for r in rows(store, RECOMMENDATIONS)]
    assert cells == expected
    # As `crtkg query queries/recommendations.rq` prints it: by modality, no strength order.
    assert cells[0][:4] == ["cardiac magnetic resonance imaging", "assessment of myocardial scar",
                            "should", "should be used"]
    assert cells[0][6] == "Magnetic resonance imaging should be used for assessing extent of myocardial scar."
    assert browser.find_element(By.ID, "status").text.startswith(f"{len(expected)} rows")
    first = browser.find_element(By.CSS_SELECTOR, "#results-table tbody td")
    assert first.find_element(By.CSS_SELECTOR, ".datatype").text == "@en"
    assert not browser.find_element(By.ID, "notice").is_displayed()

    links = download_links(browser)
    assert list(links) == SOLUTION_FORMATS
    for name, href in links.items():
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
        assert params == {"query": [RECOMMENDATIONS], "infer": ["true"], "format": [name]}
    with urllib.request.urlopen(links["csv"], timeout=WAIT) as response:
        assert response.headers.get_content_type() == "text/csv"
        downloaded = list(csv.reader(io.StringIO(response.read().decode())))
    assert downloaded == [header, *cells]


def test_a_local_resource_links_to_its_page_and_its_properties(browser: WebDriver, live_server: str,
                                                  store: ox.Store) -> None:
    open_page(browser, live_server + "/")  # the editor starts with a query that lists trials
    old = run_and_wait(browser, (By.ID, "results-table"))
    link = browser.find_element(By.LINK_TEXT, "kg:prospect")
    assert link.get_attribute("title") == str(KG.prospect)
    link.click()
    wait(browser).until(ec.staleness_of(old))
    # The IRI's own page, where its URL (w3id base) resolves to ...
    assert browser.current_url == live_server + "/id/prospect"
    assert browser.find_element(By.ID, "resource-title").text == "PROSPECT"
    # ... which opens a query about it in the editor.
    browser.find_element(By.LINK_TEXT, "Open a query about it in the editor").click()
    answer(browser, (By.ID, "results-table"))

    query = browser.find_element(By.ID, "query").get_attribute("value")
    assert f"<{KG.prospect}> ?property ?value" in query
    assert "query=" in browser.current_url and "resource=" in browser.current_url
    header, cells = table(browser)
    assert header == ["property", "value"]
    expected = rows(store, f"SELECT ?property ?value WHERE {{ <{KG.prospect}> ?property ?value }}")
    assert sorted(map(tuple, cells)) == sorted((r["property"], r["value"]) for r in expected)
    assert ("rdfs:label", "PROSPECT") in map(tuple, cells)
    # Other IRIs link out to themselves; a literal's datatype is a note beside it.
    outside = browser.find_element(By.CSS_SELECTOR, "a.iri.external")
    assert outside.get_attribute("href") == outside.get_attribute("title")
    assert not outside.get_attribute("href").startswith(live_server)
    notes = {n.text for n in browser.find_elements(By.CSS_SELECTOR, "#results-table .datatype")}
    assert "xsd:gYearMonth" in notes  # the trial's start and completion dates


def test_each_inferred_value_links_to_its_explanation(browser: WebDriver, live_server: str,
                                                      store: ox.Store) -> None:
    open_page(browser, live_server + "/?" + urllib.parse.urlencode({
        "query": f"SELECT ?property ?value WHERE {{ <{KG.prospect}> ?property ?value }}",
        "resource": str(KG.prospect)}))
    answer(browser, (By.ID, "results-table"))
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#results-table a.why"))
    marked = browser.execute_script("""
        return Array.from(document.querySelectorAll("#results-table tbody tr"))
          .filter((tr) => tr.querySelector("a.why"))
          .map((tr) => Array.from(tr.cells, (td) => td.querySelector("a.iri, .literal").textContent));
        """)
    inferred = rows(store, f"SELECT ?property ?value {{ GRAPH graph:inferred {{ <{KG.prospect}> "
                           "?property ?value } }")
    assert sorted(map(tuple, marked)) == sorted((r["property"], r["value"]) for r in inferred)
    assert ("crtkg:studiedModality", "kg:echocardiography") in map(tuple, marked)
    # An asserted value has no such link.
    assert ("rdfs:label", "PROSPECT") not in map(tuple, marked)
    why = browser.find_element(
        By.XPATH, "//tr[td/a[text()='crtkg:studiedModality'] and td/a[text()='kg:echocardiography']]"
                  "//a[contains(@class, 'why')]")
    why.click()
    heading = wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "main h2")))
    assert heading.text == "kg:prospect crtkg:studiedModality kg:echocardiography"
    assert "is inferred" in browser.find_element(By.TAG_NAME, "main").text


def test_a_terms_page_lists_its_external_links(browser: WebDriver, live_server: str) -> None:
    open_page(browser, live_server + "/?" + urllib.parse.urlencode({
        "query": f"SELECT ?property ?value WHERE {{ <{KG['heart-failure']}> ?property ?value }}",
        "resource": str(KG["heart-failure"])}))
    answer(browser, (By.ID, "results-table"))
    links = wait(browser).until(ec.visibility_of_element_located((By.ID, "external-links")))
    items = links.find_elements(By.CSS_SELECTOR, "li")
    shown = {(li.find_element(By.CSS_SELECTOR, ".relation").text,
              li.find_element(By.CSS_SELECTOR, "a.iri.external").get_attribute("href"))
             for li in items}
    assert shown == {
        ("skos:exactMatch", "http://purl.obolibrary.org/obo/MONDO_0005252"),
        ("skos:exactMatch", "http://id.nlm.nih.gov/mesh/D006333"),
        ("skos:exactMatch", "http://purl.obolibrary.org/obo/NCIT_C50577"),
        ("skos:exactMatch", "http://snomed.info/id/84114007"),
        ("skos:closeMatch", "http://purl.obolibrary.org/obo/DOID_6000"),
    }
    doid = next(li for li in items if "DOID_6000" in li.find_element(By.TAG_NAME, "a").get_attribute("href"))
    assert "congestive heart failure" in doid.text and "ManualMappingCuration" in doid.text
    # A term with no mappings says so.
    open_page(browser, live_server + "/?" + urllib.parse.urlencode({
        "query": f"SELECT ?property ?value WHERE {{ <{KG.prospect}> ?property ?value }}",
        "resource": str(KG.prospect)}))
    answer(browser, (By.ID, "results-table"))
    none = wait(browser).until(ec.visibility_of_element_located((By.ID, "external-links")))
    assert "kg:prospect has no mappings to external ontologies." in none.text


def test_a_syntax_error_shows_the_servers_message(browser: WebDriver, live_server: str) -> None:
    open_page(browser, live_server + "/")
    bad = "SELECT ?x WHERE { ?x ?p }"
    status, _, message = post(live_server, bad)
    assert status == 400 and "SPARQL syntax error" in message
    editor = type_query(browser, bad)
    editor.send_keys(Keys.CONTROL, Keys.ENTER)  # the keyboard way to run
    box = answer(browser, (By.ID, "error"))
    assert box.text.startswith("The query could not be answered")
    assert browser.find_element(By.ID, "error-text").text == message.strip()
    assert "400 Bad Request: SPARQL syntax error" in box.text
    assert browser.find_element(By.ID, "query").get_attribute("value") == bad
    assert not browser.find_elements(By.ID, "results-table")
    assert not browser.find_element(By.ID, "downloads").is_displayed()


def test_inference_can_be_left_out(browser: WebDriver, live_server: str) -> None:
    open_page(browser, live_server + "/")
    browser.find_element(By.CSS_SELECTOR, 'button.example[data-name="radiation-modalities"]'
                         ).click()
    infer = browser.find_element(By.ID, "infer")
    assert infer.is_selected()
    run_and_wait(browser, (By.ID, "results-table"))
    modalities = {row[0] for row in table(browser)[1]}
    assert {"kg:spect", "kg:pet"} <= modalities  # the reasoner's answer
    infer.click()
    assert not infer.is_selected()
    run_and_wait(browser, (By.ID, "results-table"))
    assert table(browser)[1] == []
    assert browser.find_element(By.ID, "status").text.startswith("No rows")
    assert all("infer=false" in href for href in download_links(browser).values())


def test_a_construct_shows_turtle(browser: WebDriver, live_server: str) -> None:
    open_page(browser, live_server + "/")
    type_query(browser, "CONSTRUCT WHERE { kg:prospect rdfs:label ?label }")
    turtle = run_and_wait(browser, (By.ID, "turtle")).text
    assert "@prefix kg: <https://w3id.org/crtkg/id/>" in turtle
    assert 'kg:prospect rdfs:label "PROSPECT"' in turtle
    assert list(download_links(browser)) == TRIPLE_FORMATS


def test_an_ask_answers_yes_or_no(browser: WebDriver, live_server: str) -> None:
    open_page(browser, live_server + "/")
    type_query(browser, "ASK { kg:prospect a crtkg:ObservationalStudy }")
    assert run_and_wait(browser, (By.ID, "ask-answer")).text == "Yes"
    assert list(download_links(browser)) == SOLUTION_FORMATS


def test_an_answer_cut_at_the_row_limit_says_so(browser: WebDriver, live_server: str) -> None:
    huge = "SELECT ?s WHERE { ?s ?p ?o . ?a ?b ?c }"  # millions of rows: more than the cap
    _, headers, _ = post(live_server, huge)
    cap = int(headers["X-SPARQL-MaxRows"])
    open_page(browser, live_server + "/?" + urllib.parse.urlencode({"query": huge}))
    notice = answer(browser, (By.ID, "notice"))  # a query in the page's URL runs by itself
    assert f"cut at {cap} rows" in notice.text
    assert browser.find_element(By.ID, "query").get_attribute("value") == huge
    count = browser.execute_script(
        "return document.querySelector('#results-table tbody').rows.length")
    assert count == cap


def test_an_iri_the_graph_lacks_is_a_notice_above_the_answer(browser: WebDriver,
                                                             live_server: str) -> None:
    query = ("SELECT ?n WHERE { kg:echocrt crtkg:registryNumber ?n "
             "OPTIONAL { kg:echocrtt crtkg:reportFinding ?f } }")
    open_page(browser, live_server + "/?" + urllib.parse.urlencode({"query": query}))
    notice = answer(browser, (By.ID, "notice"))
    assert notice.text.splitlines() == [
        "kg:echocrtt is not in the graph; did you mean kg:echocrt?",
        "crtkg:reportFinding is not in the graph; did you mean crtkg:reportsFinding?"]
    assert table(browser)[1] == [["NCT00683696"]]


def api(base: str, name: str, **params: str) -> tuple[int, Message, str]:
    """Run a named query by the REST API, as the page does for a question with parameters."""
    url = f"{base}/api/queries/{name}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


def api_table(base: str, name: str, **params: str) -> tuple[list[str], list[list[str]]]:
    """The API's answer as the page's table shows it: CURIEs for IRIs, literals' values."""
    status, _, text = api(base, name, **params)
    assert status == 200, text
    results = json.loads(text)
    namespaces = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))

    def cell(term: dict | None) -> str:
        if term is None:
            return ""
        if term["type"] == "uri":
            return next((f"{p}:{term['value'][len(ns):]}" for p, ns in namespaces
                         if term["value"].startswith(ns) and len(term["value"]) > len(ns)),
                        f"<{term['value']}>")
        return ("_:" if term["type"] == "bnode" else "") + term["value"]

    header = results["head"]["vars"]
    return header, [[cell(b.get(v)) for v in header] for b in results["results"]["bindings"]]


def choose(browser: WebDriver, name: str) -> WebElement:
    """Click a named query's button; return the parameter form."""
    browser.find_element(By.CSS_SELECTOR, f'button.example[data-name="{name}"]').click()
    return browser.find_element(By.ID, "params")


def test_a_question_with_parameters_runs_by_the_api(browser: WebDriver,
                                                    live_server: str) -> None:
    open_page(browser, live_server + "/")
    form = choose(browser, "findings-of-trial")
    assert form.is_displayed()
    select = Select(browser.find_element(By.ID, "param-trial"))
    label = browser.find_element(By.CSS_SELECTOR, 'label[for="param-trial"]')
    assert label.text.startswith("trial") and "required" in label.text
    # Required: no "any" choice, and the first value is chosen.
    assert [o.get_attribute("value") for o in select.options] == ["kg:prospect", "kg:echocrt"]
    assert select.first_selected_option.get_attribute("value") == "kg:prospect"
    select.select_by_value("kg:echocrt")
    run_and_wait(browser, (By.ID, "results-table"))

    header, cells = table(browser)
    expected_header, expected = api_table(live_server, "findings-of-trial", trial="kg:echocrt")
    assert header == expected_header
    assert "trial" not in header and "_trial_iri" not in header
    assert cells == expected and cells
    prospect = api_table(live_server, "findings-of-trial", trial="kg:prospect")[1]
    assert not set(map(tuple, cells)) & set(map(tuple, prospect))  # EchoCRT's only
    assert browser.find_element(By.ID, "status").text.startswith(f"{len(expected)} row")

    # Downloads are the API's, with the same parameters.
    links = download_links(browser)
    assert list(links) == ["records", "json", "csv"]
    for name, href in links.items():
        parts = urllib.parse.urlsplit(href)
        assert parts.path == "/api/queries/findings-of-trial"
        assert urllib.parse.parse_qs(parts.query) == {
            "trial": ["kg:echocrt"], "infer": ["true"], "format": [name]}
    with urllib.request.urlopen(links["csv"], timeout=WAIT) as response:
        assert response.headers.get_content_type() == "text/csv"
        downloaded = list(csv.reader(io.StringIO(response.read().decode())))
    assert downloaded == [header, *cells]

    # The page's URL names the question and its value; opened, it runs again.
    shared = browser.current_url
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(shared).query)
    assert params == {"example": ["findings-of-trial"], "trial": ["kg:echocrt"]}
    open_page(browser, live_server + "/")
    open_page(browser, shared)
    answer(browser, (By.ID, "results-table"))
    assert table(browser) == (header, cells)
    assert Select(browser.find_element(By.ID, "param-trial")
                  ).first_selected_option.get_attribute("value") == "kg:echocrt"
    assert browser.find_element(By.CSS_SELECTOR, 'button.example[aria-current="true"]'
                                ).get_attribute("data-name") == "findings-of-trial"


def test_an_integer_parameter_and_its_errors(browser: WebDriver, live_server: str) -> None:
    open_page(browser, live_server + "/")
    choose(browser, "trials-by-size")
    number = browser.find_element(By.ID, "param-minimum")
    assert number.get_attribute("type") == "number"
    number.send_keys("500")
    run_and_wait(browser, (By.ID, "results-table"))
    header, cells = table(browser)
    assert (header, cells) == api_table(live_server, "trials-by-size", minimum="500")
    assert cells and all(int(row[header.index("patients")]) >= 500 for row in cells)
    fewer = api_table(live_server, "trials-by-size", minimum="1")[1]
    assert len(cells) < len(fewer)  # the parameter was applied
    assert "minimum=500" in browser.current_url

    # Not an integer: the API's 400 names the parameter, in the error box.
    status, _, message = api(live_server, "trials-by-size", minimum="2.5")
    assert status == 400 and "minimum" in message
    number.clear()
    number.send_keys("2.5")
    box = run_and_wait(browser, (By.ID, "error"))
    assert browser.find_element(By.ID, "error-text").text == message.strip()
    assert "parameter minimum='2.5' is not an integer" in box.text
    assert not browser.find_elements(By.ID, "results-table")

    # Left empty, the required parameter is missing: the API says which.
    number.clear()
    status, _, message = api(live_server, "trials-by-size")
    assert status == 400
    run_and_wait(browser, (By.ID, "error"))
    assert browser.find_element(By.ID, "error-text").text == message.strip()
    assert "needs the parameter minimum" in message


def test_an_optional_parameter_offers_any(browser: WebDriver, live_server: str) -> None:
    open_page(browser, live_server + "/")
    choose(browser, "claim-evidence")
    select = Select(browser.find_element(By.ID, "param-evidence"))
    assert select.options[0].get_attribute("value") == ""
    assert select.first_selected_option.text == "any"
    run_and_wait(browser, (By.ID, "results-table"))
    assert table(browser) == api_table(live_server, "claim-evidence")
    assert "evidence=" not in browser.current_url
    select.select_by_value("obo:ECO_0000180")
    run_and_wait(browser, (By.ID, "results-table"))
    assert table(browser) == api_table(live_server, "claim-evidence", evidence="obo:ECO_0000180")


def test_editing_the_text_leaves_the_named_query(browser: WebDriver, live_server: str) -> None:
    open_page(browser, live_server + "/")
    assert not browser.find_element(By.ID, "params").is_displayed()
    choose(browser, "recommendations")  # no parameters: no form
    assert not browser.find_element(By.ID, "params").is_displayed()
    form = choose(browser, "trials-by-size")
    assert form.is_displayed()
    editor = browser.find_element(By.ID, "query")
    editor.send_keys(Keys.CONTROL, Keys.END)
    editor.send_keys("\n# my own now")
    assert not form.is_displayed()
    assert not browser.find_elements(By.ID, "param-minimum")
    # It runs at the endpoint as written, its parameter unbound (here: FILTER fails, no rows).
    run_and_wait(browser, (By.ID, "results-table"))
    assert "query=" in browser.current_url and "example=" not in browser.current_url
    assert all("/sparql?" in href for href in download_links(browser).values())
    status, _, text = post(live_server, editor.get_attribute("value"))
    assert status == 200
    header, cells = table(browser)
    assert header == json.loads(text)["head"]["vars"]
    assert len(cells) == len(json.loads(text)["results"]["bindings"]) == 0


def test_a_claims_page_marks_its_words_in_the_source(browser: WebDriver, live_server: str,
                                                     store: ox.Store) -> None:
    open_page(browser, live_server + "/id/rec-echo-patient-selection")
    assert browser.find_element(By.ID, "resource-title").text == \
        "Echocardiography is, for me, number one for patient selection"
    quote = rows(store, "SELECT ?q { kg:rec-echo-patient-selection crtkg:quote ?q }")[0]["q"]
    mark = browser.find_element(By.CSS_SELECTOR, ".in-context mark")
    assert mark.text == quote and mark.is_displayed()
    facts = browser.find_element(By.CSS_SELECTOR, "section.claim dl").text
    assert "author statement without traceable support" in facts
    source = browser.find_element(By.LINK_TEXT, "Is there a role for imaging techniques in "
                                                "cardiac resynchronization therapy?")
    source.click()
    wait(browser).until(lambda b: b.current_url == live_server + "/id/stankovic-interview")


def test_a_trials_page_lists_its_findings_and_what_links_to_it(browser: WebDriver,
                                                               live_server: str) -> None:
    open_page(browser, live_server + "/id/echocrt")
    assert browser.find_element(By.ID, "resource-title").text == "EchoCRT"
    statements = browser.find_element(By.ID, "statements")
    row = statements.find_element(By.XPATH, ".//tr[th//code[text()='crtkg:reportsFinding']]")
    assert "EchoCRT: CRT may increase mortality with a QRS duration below 130 ms" in row.text
    registry = statements.find_element(By.XPATH, ".//tr[th//code[text()='crtkg:registryNumber']]")
    assert "NCT00683696" in registry.text
    incoming = browser.find_element(By.ID, "incoming")
    assert "about study" in incoming.text
    # An inferred value (by a property chain) is told apart from the asserted ones.
    studied = statements.find_element(By.XPATH,
                                      ".//tr[th//code[text()='crtkg:studiedModality']]//li")
    assert studied.get_attribute("class") == "inferred"
    assert "inferred: why?" in studied.text


def test_a_modalitys_inferred_type_leads_to_its_explanation(browser: WebDriver,
                                                            live_server: str) -> None:
    open_page(browser, live_server + "/id/spect")
    assert browser.find_element(By.ID, "resource-title").text == \
        "single-photon emission computed tomography"
    details = browser.find_element(By.ID, "inferred-types")
    details.find_element(By.TAG_NAME, "summary").click()
    chip = details.find_element(By.XPATH, ".//span[a[text()='modality with ionizing radiation']]")
    chip.find_element(By.LINK_TEXT, "why?").click()
    heading = wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "main h2")))
    assert heading.text == "kg:spect rdf:type crtkg:IonizingRadiationModality"
    assert "is inferred" in browser.find_element(By.ID, "explain-message").text


def test_the_vocabulary_index_leads_to_a_class_page(browser: WebDriver, live_server: str,
                                                    store: ox.Store) -> None:
    open_page(browser, live_server + "/")
    browser.find_element(By.LINK_TEXT, "Vocabulary").click()
    wait(browser).until(lambda b: b.current_url == live_server + "/ontology")
    classes = browser.find_element(By.ID, "classes").find_element(By.XPATH, "..")
    assert "finding" in classes.text and "imaging modality" in classes.text
    classes.find_element(By.LINK_TEXT, "imaging modality").click()
    wait(browser).until(lambda b: b.current_url == live_server + "/ontology/ImagingModality")
    vocab = browser.find_element(By.CSS_SELECTOR, "section.vocab").text
    n = rows(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) { ?x a crtkg:ImagingModality }")[0]["n"]
    assert f"{n} instances" in vocab and "Subclass of" in vocab


def test_the_evidence_maps_cell_opens_its_claims(browser: WebDriver, live_server: str) -> None:
    open_page(browser, live_server + "/")
    figure = browser.find_element(By.CSS_SELECTOR, "#evidence-map figure svg")
    assert figure.is_displayed() and figure.size["width"] > 600
    links = browser.execute_script(
        "return Array.from(arguments[0].querySelectorAll('a'), (a) => "
        "a.getAttribute('xlink:href') || a.getAttribute('href'))", figure)
    cells = [h for h in links if "example=evidence-map-cell" in h]
    assert len(cells) == 13  # one a cell with evidence; gaps link nowhere
    echo = next(h for h in cells if "modality=kg%3Aechocardiography&" in h
                and "role=kg%3Apatient-selection" in h)
    assert echo.startswith("./?")  # the page itself, wherever it is served
    open_page(browser, live_server + echo[1:])
    answer(browser, (By.ID, "results-table"))
    header, cells_shown = table(browser)
    labels = [row[header.index("label")] for row in cells_shown]
    assert "Echocardiography is, for me, number one for patient selection" in labels
    assert "PROSPECT: no echocardiographic parameter improves patient selection for CRT" in labels
