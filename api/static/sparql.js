// The SPARQL editor: line numbers, documented examples, Run (Ctrl+Enter), results as a table.
// Plain JavaScript, no library, works offline.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var area = document.getElementById("query");
  var gutter = document.getElementById("gutter");
  var select = document.getElementById("examples");
  var comment = document.getElementById("example-comment");
  var format = document.getElementById("format");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var examples = JSON.parse(document.getElementById("examples-data").textContent);
  var ACCEPT = {
    table: "application/sparql-results+json, text/turtle;q=0.9",
    json: "application/sparql-results+json", xml: "application/sparql-results+xml",
    csv: "text/csv", tsv: "text/tab-separated-values", turtle: "text/turtle",
    ntriples: "application/n-triples", jsonld: "application/ld+json", rdfxml: "application/rdf+xml"
  };

  function lines() {
    var n = area.value.split("\n").length, out = [];
    for (var i = 1; i <= n; i++) out.push(i);
    gutter.textContent = out.join("\n");
    gutter.scrollTop = area.scrollTop;
  }
  area.addEventListener("input", lines);
  area.addEventListener("scroll", function () { gutter.scrollTop = area.scrollTop; });
  area.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
    if (e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      var s = area.selectionStart;
      area.setRangeText("  ", s, area.selectionEnd, "end");
      lines();
    }
  });

  examples.forEach(function (ex, i) {
    var o = document.createElement("option");
    o.value = String(i); o.textContent = ex.name; o.title = ex.comment;
    select.appendChild(o);
  });
  select.addEventListener("change", function () {
    if (select.value === "") return;
    var ex = examples[Number(select.value)];
    area.value = ex.text; comment.textContent = ex.comment; lines();
  });

  function cell(term) {
    if (!term) return "";
    if (term.type === "uri") return "<" + term.value + ">";
    if (term.type === "bnode") return "_:" + term.value;
    if (term.type === "triple") return "<< … >>";
    var text = JSON.stringify(term.value);
    if (term["xml:lang"]) return text + "@" + term["xml:lang"];
    if (term.datatype && term.datatype !== "http://www.w3.org/2001/XMLSchema#string") {
      return text + "^^<" + term.datatype + ">";
    }
    return text;
  }

  function table(data) {
    var t = document.createElement("table"); t.id = "result-table";
    var head = t.createTHead().insertRow();
    data.head.vars.forEach(function (v) {
      var th = document.createElement("th"); th.scope = "col"; th.textContent = "?" + v; head.appendChild(th);
    });
    var body = t.createTBody();
    data.results.bindings.forEach(function (b) {
      var r = body.insertRow();
      data.head.vars.forEach(function (v) { r.insertCell().textContent = cell(b[v]); });
    });
    return t;
  }

  function run() {
    var fmt = format.value, started = performance.now();
    status.textContent = "Running…"; results.innerHTML = "";
    var body = new URLSearchParams(); body.set("query", area.value);
    fetch(form.getAttribute("action"), {
      method: "POST", body: body,
      headers: { "Accept": ACCEPT[fmt] || ACCEPT.table, "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      return response.text().then(function (text) { return { response: response, type: type, text: text }; });
    }).then(function (r) {
      var ms = Math.round(performance.now() - started);
      if (!r.response.ok) {
        var detail = r.text;
        try { detail = JSON.parse(r.text).detail; } catch (e) { /* plain text */ }
        status.textContent = "Error " + r.response.status + " after " + ms + " ms";
        var p = document.createElement("p"); p.className = "notice error"; p.setAttribute("role", "alert");
        p.textContent = detail; results.appendChild(p);
        return;
      }
      if (fmt === "table" && r.type.indexOf("application/sparql-results+json") === 0) {
        var data = JSON.parse(r.text);
        if (typeof data.boolean === "boolean") {
          status.textContent = "ASK answered in " + ms + " ms";
          var b = document.createElement("p"); b.className = "notice"; b.id = "result-boolean";
          b.textContent = data.boolean ? "true" : "false"; results.appendChild(b);
        } else {
          status.textContent = data.results.bindings.length + " rows in " + ms + " ms";
          results.appendChild(table(data));
        }
      } else {
        status.textContent = "Answer (" + r.type.split(";")[0] + ") in " + ms + " ms";
        var pre = document.createElement("pre"); pre.textContent = r.text; results.appendChild(pre);
      }
    }).catch(function (err) {
      status.textContent = "The request failed: " + err;
    });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
  lines();
})();
