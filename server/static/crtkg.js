// crtkg's query page: run the editor's query against the endpoint and show the answer.
// Vanilla JavaScript, no dependencies. Everything that comes from data is put into the page
// with textContent or attributes, never as HTML.
"use strict";

(function () {
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  const SPARQL_JSON = "application/sparql-results+json";
  const XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";
  const EXTENSIONS = { json: "srj", xml: "srx", turtle: "ttl", ntriples: "nt", rdfxml: "rdf",
    nquads: "nq" };
  const LABELS = { json: "JSON", xml: "XML", csv: "CSV", tsv: "TSV", turtle: "Turtle",
    ntriples: "N-Triples", rdfxml: "RDF/XML", jsonld: "JSON-LD", trig: "TriG", nquads: "N-Quads" };

  const data = JSON.parse(document.getElementById("page-data").textContent);
  const $ = (id) => document.getElementById(id);
  const form = $("query-form");
  const editor = $("query");
  const inferBox = $("infer");
  const runButton = $("run");
  const section = $("results-section");
  const statusLine = $("status");
  const errorBox = $("error");
  const errorText = $("error-text");
  const notice = $("notice");
  const downloads = $("downloads");
  const downloadLinks = $("download-links");
  const answer = $("answer");

  // Namespaces, longest first, so the most specific prefix wins.
  const namespaces = Object.entries(data.prefixes).sort((a, b) => b[1].length - a[1].length);

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function curie(iri) {
    for (const [prefix, ns] of namespaces) {
      if (iri.startsWith(ns) && iri.length > ns.length) return prefix + ":" + iri.slice(ns.length);
    }
    return "<" + iri + ">";
  }

  // The page itself, asking for the properties of a resource of this graph.
  function resourceHref(iri) {
    const query = "SELECT ?property ?value WHERE { <" + iri + "> ?property ?value }";
    return pageHref(query, inferBox.checked);
  }

  function pageHref(query, infer) {
    const params = new URLSearchParams({ query: query });
    if (!infer) params.set("infer", "false");
    return location.pathname + "?" + params.toString();
  }

  function iriLink(iri) {
    const local = iri.startsWith(data.base);
    const link = el("a", { href: local ? resourceHref(iri) : iri, title: iri }, curie(iri));
    link.className = local ? "iri local" : "iri external";
    if (!local) link.rel = "noopener";
    return link;
  }

  // One term of SPARQL JSON results as page content.
  function termNode(term) {
    if (term.type === "uri") return iriLink(term.value);
    if (term.type === "bnode") return el("span", { class: "bnode" }, "_:" + term.value);
    if (term.type === "triple") {
      const span = el("span", { class: "quoted-triple" });
      span.append("<< ", termNode(term.value.subject), " ", termNode(term.value.predicate), " ",
        termNode(term.value.object), " >>");
      return span;
    }
    const span = el("span", { class: "literal" }, term.value);
    let note = null;
    if (term["xml:lang"]) note = "@" + term["xml:lang"];
    else if (term.datatype && term.datatype !== XSD_STRING) note = curie(term.datatype);
    if (note !== null) {
      const wrap = el("span");
      wrap.append(span, " ", el("small", { class: "datatype", title: term.datatype || "" }, note));
      return wrap;
    }
    return span;
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function reset() {
    section.hidden = false;
    errorBox.hidden = true;
    errorText.textContent = "";
    notice.hidden = true;
    notice.textContent = "";
    downloads.hidden = true;
    downloadLinks.replaceChildren();
    answer.replaceChildren();
  }

  function showError(message) {
    errorText.textContent = message;
    errorBox.hidden = false;
    statusLine.textContent = "The query failed.";
  }

  function showDownloads(kind, query, infer) {
    for (const f of data.formats) {
      if (f.answers !== kind) continue;
      const params = new URLSearchParams({ query: query, infer: String(infer), format: f.name });
      const link = el("a", { href: data.endpoint + "?" + params.toString(), title: f.media_type,
        "data-format": f.name, download: "answer." + (EXTENSIONS[f.name] || f.name) },
      LABELS[f.name] || f.name);
      const item = el("li");
      item.append(link);
      downloadLinks.append(item);
    }
    downloads.hidden = false;
  }

  function showTable(results, seconds, infer) {
    const vars = results.head.vars || [];
    const rows = (results.results && results.results.bindings) || [];
    let status = plural(rows.length, "row") + " in " + seconds + " s";
    if (rows.length === 0) {
      status = "No rows: nothing matched the query" +
        (infer ? "." : " (the reasoner's triples were left out; some answers need them).");
    }
    statusLine.textContent = status;
    if (rows.length === 0 && vars.length === 0) return;
    const scroller = el("div", { class: "table-scroll", tabindex: "0",
      "aria-labelledby": "results-title" });
    const table = el("table", { id: "results-table", class: "results" });
    const headRow = el("tr");
    for (const v of vars) headRow.append(el("th", { scope: "col" }, v));
    const thead = el("thead");
    thead.append(headRow);
    const tbody = el("tbody");
    for (const row of rows) {
      const tr = el("tr");
      for (const v of vars) {
        const td = el("td");
        if (row[v]) td.append(termNode(row[v]));
        tr.append(td);
      }
      tbody.append(tr);
    }
    table.append(thead, tbody);
    scroller.append(table);
    answer.append(scroller);
  }

  function showBoolean(value, seconds) {
    statusLine.textContent = "Yes/no answer in " + seconds + " s";
    answer.append(el("p", { id: "ask-answer", class: "ask " + (value ? "yes" : "no") },
      value ? "Yes" : "No"));
  }

  function showTriples(text, seconds) {
    const lines = text.split("\n").filter((l) => l.trim() && !l.startsWith("@prefix")).length;
    statusLine.textContent = "Graph answer as Turtle (" + plural(lines, "line") + ") in " +
      seconds + " s";
    const pre = el("pre", { id: "turtle", class: "turtle", tabindex: "0" });
    pre.append(el("code", {}, text));
    answer.append(pre);
  }

  let running = null;

  async function run(reveal) {
    const query = editor.value;
    const infer = inferBox.checked;
    if (running) running.abort();
    const controller = new AbortController();
    running = controller;
    reset();
    statusLine.textContent = "Running…";
    section.setAttribute("aria-busy", "true");
    runButton.disabled = true;
    const started = performance.now();
    try {
      const body = new URLSearchParams({ query: query, infer: String(infer) });
      const response = await fetch(data.endpoint, { method: "POST", body: body,
        headers: { Accept: ACCEPT }, signal: controller.signal });
      const text = await response.text();
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (!response.ok) {
        showError(text.trim() || response.status + " " + response.statusText);
        return;
      }
      const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      const kind = type === SPARQL_JSON ? "solutions" : "triples";
      const cut = response.headers.get("X-SPARQL-MaxRows");
      if (cut) {
        notice.textContent = "The answer was cut at " + cut + " " +
          (kind === "solutions" ? "rows" : "triples") + ", the server's limit: add LIMIT and " +
          "OFFSET, or a narrower pattern, to see the rest.";
        notice.hidden = false;
      }
      if (kind === "solutions") {
        const results = JSON.parse(text);
        if (typeof results.boolean === "boolean") showBoolean(results.boolean, seconds);
        else showTable(results, seconds, infer);
      } else {
        showTriples(text, seconds);
      }
      showDownloads(kind, query, infer);
    } catch (err) {
      if (err.name === "AbortError") return;
      showError("The server could not be reached or sent an unreadable answer: " + err.message);
    } finally {
      if (running === controller) {
        if (reveal) section.scrollIntoView({ block: "start" });
        running = null;
        runButton.disabled = false;
        section.removeAttribute("aria-busy");
      }
    }
  }

  // The URL carries the query, so an answer can be shared, reloaded and gone back to.
  function remember(query, infer) {
    const href = pageHref(query, infer);
    if (href !== location.pathname + location.search) history.pushState(null, "", href);
  }

  function fromUrl() {
    const params = new URLSearchParams(location.search);
    const query = params.get("query");
    if (query === null) return false;
    editor.value = query;
    inferBox.checked = (params.get("infer") || "true").toLowerCase() !== "false";
    return true;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    remember(editor.value, inferBox.checked);
    run();
  });

  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  for (const button of document.querySelectorAll("button.example")) {
    button.addEventListener("click", () => {
      const text = data.examples[button.dataset.name];
      if (text === undefined) return;
      editor.value = text;
      for (const other of document.querySelectorAll("button.example")) {
        if (other === button) other.setAttribute("aria-current", "true");
        else other.removeAttribute("aria-current");
      }
      editor.focus();
      editor.setSelectionRange(0, 0);
      editor.scrollTop = 0;
    });
  }

  window.addEventListener("popstate", () => {
    if (fromUrl()) run(true);
  });

  // A link to this page with a query (a resource's properties, say) shows its answer.
  if (fromUrl()) run(true);
})();
