"use strict";
// The query page: YASGUI asking this server only, offline, with labels beside IRIs.
(function () {
  const config = JSON.parse(document.getElementById("sendgraph-config").textContent);
  const endpoint = new URL("sparql", window.location.href).href;
  const Yasqe = Yasgui.Yasqe;
  const Yasr = Yasgui.Yasr;

  // Offline: YASQE's own prefix completer fetches prefix.cc, and its property and class
  // completers ask a remote vocabulary service. Only local completers are kept: the
  // variables of the query, and the prefixes the endpoint declares.
  const completers = Yasqe.defaults.autocompleters;
  completers.splice(0, completers.length, "variables");
  Yasqe.forkAutocompleter("prefixes", {
    name: "sendgraphPrefixes",
    persistenceId: null,
    get: () => Object.entries(config.prefixes).map(([prefix, iri]) => `${prefix}: <${iri}>`),
  });
  // The endpoint declares sendgraph's prefixes for every query: the editor's syntax
  // check starts with them declared too, instead of marking each use as an error.
  const sparql = Yasqe.modes.sparql11;
  Yasqe.defineMode("sparql11", (editorConfig, modeConfig) => {
    const mode = sparql(editorConfig, modeConfig);
    const startState = mode.startState;
    mode.startState = (...args) => {
      const state = startState.apply(mode, args);
      Object.assign(state.prefixes, config.prefixes);
      return state;
    };
    return mode;
  });
  Yasqe.defaults.value = [
    "SELECT ?ref ?owner WHERE {",
    "  ?action sg:owner ?owner ; skos:notation ?ref .",
    "} ORDER BY ?ref LIMIT 20",
  ].join("\n");

  // Labels beside IRIs. The results stay standard SPARQL JSON (as every other client
  // gets them); before the table is drawn the page asks the same endpoint, in a second
  // query, for the rdfs:label of the IRIs it is about to show.
  const labels = new Map();
  const speakable = iri => !/[\s<>"{}|^`\\]/.test(iri);

  async function fetchLabels(iris) {
    const missing = [...new Set(iris)].filter(iri => !labels.has(iri) && speakable(iri));
    for (let start = 0; start < missing.length; start += 500) {
      const chunk = missing.slice(start, start + 500);
      chunk.forEach(iri => labels.set(iri, null));
      const query = "SELECT ?iri ?label WHERE { VALUES ?iri { " +
        chunk.map(iri => `<${iri}>`).join(" ") + " } ?iri rdfs:label ?label }";
      const response = await fetch(endpoint, {
        method: "POST",
        body: new URLSearchParams({ query }),
        headers: { Accept: "application/sparql-results+json" },
      });
      if (!response.ok) return;
      const answer = await response.json();
      answer.results.bindings.forEach(row => {
        if (labels.get(row.iri.value) === null) labels.set(row.iri.value, row.label.value);
      });
    }
  }

  const escapeHtml = text => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
  const Table = Yasr.plugins.table;

  class LabelledTable extends Table {
    async draw(persistentConfig) {
      const bindings = (this.yasr.results && this.yasr.results.getBindings()) || [];
      const iris = [];
      bindings.forEach(row => Object.values(row).forEach(term => {
        if (term.type === "uri") iris.push(term.value);
      }));
      try {
        await fetchLabels(iris);
      } catch (error) {
        // The table is drawn without labels rather than not at all.
      }
      return super.draw(persistentConfig);
    }

    // YASR writes an IRI into its link's href between single quotes as it is, and an
    // IRI may hold a quote: escaped here, it stays inside the attribute.
    getUriLinkFromBinding(binding, prefixes) {
      return super.getUriLinkFromBinding({ ...binding, value: escapeHtml(binding.value) }, prefixes);
    }

    getCellContent(binding, prefixes) {
      const cell = super.getCellContent(binding, prefixes);
      const label = binding.type === "uri" ? labels.get(binding.value) : null;
      if (!label) return cell;
      return `<div><span class="sg-label">${escapeHtml(label)}</span> — ${cell}</div>`;
    }

    // The download is the server's CSV of the query that gave these results, rendered
    // with sendgraph's own rule for spreadsheets (a cell that starts like a formula gets
    // a ' before it), not a copy of that rule here.
    download(filename) {
      const info = super.download(filename);
      info.title = "Download as CSV for a spreadsheet";
      return info;
    }
  }
  Yasr.registerPlugin("table", LabelledTable);

  const answered = new WeakMap();
  const download = Yasr.prototype.download;
  Yasr.prototype.download = function () {
    const query = answered.get(this);
    if (this.drawnPlugin !== "table" || query === undefined) return download.call(this);
    const link = document.createElement("a");
    link.href = "spreadsheet.csv?" + new URLSearchParams({ query });
    link.download = "query-results.csv";
    link.click();
  };

  // Only this server is asked: a share link naming another endpoint, arguments or
  // headers opens with the query alone.
  const ownRequest = tab => {
    tab.requestConfig = Object.assign(tab.requestConfig || {}, {
      endpoint, method: "POST", args: [], headers: {}, namedGraphs: [], defaultGraphs: [],
    });
    return tab;
  };

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    // No local storage: the address bar keeps the query, and nothing stale comes back.
    persistenceId: null,
    populateFromUrl: ownRequest,
    copyEndpointOnNewTab: false,
    requestConfig: { endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    yasr: { prefixes: config.prefixes, persistenceId: null },
    yasqe: { persistenceId: null },
  });

  // The address bar holds the active tab's query, so that it can be bookmarked, sent and
  // reloaded; YASGUI reads it back from there when the page opens.
  const remember = () => {
    const tab = yasgui.getTab();
    if (!tab || !tab.getYasqe()) return;
    const url = new URL(window.location.href);
    url.hash = "";
    url.search = new URLSearchParams({ query: tab.getQuery() }).toString();
    window.history.replaceState(null, "", url.href);
  };
  yasgui.on("query", (instance, tab) => {
    answered.set(tab.getYasr(), tab.getQuery());
    remember();
  });
  // A query given in the address bar ran while YASGUI was being made, before the
  // listener above: the editor still holds it.
  const opened = yasgui.getTab();
  if (opened && opened.getYasr()) answered.set(opened.getYasr(), opened.getQuery());
  yasgui.on("tabChange", remember);
  yasgui.on("tabSelect", () => window.setTimeout(remember));
  remember();

  const examples = document.getElementById("examples");
  Object.entries(config.queries).forEach(([name, q]) => {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = `${name}: ${q.title}`;
    option.title = q.description;
    examples.appendChild(option);
  });
  examples.addEventListener("change", () => {
    const q = config.queries[examples.value];
    if (!q) return;
    const tab = yasgui.addTab(true, ownRequest({ name: q.title, yasqe: { value: q.query } }));
    examples.value = "";
    tab.query().catch(() => {});
  });

  window.sendgraph = { yasgui };
  document.body.dataset.ready = "true";
})();
