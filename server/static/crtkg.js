// crtkg's query page: run the editor's query against the endpoint and show the answer.
// Vanilla JavaScript, no dependencies. Everything that comes from data is put into the page
// with textContent or attributes, never as HTML.
"use strict";

(function () {
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  const SPARQL_JSON = "application/sparql-results+json";
  const XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";
  const EXTENSIONS = { records: "json", json: "srj", xml: "srx", turtle: "ttl", ntriples: "nt", rdfxml: "rdf",
    nquads: "nq" };
  const LABELS = { records: "JSON records", json: "JSON", xml: "XML", csv: "CSV", tsv: "TSV", turtle: "Turtle",
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
  const paramsBox = $("params");
  const paramFields = $("param-fields");
  const KINDS = { iri: "an IRI or CURIE", integer: "an integer", string: "text",
    language: "text", datatype: "a literal" };
  // Where the URL names the chosen question; its parameters are the other arguments.
  const EXAMPLE = "example";
  // Where the URL names the resource whose properties the query shows.
  const RESOURCE = "resource";
  // The named query that lists a term's mappings to external ontologies.
  const LINKS = "external-links";

  // The named query whose parameter form is showing, or null: the editor's text runs as is.
  let chosen = null;

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

  // A resource of this graph has its own page on this server (/id/..., /ontology/...).
  function resourceHref(iri) {
    return data.root + "/" + encodeURI(iri.slice(data.base.length));
  }

  function pageHref(query, infer, resource) {
    const params = new URLSearchParams({ query: query });
    if (!infer) params.set("infer", "false");
    if (resource) params.set(RESOURCE, resource);
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

  // The SPARQL JSON rows behind each results table, for marks added after it is shown.
  const shownRows = new WeakMap();
  function rowsOf(table) {
    return shownRows.get(table) || [];
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

  function showDownloads(kind, job) {
    for (const f of job.formats) {
      if (f.answers !== kind) continue;
      const link = el("a", { href: job.href(f.name), title: f.media_type,
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
    shownRows.set(table, rows);
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

  // The explanation page of a triple: s, p and o as the endpoint's N-Triples forms.
  function explainHref(subject, property, value) {
    const form = (term) => term.type === "uri" ? "<" + term.value + ">"
      : JSON.stringify(term.value) + (term["xml:lang"] ? "@" + term["xml:lang"]
        : term.datatype && term.datatype !== XSD_STRING ? "^^<" + term.datatype + ">" : "");
    return data.explain + "?" + new URLSearchParams({ s: "<" + subject + ">",
      p: form(property), o: form(value) }).toString();
  }

  // In a resource's table of properties, the values only the reasoner added get a link to
  // the explanation of how it derived them.
  async function markInferred(iri, signal) {
    const table = document.getElementById("results-table");
    if (!table || !data.explain) return;
    const query = "SELECT ?property ?value WHERE { GRAPH <" + data.inferred + "> { <" + iri +
      "> ?property ?value } }";
    const response = await fetch(data.endpoint, { method: "POST", signal: signal,
      headers: { Accept: SPARQL_JSON }, body: new URLSearchParams({ query: query }) });
    if (!response.ok) return;  // the properties are the answer; the marks are extra
    const inferred = new Set((await response.json()).results.bindings.map(
      (row) => JSON.stringify([row.property, row.value])));
    const vars = [...table.tHead.rows[0].cells].map((cell) => cell.textContent);
    const [pi, vi] = [vars.indexOf("property"), vars.indexOf("value")];
    if (pi < 0 || vi < 0) return;
    for (const [i, row] of rowsOf(table).entries()) {
      const key = JSON.stringify([row.property, row.value]);
      if (!inferred.has(key)) continue;
      const link = el("a", { href: explainHref(iri, row.property, row.value),
        class: "why", title: "Why: how the reasoner derived this" }, "inferred: why?");
      table.tBodies[0].rows[i].cells[vi].append(" ", link);
    }
  }

  // A term's links to external ontologies (the SSSOM mapping set), as clickable IRIs.
  async function showLinks(iri, signal) {
    if (!Object.hasOwn(data.examples, LINKS) || !iri.startsWith(data.base)) return;
    const linksPath = "/" + LINKS + "?" + new URLSearchParams({ term: iri }).toString();
    const response = await fetch(data.api + linksPath, { headers: { Accept: SPARQL_JSON },
      signal: signal });
    if (!response.ok) return;  // the properties above are the answer; the links are extra
    const rows = (await response.json()).results.bindings;
    const box = el("section", { id: "external-links", class: "links",
      "aria-labelledby": "external-links-title" });
    box.append(el("h3", { id: "external-links-title" }, "Links to external ontologies"));
    if (rows.length === 0) {
      box.append(el("p", {}, curie(iri) + " has no mappings to external ontologies."));
      answer.append(box);
      return;
    }
    const list = el("ul");
    for (const row of rows) {
      const item = el("li");
      item.append(el("span", { class: "relation" }, curie(row.relation.value)), " ",
        iriLink(row.target.value));
      if (row.targetLabel) item.append(" ", el("span", { class: "label" }, row.targetLabel.value));
      const how = curie(row.justification.value).replace(/^semapv:/, "");
      item.append(" ", el("small", { class: "justification" }, how));
      if (row.comment) item.append(el("small", { class: "comment" }, row.comment.value));
      list.append(item);
    }
    box.append(list);
    answer.append(box);
  }

  let running = null;

  // What a run asks: the editor's query at the endpoint, or a named query with its parameters
  // at the REST API. Either way the answer comes back as SPARQL JSON (or Turtle).
  function queryJob(query, infer) {
    return { infer: infer, formats: data.formats, path: null,
      init: { method: "POST", body: new URLSearchParams({ query: query, infer: String(infer) }) },
      href: (format) => data.endpoint + "?" +
        new URLSearchParams({ query: query, infer: String(infer), format: format }).toString() };
  }

  function namedJob(name, params, infer) {
    const path = "/" + encodeURIComponent(name) + "?" +
      new URLSearchParams([...params, ["infer", String(infer)]]).toString();
    return { infer: infer, formats: data.api_formats, path: path, init: { method: "GET" },
      href: (format) => data.api + path + "&" + new URLSearchParams({ format: format }).toString() };
  }

  async function run(job, reveal) {
    const infer = job.infer;
    if (running) running.abort();
    const controller = new AbortController();
    running = controller;
    reset();
    statusLine.textContent = "Running…";
    section.setAttribute("aria-busy", "true");
    runButton.disabled = true;
    const started = performance.now();
    try {
      const init = Object.assign({}, job.init, { headers: { Accept: ACCEPT },
        signal: controller.signal });
      // Only this server is ever asked: its endpoint, or its API for a named query.
      const response = await (job.path === null ? fetch(data.endpoint, init)
        : fetch(data.api + job.path, init));
      const text = await response.text();
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      // IRIs of the graph's own namespaces that it does not hold: the query ran all the
      // same. Several headers arrive joined by ", ", which no IRI holds.
      const warned = response.headers.get("X-Crtkg-Warning");
      const notes = warned ? warned.split(", ") : [];
      if (!response.ok) {
        showError(text.trim() || response.status + " " + response.statusText);
        return;
      }
      const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      const kind = type === SPARQL_JSON ? "solutions" : "triples";
      const cut = response.headers.get("X-SPARQL-MaxRows");
      if (cut) {
        notes.push("The answer was cut at " + cut + " " +
          (kind === "solutions" ? "rows" : "triples") + ", the server's limit: add LIMIT and " +
          "OFFSET, or a narrower pattern, to see the rest.");
      }
      if (notes.length) {
        notice.textContent = notes.join("\n");
        notice.hidden = false;
      }
      if (kind === "solutions") {
        const results = JSON.parse(text);
        if (typeof results.boolean === "boolean") showBoolean(results.boolean, seconds);
        else showTable(results, seconds, infer);
        if (job.resource && infer) await markInferred(job.resource, controller.signal);
        if (job.resource) await showLinks(job.resource, controller.signal);
      } else {
        showTriples(text, seconds);
      }
      showDownloads(kind, job);
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

  function namedHref(name, params, infer) {
    const search = new URLSearchParams([[EXAMPLE, name], ...params]);
    if (!infer) search.set("infer", "false");
    return location.pathname + "?" + search.toString();
  }

  // The URL carries the query (or the question and its values), so an answer can be shared,
  // reloaded and gone back to.
  function remember(href) {
    if (href !== location.pathname + location.search) history.pushState(null, "", href);
  }

  // The job the page's URL asks for, having put it in the editor (and form), or null.
  function fromUrl() {
    const params = new URLSearchParams(location.search);
    const infer = (params.get("infer") || "true").toLowerCase() !== "false";
    const name = params.get(EXAMPLE);
    if (name !== null && Object.hasOwn(data.examples, name)) {
      choose(name, params);
      inferBox.checked = infer;
      return chosen ? namedJob(name, formValues(), infer) : queryJob(editor.value, infer);
    }
    const query = params.get("query");
    if (query === null) return null;
    editor.value = query;
    hideForm();
    markExample(null);
    inferBox.checked = infer;
    return Object.assign(queryJob(query, infer), { resource: params.get(RESOURCE) });
  }

  // The parameter form: one labelled control a parameter, valued from `given` or by default.
  function showForm(name, given) {
    paramFields.replaceChildren();
    for (const p of data.parameters[name]) {
      const id = "param-" + p.name;
      const field = el("div", { class: "param" });
      const label = el("label", { for: id }, p.name + " ");
      label.append(el("small", { class: "param-kind" },
        (p.required ? "required" : "optional") + ", " + (KINDS[p.type] || p.type)));
      let control;
      const value = given ? given.get(p.name) : null;
      const values = p.values || [];  // listed only for an enumerated parameter
      if (values.length) {
        control = el("select", { id: id });
        if (!p.required) control.append(el("option", { value: "" }, "any"));
        for (const v of values) control.append(el("option", { value: v }, v));
        if (value !== null && !values.includes(value)) {
          control.append(el("option", { value: value }, value));  // the server will say why not
        }
        if (value !== null) control.value = value;
      } else {
        control = el("input", { id: id, type: p.type === "integer" ? "number" : "text",
          autocomplete: "off", spellcheck: "false" });
        if (p.type === "integer") control.setAttribute("inputmode", "numeric");
        if (value !== null) control.value = value;
      }
      control.dataset.param = p.name;
      if (p.required) control.required = true;
      field.append(label, control);
      paramFields.append(field);
    }
    paramsBox.hidden = false;
    chosen = name;
  }

  function hideForm() {
    paramsBox.hidden = true;
    paramFields.replaceChildren();
    chosen = null;
  }

  // The form's values as [name, value] pairs; an empty control gives no value.
  function formValues() {
    const values = [];
    for (const control of paramFields.querySelectorAll("[data-param]")) {
      if (control.value !== "") values.push([control.dataset.param, control.value]);
    }
    return values;
  }

  // A number input the browser cannot read has the empty value: say so rather than send none.
  function unreadable() {
    for (const control of paramFields.querySelectorAll("input[data-param]")) {
      if (control.validity.badInput) {
        return "parameter " + control.dataset.param + " is not an integer";
      }
    }
    return null;
  }

  function markExample(name) {
    for (const button of document.querySelectorAll("button.example")) {
      if (button.dataset.name === name) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
  }

  function choose(name, given) {
    editor.value = data.examples[name];
    markExample(name);
    if ((data.parameters[name] || []).length) showForm(name, given);
    else hideForm();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const infer = inferBox.checked;
    if (chosen) {
      const problem = unreadable();
      if (problem) {
        reset();
        showError(problem);
        return;
      }
      const values = formValues();
      remember(namedHref(chosen, values, infer));
      run(namedJob(chosen, values, infer));
    } else {
      remember(pageHref(editor.value, infer));
      run(queryJob(editor.value, infer));
    }
  });

  // Edited, the text is no longer the named query: it runs at the endpoint as written.
  editor.addEventListener("input", () => {
    if (chosen) hideForm();
  });

  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  for (const button of document.querySelectorAll("button.example")) {
    button.addEventListener("click", () => {
      if (!Object.hasOwn(data.examples, button.dataset.name)) return;
      choose(button.dataset.name, null);
      editor.focus();
      editor.setSelectionRange(0, 0);
      editor.scrollTop = 0;
    });
  }

  window.addEventListener("popstate", () => {
    const job = fromUrl();
    if (job) run(job, true);
  });

  // A link to this page with a query (a resource's properties, say), or with a question and
  // its values, shows its answer.
  const initial = fromUrl();
  if (initial) run(initial, true);
})();
