/* reportgen report page: the confusion matrix. Rows are ground truth, columns predictions, each with a
 * background entry (row: false positives; column: false negatives).
 *
 * What a cell shows comes from a *mode* (RG.Matrix.modes): value, text, colour and label of a cell, and the
 * columns of the many-class table. "counts" shows one inference set; "delta" shows B - A (candidate minus
 * baseline) with diverging colours and the spec's hover text "delta - straight + 10 (2 -> 12)"
 * (docs/compare.md). The grid, the table, the filters and the examples do not depend on the mode.
 *
 * Up to 25 classes: a grid with keyboard navigation (arrow keys, Enter). Above: a filterable table of the
 * non-zero (ground truth, predicted) pairs sorted by the amount of error: by count (by absolute change in
 * delta mode), errors only by default (confusions, false positives, false negatives; correct cells on demand). */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;

  const TABLE_ROWS = 50;
  let shownTip = null; // the grid's hover text: a scroll of the page hides it (it is placed in the window)
  window.addEventListener("scroll", () => { if (shownTip) shownTip.hidden = true; }, { passive: true });
  const KIND_LABELS = { confusion: "Confusions", fp: "FP", fn: "FN", correct: "Correct" };
  const KIND_WORDS = { confusion: "confusion", fp: "FP", fn: "FN", correct: "correct" };
  /** The kind of cell (g, p): "fp" (background row), "fn" (background column), "correct" or "confusion". */
  RG.cellKind = (C, g, p) => (g === C ? "fp" : p === C ? "fn" : g === p ? "correct" : "confusion");
  const DEN_WORD = { row: "row", col: "column", all: "total" };

  /** The denominator of a cell's share: its row total, column total or the grand total. */
  function denominator(mat, den, g, p) {
    return den === "row" ? mat.row[g] : den === "col" ? mat.col[p] : mat.total;
  }

  /** A cell's share of its denominator; 0 when the denominator is 0 (the cell is 0 then too). */
  function share(mat, den, g, p) {
    const d = denominator(mat, den, g, p);
    return d ? mat.at(g, p) / d : 0;
  }

  /** Whether an increase of cell (g, p) is an improvement: the diagonal (correct predictions) only. */
  RG.Matrix = {};
  const better = (C, g, p) => g === p && g < C;

  Object.assign(RG.Matrix, {
    modes: {
      /** One inference set's counts; percentages and colour use the chosen denominator. */
      counts: {
        value: (mx, g, p) => mx.mat.at(g, p),
        text(mx, g, p) {
          const v = mx.mat.at(g, p);
          return mx.pct ? RG.pct(v, denominator(mx.mat, mx.den, g, p)) : RG.int(v);
        },
        colour(mx, g, p) {
          const v = mx.mat.at(g, p);
          const d = denominator(mx.mat, mx.den, g, p);
          if (!v || !d) return null;
          const share = v / d;
          const bg = RG.seqColour(share);
          return { bg: bg, dark: RG.wantsWhite(bg) };
        },
        label(mx, g, p) {
          const d = denominator(mx.mat, mx.den, g, p);
          return mx.data.label(g) + " → " + mx.data.label(p) + ": " + RG.int(mx.mat.at(g, p)) + " of " + RG.int(d) + " (" + DEN_WORD[mx.den] + ")";
        },
        legend: (mx) => "Colour: share of the " + DEN_WORD[mx.den] + " (darker = larger).",
        scale: () => el("span", { class: "scale" }, "0%", el("span", { class: "ramp", style: "background: linear-gradient(90deg," + RG.SEQ.map((c) => "rgb(" + c.join(",") + ")").join(",") + ")", "aria-hidden": "true" }), "100%"),
        who: (mx) => el("b", { text: mx.data.models[mx.m] + " · " + presetText(mx.data, mx) }),
        nonzero: (mx) => mx.mat.nonzero,
        sortKey: (mx, g, p) => mx.mat.at(g, p),
        heads: (mx) => [["Count", "num"], ["Share of " + DEN_WORD[mx.den], "num"]],
        tableCells(mx, g, p) {
          const col = this.colour(mx, g, p);
          return [{ tag: "td", attrs: { class: "num", style: null }, text: RG.int(mx.mat.at(g, p)) },
            { tag: "td", attrs: { class: "num" + (col && col.dark ? " dark" : ""), style: col ? "background-color:" + col.bg + (col.dark ? ";color:#fff" : ";color:#000") : null }, text: RG.pct(mx.mat.at(g, p), denominator(mx.mat, mx.den, g, p)) }];
        },
      },

      /**
       * B - A (candidate minus baseline), mx.A / mx.B = {m, u, t, mat}. Absolute: the change of the count.
       * Percentage: the change of the cell's share of its row / column / total (B's share minus A's share, in
       * percentage points). Colour: blue where the change is an improvement (an increase on the diagonal, a
       * decrease elsewhere, background row and column included), red where it is worse, neutral for none;
       * darkness = square root of the change over the largest change it is compared with: in Absolute, the
       * largest in its row / column / the whole matrix (Row / Column / Value); in Percentage, the largest in
       * the matrix. Same as reportgen.report.render.delta_grid.
       */
      delta: {
        prepare(mx) {
          const K = mx.data.K;
          const C = mx.data.C;
          const A = mx.A.mat;
          const B = mx.B.mat;
          const q = new Float64Array(K * K);
          const rowMax = new Float64Array(K);
          const colMax = new Float64Array(K);
          let allMax = 0;
          // a cell that is zero in A and in B has no change (of count or of share): only the cells non-zero in
          // either are visited (a few hundred of the 6,561 at 80 classes)
          const union = new Set(A.nonzero);
          for (const cell of B.nonzero) union.add(cell);
          mx.union = Array.from(union);
          for (const cell of mx.union) {
            const g = Math.floor(cell / K);
            const p = cell % K;
            if (g === C && p === C) continue;
            const v = mx.pct ? share(B, mx.den, g, p) - share(A, mx.den, g, p) : B.at(g, p) - A.at(g, p);
            q[cell] = v;
            const a = Math.abs(v);
            if (a > rowMax[g]) rowMax[g] = a;
            if (a > colMax[p]) colMax[p] = a;
            if (a > allMax) allMax = a;
          }
          mx.q = q;
          mx.scaleOf = (g, p) => (mx.pct || mx.den === "all" ? allMax : mx.den === "row" ? rowMax[g] : colMax[p]);
        },
        value: (mx, g, p) => mx.B.mat.at(g, p) - mx.A.mat.at(g, p),
        zero: (mx, g, p) => mx.q[g * mx.data.K + p] === 0,
        text(mx, g, p) {
          return mx.pct ? RG.deltaShare(mx.q[g * mx.data.K + p]) : RG.deltaCount(this.value(mx, g, p));
        },
        colour(mx, g, p) {
          const v = mx.q[g * mx.data.K + p];
          if (!v) return null;
          const x = Math.sqrt(Math.abs(v) / mx.scaleOf(g, p));
          const good = better(mx.data.C, g, p) === v > 0;
          const bg = RG.divColour(good ? x : -x);
          return { bg: bg, dark: RG.wantsWhite(bg), good: good };
        },
        label: (mx, g, p) => RG.deltaLabel(mx.data.label(p), mx.data.label(g), mx.A.mat.at(g, p), mx.B.mat.at(g, p)),
        legend(mx) {
          const what = mx.pct ? "the change of each cell's share of its " + DEN_WORD[mx.den] + " (B's share minus A's, percentage points)" : "the change of each count (B minus A)";
          const scope = mx.pct || mx.den === "all" ? "the largest change in the matrix" : "the largest change in its " + DEN_WORD[mx.den];
          return "Cells: " + what + ". Blue: better (more correct on the diagonal, fewer errors elsewhere); red: worse; darker: larger change against " + scope + ".";
        },
        scale: () => el("span", { class: "scale" }, "worse", el("span", { class: "ramp", style: "background: linear-gradient(90deg," + RG.DIV.map((c) => "rgb(" + c.join(",") + ")").join(",") + ")", "aria-hidden": "true" }), "better"),
        who: (mx) => [el("b", { text: "B − A" }), ": ", el("b", { text: mx.data.models[mx.B.m] }), " (candidate, " + presetText(mx.data, mx.B) + ") minus ",
          el("b", { text: mx.data.models[mx.A.m] }), " (baseline, " + presetText(mx.data, mx.A) + ")"],
        nonzero: (mx) => mx.union,
        sortKey: (mx, g, p) => Math.abs(mx.q[g * mx.data.K + p]),
        heads(mx) {
          const out = [["A", "num"], ["B", "num"], ["B − A", "num"]];
          if (mx.pct) out.push(["Change of share of " + DEN_WORD[mx.den] + " (pp)", "num"]);
          return out;
        },
        tableCells(mx, g, p) {
          const col = this.colour(mx, g, p);
          const style = col ? "background-color:" + col.bg + (col.dark ? ";color:#fff" : ";color:#000") : null;
          const out = [{ tag: "td", attrs: { class: "num", style: null }, text: RG.int(mx.A.mat.at(g, p)) }, { tag: "td", attrs: { class: "num", style: null }, text: RG.int(mx.B.mat.at(g, p)) },
            { tag: "td", attrs: { class: "num delta-cell", style: mx.pct ? null : style }, text: RG.deltaCount(this.value(mx, g, p)) }];
          if (mx.pct) out.push({ tag: "td", attrs: { class: "num delta-cell", style: style }, text: RG.deltaShare(mx.q[g * mx.data.K + p]) });
          return out;
        },
      },
    },

    /** Cells picked by the filter buttons or a cell click: [[g, p], ...]. */
    filterCells(data, st) {
      const C = data.C;
      const out = [];
      if (st.filt === "fn") for (let g = 0; g < C; g++) out.push([g, C]);
      else if (st.filt === "fp") for (let p = 0; p < C; p++) out.push([C, p]);
      else if (st.filt === "as") for (let g = 0; g < C; g++) { if (g !== st.fc) out.push([g, st.fc]); }
      else if (st.filt === "from") for (let p = 0; p < C; p++) { if (p !== st.fc) out.push([st.fc, p]); }
      else if (st.filt === "cell" && st.cell) out.push(st.cell);
      return out;
    },

    /** Whether cell (g, p) is shown under the class-report selection (none selected: every cell). */
    visible(sel, g, p) {
      return !sel.size || sel.has(g) || sel.has(p);
    },

    describeFilter(data, st) {
      const C = data.C;
      switch (st.filt) {
        case "fn": return "false negatives (ground truth that nothing matched)";
        case "fp": return "false positives (predictions that matched nothing)";
        case "as": return "objects confused as " + data.classes[st.fc];
        case "from": return data.classes[st.fc] + " objects confused as another class";
        case "cell": return st.cell ? data.label(st.cell[0]) + " → " + data.label(st.cell[1]) + (st.cell[0] === C ? " (false positives)" : st.cell[1] === C ? " (false negatives)" : st.cell[0] === st.cell[1] ? " (correct)" : "") : "";
        default: return "";
      }
    },

    /**
     * The matrix toolbar, built once per Metrics view: filter buttons, class lists, toggles. Its handlers read
     * the state when they run, and sync() puts the state into it, so the 2 x C options are not rebuilt on
     * every repaint.
     */
    toolbar(app) {
      const data = app.data;
      const state = () => app.state;
      const setFilter = (f, fc) => {
        const st = state();
        const same = st.filt === f && (fc === undefined || fc === st.fc);
        const patch = { filt: same ? "" : f, cell: null };
        if (fc !== undefined) patch.fc = fc;
        app.update(patch);
      };
      const fn = el("button", { type: "button", class: "btn", id: "filter-fn", title: "False negatives: the background column", on: { click: () => setFilter("fn") } }, "FN");
      const fp = el("button", { type: "button", class: "btn", id: "filter-fp", title: "False positives: the background row", on: { click: () => setFilter("fp") } }, "FP");
      // Confused As / Confused From (the spec's flow): the button reveals its class list and never changes the
      // filter; choosing a class applies it; choosing "choose a class" takes it off. Each list shows its own
      // class while its filter is on, and no class while it is off (the two never share one).
      const picks = {};
      const open = { as: false, from: false };
      const classPick = (id, label, kind) => {
        const sel = el("select", {
          id: id, "aria-label": label + ": class",
          on: { change: () => {
            if (sel.value === "") {
              if (state().filt === kind) app.update({ filt: "", cell: null });
            } else app.update({ filt: kind, fc: Number(sel.value), cell: null });
          } },
        }, el("option", { value: "", text: "choose a class" }), data.classes.map((n, c) => el("option", { value: String(c), text: n })));
        const btn = el("button", {
          type: "button", class: "btn", id: "filter-" + kind, "aria-controls": id, "aria-expanded": "false",
          on: { click: () => {
            open[kind] = !(open[kind] || state().filt === kind);
            if (!open[kind] && state().filt === kind) open[kind] = true; // the list of an active filter stays
            syncPicks(state());
            if (!sel.hidden) sel.focus();
          } },
        }, label + " ▾");
        picks[kind] = { sel: sel, btn: btn, label: label };
        return el("span", { class: "filter-pick" }, btn, sel);
      };
      const syncPicks = (st) => {
        for (const kind of ["as", "from"]) {
          const pk = picks[kind];
          const on = st.filt === kind;
          const shown = on || open[kind];
          pk.sel.hidden = !shown;
          pk.btn.setAttribute("aria-expanded", shown ? "true" : "false");
          pk.btn.classList.toggle("active", on);
          if (document.activeElement !== pk.sel || on) pk.sel.value = on ? String(st.fc) : "";
        }
      };
      const clear = RG.button("Clear", { class: "btn btn-small", id: "filter-clear" }, () => app.update({ filt: "", cell: null }));
      const filters = el("div", { class: "filters", role: "group", "aria-label": "Filter the matrix" },
        fn, fp, classPick("confused-as", "Confused As", "as"), classPick("confused-from", "Confused From", "from"), clear);
      const segs = {};
      const seg = (id, label, items, onPick) => {
        const buttons = items.map(([key, text]) => el("button", { type: "button", class: "btn", dataset: { key: key }, on: { click: () => onPick(key) } }, text));
        segs[id] = buttons;
        return el("div", { class: "segmented", role: "group", "aria-label": label, id: id }, buttons);
      };
      const mxGroup = seg("toggle-mx", "Matrix of", [["a", "A"], ["b", "B"], ["delta", "B − A"]], (k) => {
        const st = state();
        app.update({ mx: k, filt: st.filt === "cell" ? "" : st.filt });
      });
      const toggles = el("div", { class: "toggles" }, mxGroup,
        seg("toggle-show", "Cell values", [["abs", "Absolute"], ["pct", "Percentage"]], (k) => app.update({ pct: k === "pct" })),
        seg("toggle-den", "Denominator of percentages and colour", [["row", "Row"], ["col", "Column"], ["all", "Value"]], (k) => app.update({ den: k })));
      const node = el("div", { class: "matrix-head" }, el("h3", { id: "matrix-title", text: "Confusion matrix" }), filters, toggles);
      const pressed = (b, on) => b.setAttribute("aria-pressed", on ? "true" : "false");
      return {
        node: node,
        sync(st) {
          pressed(fn, st.filt === "fn");
          pressed(fp, st.filt === "fp");
          syncPicks(st);
          clear.hidden = !st.filt;
          mxGroup.hidden = st.b < 0;
          if (st.b >= 0) {
            // long names are cut with an ellipsis on the button; the full name is its hover text
            segs["toggle-mx"][0].textContent = "A: " + data.models[st.a];
            segs["toggle-mx"][0].title = "Matrix of A: " + data.models[st.a];
            segs["toggle-mx"][1].textContent = "B: " + data.models[st.b];
            segs["toggle-mx"][1].title = "Matrix of B: " + data.models[st.b];
            segs["toggle-mx"][2].title = "Candidate minus baseline: " + data.models[st.b] + " − " + data.models[st.a];
          }
          const current = { "toggle-mx": st.mx, "toggle-show": st.pct ? "pct" : "abs", "toggle-den": st.den };
          for (const id of Object.keys(segs)) for (const b of segs[id]) pressed(b, b.dataset.key === current[id]);
        },
      };
    },

    /** The matrix's note and grid or table in `slot` (the toolbar is built apart). mx: {data, modeName, pct,
     *  den} and for "counts" {mat, m, u, t}, for "delta" {A, B} (each {m, u, t, mat}). */
    render(app, mx, slot) {
      const data = app.data;
      const st = app.state;
      const mode = this.modes[mx.modeName || "counts"];
      if (mode.prepare) mode.prepare(mx);
      const sel = new Set(st.sel);
      const hl = new Set(this.filterCells(data, st).map(([g, p]) => g * data.K + p));
      const order = st.b >= 0
        ? el("p", { class: "matrix-order", id: "matrix-order" }, el("span", { class: "swatch swatch-a", "aria-hidden": "true" }), "A (baseline): ", el("b", { text: data.models[st.a] }),
          " · ", el("span", { class: "swatch swatch-b", "aria-hidden": "true" }), "B (candidate): ", el("b", { text: data.models[st.b] }),
          " · differences are B − A; ⇄ Swap reverses them.")
        : null;
      const note = el("p", { class: "matrix-note", id: "matrix-note" },
        "Rows: ground truth; columns: predicted; ", el("i", { text: "background" }), " collects false positives (row) and false negatives (column). ",
        "Showing ", mode.who(mx), ". ", mode.legend(mx),
        sel.size ? " Filtered to " + sel.size + " selected class" + (sel.size > 1 ? "es" : "") + "." : "",
        " ", mode.scale(mx));
      const info = el("div", { class: "matrix-info" }, order, note, mx.modeName === "delta" ? deltaHelp() : null);
      if (data.many) this.table(app, mx, mode, sel, hl, slot, info);
      else RG.fill(slot, info, this.grid(app, mx, mode, sel, hl));
    },

    grid(app, mx, mode, sel, hl) {
      const data = app.data;
      const st = app.state;
      const K = data.K;
      const C = data.C;
      const focusCell = st.cell || [0, 0];
      // the columns share the box's width (CSS, by --k): up to the many-class threshold the grid fits at 1440 px
      const table = el("table", { class: "matrix interactive" + (K > 16 ? " dense" : ""), style: "--k:" + K, id: "matrix", role: "grid", "aria-labelledby": "matrix-title", "aria-rowcount": K + 1, "aria-colcount": K + 1 });
      const head = el("tr", null, el("th", { scope: "col", class: "corner" }, el("span", { text: "GT \\ predicted" })));
      for (let p = 0; p < K; p++) {
        head.appendChild(el("th", { scope: "col", class: "col-head" + (p === C ? " bg-head" : "") + (sel.has(p) ? " sel-head" : ""), title: data.label(p) },
          el("span", { text: data.label(p) })));
      }
      table.appendChild(el("thead", null, head));
      const body = el("tbody");
      for (let g = 0; g < K; g++) {
        const tr = el("tr", null, el("th", { scope: "row", class: "row-head" + (g === C ? " bg-head" : "") + (sel.has(g) ? " sel-head" : ""), title: data.label(g), text: data.label(g) }));
        for (let p = 0; p < K; p++) {
          if (g === C && p === C) {
            tr.appendChild(el("td", { class: "cell empty", "aria-hidden": "true" }));
            continue;
          }
          const v = mode.value(mx, g, p);
          const col = mode.colour(mx, g, p);
          const kind = g === C ? "fp" : p === C ? "fn" : g === p ? "diag" : "confusion";
          const cls = ["cell", kind];
          if (col && col.dark) cls.push("dark");
          if (mode.zero ? mode.zero(mx, g, p) : !v) cls.push("zero");
          const isHl = hl.has(g * K + p);
          if (isHl) cls.push("hl");
          if (!this.visible(sel, g, p)) cls.push("dim");
          const label = mode.label(mx, g, p);
          tr.appendChild(el("td", {
            class: cls.join(" "), id: "cell-" + g + "-" + p, role: "gridcell",
            tabindex: g === focusCell[0] && p === focusCell[1] ? 0 : -1,
            "aria-label": label, "aria-selected": isHl ? "true" : "false",
            style: col ? "background-color:" + col.bg : null,
            dataset: { g: g, p: p, v: v },
          }, mode.text(mx, g, p)));
        }
        body.appendChild(tr);
      }
      table.appendChild(body);
      const pick = (g, p) => {
        const same = st.filt === "cell" && st.cell && st.cell[0] === g && st.cell[1] === p;
        app.update(same ? { filt: "", cell: null } : { filt: "cell", cell: [g, p] });
      };
      table.addEventListener("click", (e) => {
        const td = e.target.closest("td.cell");
        if (!td || td.classList.contains("empty")) return;
        pick(Number(td.dataset.g), Number(td.dataset.p));
      });
      table.addEventListener("keydown", (e) => {
        const td = e.target.closest("td.cell");
        if (!td) return;
        let g = Number(td.dataset.g);
        let p = Number(td.dataset.p);
        if (e.key === "Enter" || e.key === " ") {
          pick(g, p);
          e.preventDefault();
          return;
        }
        const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1], Home: [0, -K], End: [0, K] };
        const mv = moves[e.key];
        if (!mv) return;
        e.preventDefault();
        g = Math.min(Math.max(g + mv[0], 0), K - 1);
        p = Math.min(Math.max(p + mv[1], 0), K - 1);
        if (g === C && p === C) p = C - 1;
        const next = table.querySelector("#cell-" + g + "-" + p);
        if (next) {
          td.tabIndex = -1;
          next.tabIndex = 0;
          next.focus();
        }
      });
      // hover text that shows on mouse hover and on keyboard focus (a title shows late, and never on focus or
      // touch): the cell's aria-label, so screen readers already have it (the tip is hidden from them)
      const tip = el("div", { class: "cell-tip", id: "cell-tip", role: "tooltip", "aria-hidden": "true", hidden: true });
      const showTip = (td) => {
        if (!td || td.classList.contains("empty")) return;
        tip.textContent = td.getAttribute("aria-label");
        tip.hidden = false;
        const r = td.getBoundingClientRect();
        const w = tip.offsetWidth;
        const left = Math.max(4, Math.min(r.left + r.width / 2 - w / 2, document.documentElement.clientWidth - w - 4));
        const above = r.top - tip.offsetHeight - 6;
        tip.style.left = left + "px";
        tip.style.top = (above >= 0 ? above : r.bottom + 6) + "px";
        tip.dataset.cell = td.id;
      };
      const hideTip = () => (tip.hidden = true);
      table.addEventListener("mouseover", (e) => showTip(e.target.closest("td.cell")));
      table.addEventListener("mouseleave", hideTip);
      table.addEventListener("focusin", (e) => showTip(e.target.closest("td.cell")));
      table.addEventListener("focusout", hideTip);
      table.addEventListener("keydown", (e) => { if (e.key === "Escape") hideTip(); });
      shownTip = tip;
      return el("div", { class: "table-scroll" }, table, tip);
    },

    /** The many-class table in `slot` after `info`. The table stays across repaints with the same columns:
     *  its rows are patched in place (RG.morph) and a row click is handled on the table. */
    table(app, mx, mode, sel, hl, slot, info) {
      const data = app.data;
      const st = app.state;
      const K = data.K;
      const C = data.C;
      const q = st.mq.trim().toLowerCase();
      const kinds = new Set(st.kinds);
      let cells = [];
      for (const cell of mode.nonzero(mx)) {
        const g = Math.floor(cell / K);
        const p = cell % K;
        if (g === C && p === C) continue;
        if (!this.visible(sel, g, p)) continue;
        // a filter (FN, FP, Confused As / From, a picked cell) says which cells; otherwise the kinds do
        if (hl.size ? !hl.has(cell) : !kinds.has(RG.cellKind(C, g, p))) continue;
        if (q && !data.label(g).toLowerCase().includes(q) && !data.label(p).toLowerCase().includes(q)) continue;
        cells.push(cell);
      }
      const value = (cell) => mode.sortKey(mx, Math.floor(cell / K), cell % K);
      cells.sort((x, y) => value(y) - value(x) || x - y);
      const total = cells.length;
      const all = app.transient.allPairs;
      if (!all) cells = cells.slice(0, TABLE_ROWS);
      const specs = cells.map((cell) => {
        const g = Math.floor(cell / K);
        const p = cell % K;
        const kind = KIND_WORDS[RG.cellKind(C, g, p)];
        const selected = st.filt === "cell" && st.cell && st.cell[0] === g && st.cell[1] === p;
        const label = mode.label(mx, g, p);
        return {
          attrs: { class: "selectable" + (selected ? " selected" : ""), "data-g": g, "data-p": p, "data-v": mode.value(mx, g, p), title: label },
          cells: [{ tag: "th", attrs: { scope: "row" }, button: { attrs: { type: "button", class: "btn-link row-btn", id: "pair-" + g + "-" + p, "aria-pressed": selected ? "true" : "false", "aria-label": label + ": show examples" }, text: data.label(g) } },
            { tag: "td", attrs: {}, text: data.label(p) }, { tag: "td", attrs: { class: "muted" }, text: kind }].concat(mode.tableCells(mx, g, p)),
        };
      });
      const thead = el("thead", null, el("tr", null, el("th", { scope: "col", text: "Ground truth" }), el("th", { scope: "col", text: "Predicted" }), el("th", { scope: "col", text: "Kind" }),
        mode.heads(mx).map(([text, cls]) => el("th", { scope: "col", class: cls, text: text }))));
      const more = !all && total > TABLE_ROWS
        ? RG.button("Show all " + RG.int(total) + " pairs", { class: "btn btn-small", id: "pairs-all" }, () => { app.transient.allPairs = true; app.render(); })
        : null;
      const count = el("p", { class: "muted", id: "pairs-count", role: "status" },
        (mx.modeName === "delta" ? "(Ground truth, predicted) pairs non-zero in A or B, by absolute change" + (mx.pct ? " of share" : "") + ": " : "Non-zero (ground truth, predicted) pairs by count: ") +
        RG.int(Math.min(total, all ? total : TABLE_ROWS)) + " of " + RG.int(total) + " shown" +
        (hl.size ? " (filtered)" : " (" + RG.KINDS.filter((k) => kinds.has(k)).map((k) => KIND_LABELS[k]).join(", ") + ")") + ". Select a row to see its examples.");
      const key = mx.modeName + (mx.pct ? ":pct" : "");
      const box = slot.children[1];
      if (box && box.dataset.key === key && this.pairsTable && box.contains(this.pairsTable)) {
        slot.replaceChild(info, slot.children[0]);
        const search = box.querySelector("#matrix-search");
        if (document.activeElement !== search && search.value !== st.mq) search.value = st.mq;
        this.syncKinds(st, hl.size > 0);
        box.replaceChild(count, box.children[1]);
        RG.morph(this.pairsTable.tHead, thead);
        RG.patchRows(this.pairsTable.tBodies[0], specs);
        RG.fill(box.children[3], more);
        return;
      }
      const search = el("input", {
        type: "search", class: "search", id: "matrix-search", placeholder: "Filter by class", value: st.mq,
        "aria-label": "Filter the confusion table by ground-truth or predicted class", on: { input: (e) => app.update({ mq: e.target.value }) },
      });
      const kindButtons = RG.KINDS.map((k) => el("button", {
        type: "button", class: "btn btn-small", id: "kind-" + k, dataset: { kind: k },
        on: { click: () => {
          const now = new Set(app.state.kinds);
          if (now.has(k)) now.delete(k);
          else now.add(k);
          app.update({ kinds: RG.KINDS.filter((x) => now.has(x)) });
        } },
      }, KIND_LABELS[k]));
      this.kindButtons = kindButtons;
      const kindGroup = el("div", { class: "segmented kinds", role: "group", "aria-label": "Kinds of cells listed" }, kindButtons);
      const table = el("table", { class: "data pairs" + (mx.modeName === "delta" ? " delta" : ""), id: "pairs" }, thead, RG.patchRows(el("tbody"), specs));
      // a row (or its button) shows the examples of its cell; again clears them
      table.addEventListener("click", (e) => {
        const tr = e.target.closest("tbody tr");
        if (!tr) return;
        const g = Number(tr.dataset.g);
        const p = Number(tr.dataset.p);
        const now = app.state;
        const same = now.filt === "cell" && now.cell && now.cell[0] === g && now.cell[1] === p;
        app.update(same ? { filt: "", cell: null } : { filt: "cell", cell: [g, p] });
      });
      this.pairsTable = table;
      RG.fill(slot, info, el("div", { class: "pairs-box", dataset: { key: key } },
        el("div", { class: "toolbar" }, search, el("span", { class: "kinds-label muted", text: "List:" }), kindGroup),
        count,
        el("div", { class: "table-scroll scroll-box", style: "max-height: 560px" }, table),
        el("div", { class: "pairs-more" }, more)));
      this.syncKinds(st, hl.size > 0);
    },

    /** The kind buttons show the state; while a filter picks the cells they do not apply, and say so. */
    syncKinds(st, filtered) {
      for (const b of this.kindButtons || []) {
        b.setAttribute("aria-pressed", st.kinds.includes(b.dataset.kind) ? "true" : "false");
        b.disabled = filtered;
        b.title = filtered ? "A filter picks the cells: clear it to list by kind" : "";
      }
    },
  });

  function presetText(data, q) {
    const grids = data.P.grids;
    return "confidence " + RG.gridText(grids.confidence[q.t]) + (data.task === "detection" ? " · IoU " + RG.gridText(grids.iou[q.u]) : "");
  }

  let helpOpen = false; // the reader's choice, kept across repaints

  /** How to read the B − A matrix (docs/compare.md says the same). */
  function deltaHelp() {
    const li = (...kids) => el("li", null, ...kids);
    const box = el("details", { class: "help", id: "delta-help", open: helpOpen || null, on: { toggle: () => (helpOpen = box.open) } },
      el("summary", { text: "How to read the B − A matrix" }),
      el("ul", null,
        li("Each cell is the candidate's (B) number minus the baseline's (A) at their presets. Hover text and screen-reader label: ",
          el("code", { text: "<predicted> - <ground truth> <sign> <change> (<A's count> -> <B's count>)" }), ", e.g. ",
          el("code", { text: "delta - straight + 10 (2 -> 12)" }), "; no change reads ", el("code", { text: "+ 0" }), "."),
        li(el("b", { text: "Absolute" }), ": the change of the count. ", el("b", { text: "Percentage" }),
          ": the change of the cell's share of its row, column or the total (Row / Column / Value): B's share minus A's share, in percentage points. On the diagonal, the row share is the class's recall and the column share its precision."),
        li("Colour: blue = better, red = worse. On the diagonal (correct predictions) an increase is better; everywhere else (confusions, the background row of false positives and the background column of false negatives) an increase is worse. Neutral grey: no change. Darker: a larger change, on a square-root scale, against the largest change in the cell's row / column / the whole matrix (Absolute with Row / Column / Value) or in the whole matrix (Percentage)."),
        li("Clicking a cell or a filter lists the examples behind the change: for a ground-truth row, the objects in those cells for one inference set and not the other (from the per-object outcomes); for the background row (false positives, which cannot be paired across inference sets), each set's own examples side by side.")));
    return box;
  }
})();
