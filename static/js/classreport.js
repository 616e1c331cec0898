/* reportgen report page: the classification report (per class precision, recall, F1, support, TP, FP, FN;
 * micro / macro / weighted rows), sortable by any column. Selecting rows filters the confusion matrix to those
 * classes' rows and columns (any number of classes). In compare mode each score shows A, B and B - A. */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;
  const ROW_CAP = 30;

  /** Columns: [key, header, group] for one inference set or for A and B. */
  function columns(compare) {
    if (!compare) {
      return [["pa", "Precision"], ["ra", "Recall"], ["fa", "F1"], ["sup", "Support"], ["tpa", "TP"], ["fpa", "FP"], ["fna", "FN"]];
    }
    return [
      ["pa", "A", "Precision"], ["pb", "B", "Precision"], ["pd", "B − A", "Precision"],
      ["ra", "A", "Recall"], ["rb", "B", "Recall"], ["rd", "B − A", "Recall"],
      ["fa", "A", "F1"], ["fb", "B", "F1"], ["fd", "B − A", "F1"],
      ["sup", "Support", ""],
      ["tpa", "A", "TP"], ["tpb", "B", "TP"], ["fpa", "A", "FP"], ["fpb", "B", "FP"], ["fna", "A", "FN"], ["fnb", "B", "FN"],
    ];
  }

  /** Values of one class row: numbers for sorting and texts for display. */
  function rowValues(ctx, c) {
    const v = {};
    const t = {};
    const sides = ctx.compare ? ["a", "b"] : ["a"];
    for (const side of sides) {
      const q = ctx[side];
      const sc = ctx.data.classScores(q.m, ctx.s, q.u, q.t, c);
      const mat = q.matrix;
      const C = ctx.data.C;
      ["p", "r", "f"].forEach((k, i) => {
        v[k + side] = sc[i] === RG.UNDEFINED ? null : sc[i];
        t[k + side] = RG.disp(sc[i]);
      });
      v["tp" + side] = mat.at(c, c);
      v["fp" + side] = mat.at(C, c);
      v["fn" + side] = mat.at(c, C);
      v.sup = mat.row[c];
      for (const k of ["tp", "fp", "fn"]) t[k + side] = RG.int(v[k + side]);
      t.sup = RG.int(v.sup);
    }
    if (ctx.compare) {
      ["p", "r", "f"].forEach((k) => {
        const a = v[k + "a"];
        const b = v[k + "b"];
        v[k + "d"] = a === null || b === null ? null : b - a;
        t[k + "d"] = RG.dispDelta(a === null ? RG.UNDEFINED : a, b === null ? RG.UNDEFINED : b);
      });
    }
    return { v: v, t: t };
  }

  function averageRow(ctx, a, label) {
    const t = {};
    const sides = ctx.compare ? ["a", "b"] : ["a"];
    const raw = {};
    for (const side of sides) {
      const q = ctx[side];
      const sc = ctx.data.averages(q.m, ctx.s, q.u, q.t, a);
      raw[side] = sc;
      ["p", "r", "f"].forEach((k, i) => (t[k + side] = RG.disp(sc[i])));
      const C = ctx.data.C;
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let c = 0; c < C; c++) {
        tp += q.matrix.at(c, c);
        fp += q.matrix.at(C, c);
        fn += q.matrix.at(c, C);
      }
      let sup = 0;
      for (let c = 0; c < C; c++) sup += q.matrix.row[c];
      t.sup = RG.int(sup);
      if (a === 0) {
        t["tp" + side] = RG.int(tp);
        t["fp" + side] = RG.int(fp);
        t["fn" + side] = RG.int(fn);
      }
    }
    if (ctx.compare) ["p", "r", "f"].forEach((k, i) => (t[k + "d"] = RG.dispDelta(raw.a[i], raw.b[i])));
    return { label: label, t: t };
  }

  /** A B − A cell's classes with its tone: blue when B is better (a higher score), red when worse. */
  function tone(cls, key, text) {
    const t = /^[prf]d$/.test(key) ? RG.deltaTone(text, true) : "";
    return t ? cls + " " + t : cls;
  }

  RG.ClassReport = {
    /** Show the report in `slot`. The table stays across repaints with the same columns: its rows are patched
     *  in place (RG.morph) and row clicks are handled on the table, reading the state when they happen. */
    render(app, ctx, slot) {
      const data = app.data;
      const st = app.state;
      const cols = columns(ctx.compare);
      const rows = [];
      for (let c = 0; c < data.C; c++) rows.push(rowValues(ctx, c));
      const q = st.q.trim().toLowerCase();
      let order = st.sort.key
        ? RG.sortIndices(data.C, (c) => (st.sort.key === "name" ? data.classes[c].toLowerCase() : rows[c].v[st.sort.key]), st.sort.dir === "d")
        : Array.from({ length: data.C }, (_, c) => c);
      if (q) order = order.filter((c) => data.classes[c].toLowerCase().includes(q));

      const sortHeader = (key, label, extra) => {
        const active = st.sort.key === key;
        const th = el("th", { scope: "col", class: (key === "name" ? "" : "num") + (extra ? " " + extra : ""),
          "aria-sort": active ? (st.sort.dir === "d" ? "descending" : "ascending") : "none" });
        th.appendChild(el("button", { type: "button", class: "sort-btn", id: "sort-" + key, title: "Sort by " + label, dataset: { sort: key } }, label));
        return th;
      };
      const thead = el("thead");
      if (ctx.compare) {
        const groups = el("tr", { class: "group-row" }, el("td"));
        let last = null;
        for (const [, , g] of cols) {
          if (g === last) {
            groups.lastChild.colSpan += 1;
            continue;
          }
          last = g;
          // a column outside the groups (Support) gets an empty cell, not an empty header
          groups.appendChild(g ? el("th", { scope: "colgroup", class: "sep", text: g }) : el("td", { class: "sep" }));
        }
        thead.appendChild(groups);
      }
      thead.appendChild(el("tr", null, sortHeader("name", "Class"), cols.map(([key, label, g], n) =>
        sortHeader(key, label, ctx.compare && (n === 0 || cols[n - 1][2] !== g) ? "sep" : ""))));

      const selected = new Set(st.sel);
      // many classes: the first rows of the current order (sort or search to reach the others), all on request
      const cap = data.many && !app.transient.allClasses && order.length > ROW_CAP ? ROW_CAP : order.length;
      const cellClass = cols.map(([key, , g], n) => "num" + (ctx.compare && (n === 0 || cols[n - 1][2] !== g) ? " sep" : "") + (key.endsWith("d") && key !== "sup" ? " delta" : ""));
      const specs = order.slice(0, cap).map((c) => {
        const r = rows[c];
        const isSel = selected.has(c);
        return {
          attrs: { class: "selectable" + (isSel ? " selected" : "") + (c === st.cls ? " current" : ""), "data-cls": c },
          cells: [{ tag: "th", attrs: { scope: "row" }, button: { attrs: { type: "button", class: "btn-link row-btn", id: "cr-" + c, "aria-pressed": isSel ? "true" : "false",
            title: "Show only this class's row and column in the confusion matrix" }, text: data.classes[c] } }]
            .concat(cols.map(([key], n) => ({ tag: "td", attrs: { class: tone(cellClass[n], key, r.t[key]), "data-k": key }, text: r.t[key] }))),
        };
      });
      const avgSpecs = [[0, "micro avg"], [1, "macro avg"], [2, "weighted avg"]].map(([a, label]) => {
        const r = averageRow(ctx, a, label);
        return {
          attrs: { "data-avg": a },
          cells: [{ tag: "th", attrs: { scope: "row" }, text: label }].concat(cols.map(([key], n) => ({ tag: "td", attrs: { class: tone(cellClass[n].replace(" delta", ""), key, r.t[key] || ""), "data-k": key }, text: r.t[key] || "" }))),
        };
      });

      const head = el("div", { class: "section-head" }, el("h3", { text: "Classification report" }));
      const tools = el("div", { class: "filters" });
      if (data.many) {
        tools.appendChild(el("input", {
          type: "search", class: "search", id: "class-search", placeholder: "Filter classes", "aria-label": "Filter the classification report by class name",
          value: st.q, on: { input: (e) => app.update({ q: e.target.value }) },
        }));
      }
      if (st.sel.length) {
        tools.appendChild(RG.button("Clear selection (" + st.sel.length + ")", { class: "btn btn-small", id: "clear-sel" }, () => app.update({ sel: [] })));
      }
      head.appendChild(tools);
      const more = cap < order.length
        ? el("p", { class: "muted" }, RG.int(cap) + " of " + RG.int(order.length) + " classes listed; sort or filter to reach the others, or ",
          RG.button("show all " + RG.int(order.length), { class: "btn btn-small", id: "classes-all" }, () => { app.transient.allClasses = true; app.render(); }))
        : null;
      const note = el("p", { class: "muted matrix-note" },
        ctx.compare ? "A: " + data.models[ctx.a.m] + " · B: " + data.models[ctx.b.m] + ". " : "",
        "Select rows to show only those classes in the confusion matrix." + (q ? " " + order.length + " of " + data.C + " classes match." : ""));
      const key = ctx.compare ? "compare" : "one";
      const box = slot.firstChild;
      if (box && box.dataset.key === key && this.table && box.contains(this.table)) {
        // the same columns: patch the rows in place (new head, note and sort headers: a few nodes)
        box.replaceChild(head, box.children[0]);
        box.replaceChild(note, box.children[1]);
        RG.fill(box.children[3], more);
        RG.morph(this.table.tHead, thead);
        RG.patchRows(this.table.tBodies[0], specs);
        RG.patchRows(this.table.tBodies[1], avgSpecs);
        return;
      }
      const table = el("table", { class: "data report" + (ctx.compare ? " compare" : ""), id: "class-report" }, thead,
        RG.patchRows(el("tbody", { id: "report-body" }), specs), RG.patchRows(el("tbody", { class: "averages" }), avgSpecs));
      // a header sorts, a row (or its button) toggles the class in the selection that filters the matrix
      table.addEventListener("click", (e) => {
        const sortBtn = e.target.closest("button[data-sort]");
        if (sortBtn) {
          // descending first (names ascending), again reverses
          const k = sortBtn.dataset.sort;
          const now = app.state.sort;
          const active = now.key === k;
          app.update({ sort: { key: k, dir: active && now.dir === "d" ? "a" : active ? "d" : k === "name" ? "a" : "d" } });
          return;
        }
        const tr = e.target.closest("#report-body tr");
        if (!tr) return;
        const c = Number(tr.dataset.cls);
        const now = app.state.sel;
        app.update({ sel: now.includes(c) ? now.filter((x) => x !== c) : now.concat([c]) });
      });
      this.table = table;
      RG.fill(slot, el("div", { class: "report-box", dataset: { key: key } }, head, note,
        el("div", { class: "table-scroll scroll-box" }, table), el("div", { class: "report-more" }, more)));
    },
  };
})();
