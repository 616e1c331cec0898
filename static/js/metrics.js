/* reportgen report page: the Metrics tab. Segment and Metric Class selectors, the PR curve, the
 * classification report, the confusion matrix and the examples of its highlighted cells.
 *
 * The tab's frame (selectors, matrix toolbar) is built once and synced with the state; only the parts that
 * show numbers are rebuilt on a switch, which keeps repaints fast at 80 classes. */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;

  /** State fields the class report never reads (the matrix's and its examples'). */
  const REPORT_OMIT = ["tab", "mx", "pct", "den", "filt", "fc", "cell", "exsort", "mq", "kinds"];
  /** ... and those the chart, the segment summary and What flipped never read (the class report's sort, search
   *  and row selection as well). */
  const VIEW_OMIT = REPORT_OMIT.concat(["sort", "q", "sel"]);
  /** The tab's parts in page order: "top" (chart and segment summary), "report" (the classification report),
   *  "matrix" (the confusion matrix and its examples), "flips" (What flipped). */
  const PART_ORDER = ["top", "report", "matrix", "flips"];
  /** A part whose top lies in this share of the screen's height at its bottom edge shows no more than its
   *  heading there: a repaint renders it once the page is idle after the next paint (RG.Metrics.render). */
  const BOTTOM_EDGE = 0.15;
  /** ... once the page has an idle period this long (no frame due, no input waiting), or this long after the
   *  input at the latest */
  const BELOW_IDLE_MS = 30;
  const BELOW_LATEST_MS = 150;

  RG.Metrics = {
    PART_ORDER: PART_ORDER,

    /** Build the tab's frame in root, or put the tab prepared out of sight in root's place; returns the element the
     *  tab now lives in (the prepared one, when it took the view's place). */
    build(root, app) {
      if (this.prebuilt && this.prebuilt !== root) {
        // the tab was prepared while the reader was elsewhere (prepare below): its element, styled and laid out
        // out of sight, takes the place of the page's view element (moving its nodes would lay them out again)
        const host = this.prebuilt;
        this.prebuilt = null;
        if (host.isConnected && root === app.root) {
          app.adoptRoot(host);
          root = app.root;
        } else RG.fill(root, Array.from(host.childNodes));
        root.dataset.view = "metrics";
        return root;
      }
      this.prebuilt = null;
      const data = app.data;
      const segSelect = el("select", { id: "seg-select", on: { change: () => app.update({ seg: Number(segSelect.value), sel: [], filt: "", cell: null }, { push: true }) } },
        data.segments.map((seg, i) => el("option", { value: String(i), text: seg.name + " (" + RG.int(seg.frame_count) + " frames)" })));
      const clsSelect = el("select", { id: "class-select", on: { change: () => app.update({ cls: Number(clsSelect.value) }) } },
        el("option", { value: "-1", text: "All classes" }), data.classes.map((n, c) => el("option", { value: String(c), text: n })));
      const title = el("h2", { id: "metrics-title" });
      const description = el("p", { class: "muted seg-description" });
      const toolbar = el("div", { class: "toolbar" },
        el("div", { class: "control" }, el("label", { for: "seg-select", text: "Segment" }), segSelect),
        el("div", { class: "control" }, el("label", { for: "class-select", text: "Metric Class" }), clsSelect),
        RG.button("Segment details ↗", { id: "open-details", class: "btn" }, () => app.update({ tab: "details" }, { push: true })),
        description);
      const parts = {
        segSelect: segSelect, clsSelect: clsSelect, title: title, description: description, matrixBar: null,
        top: el("div"), flips: el("div"), matrix: el("div"), examples: el("div"),
      };
      // the matrix's toolbar is made with the matrix's first render (renderMatrix): often below the screen
      parts.matrixSection = el("section", { class: "matrix-section" }, parts.matrix);
      RG.fill(root, el("section", { class: "panel", "aria-labelledby": "metrics-title" },
        el("div", { class: "section-head" }, title), toolbar, parts.top, parts.matrixSection, parts.examples, parts.flips));
      root.dataset.view = "metrics";
      this.parts = parts;
      return root;
    },

    /**
     * Build and render the tab while the reader is on another tab (called in idle time by app.js, a step per
     * idle period), so that its first visit costs no more than a later one: the frame exists, the code has run
     * once, the data it reads (matrices, outcomes) is cached, and its nodes are styled and laid out at the view's
     * width. They live in an element out of sight (.app-prep: content-visibility hidden, so its contents are
     * neither painted nor focusable nor seen by assistive technology, and keep their layout). Steps: "top",
     * "report", "matrix", "flips" render a part; "layout" styles and lays out what was rendered (one task each, so no
     * input waits behind all of it). The visit puts the element in the view's place (app.adoptRoot) and repaints
     * only the parts whose state changed meanwhile.
     */
    prepare(app, step) {
      if (app.root.dataset.view === "metrics") return;
      if (step === "layout") {
        if (!this.prebuilt) return;
        const host = this.prebuilt;
        host.style.contentVisibility = "visible"; // within this task only: never painted, never focused
        void host.offsetHeight;
        host.style.contentVisibility = "";
      } else if (step === "top" || !this.prebuilt) {
        let host = this.host;
        if (!host || !host.isConnected || host === app.root) {
          host = this.host = document.createElement("div");
          host.className = "app app-prep";
          app.root.after(host);
        }
        host.style.width = app.root.clientWidth + "px";
        host.dataset.view = "";
        this.prebuilt = null;
        this.render(host, app, "top");
        this.prebuilt = host;
      } else this.render(this.prebuilt, app, step);
    },

    /** Render the tab into root; `only` (a name of PART_ORDER) limits it to one part (the idle-time preparation
     *  does a part per step, and so does a repaint of the parts below the screen, see below). */
    render(root, app, only) {
      if (root.dataset.view !== "metrics" || !this.parts) root = this.build(root, app);
      const parts = this.parts;
      const data = app.data;
      const st = app.state;
      const s = st.seg;
      const seg = data.segments[s];
      const compare = st.b >= 0;
      const pa = RG.presetOf(st, st.a);
      const pb = compare ? RG.presetOf(st, st.b) : null;
      const side = (m, p) => ({ m: m, u: p.u, t: p.t, matrix: data.matrix(m, s, p.u, p.t) });
      const ctx = { data: data, s: s, compare: compare, a: side(st.a, pa), b: compare ? side(st.b, pb) : null };

      parts.title.textContent = "Metrics · " + seg.name;
      if (document.activeElement !== parts.segSelect) parts.segSelect.value = String(s);
      if (document.activeElement !== parts.clsSelect) parts.clsSelect.value = String(st.cls);
      parts.segSelect.title = seg.name; // a long name is cut in the select: its hover text is the whole name
      parts.clsSelect.title = st.cls >= 0 ? data.classes[st.cls] : "All classes";
      parts.description.textContent = seg.description || "";
      parts.description.hidden = !seg.description;

      // each part is rebuilt only when what it shows may have changed (a matrix toggle, filter or search leaves the
      // chart and the class report as they are): its key is every state field it may read, the view-only flags and
      // how much of the data is decoded
      const blobs = Object.keys(data.b).length + "," + !!data.blobError;
      const keyOf = (omit, ready) => JSON.stringify(st, (k, v) => (omit.includes(k) ? undefined : v)) + JSON.stringify(app.transient) + blobs + ready;
      const exReady = "," + !!data.ex + "," + !!data.exError;
      const PARTS = {
        top: { key: () => keyOf(VIEW_OMIT, ""), render: () => this.renderTop(app, ctx) },
        report: { node: () => parts.reportSlot, key: () => keyOf(REPORT_OMIT, ""), render: () => RG.ClassReport.render(app, ctx, parts.reportSlot) },
        matrix: { node: () => parts.matrixSection, key: () => keyOf(["tab"], "," + data.exParts + exReady), render: () => this.renderMatrix(app, ctx) },
        // what flipped (B chosen); an open group's pictures come from the examples
        flips: {
          node: () => parts.flips, key: () => keyOf(VIEW_OMIT, RG.Compare.anyOpen() ? exReady : ""),
          render: () => (compare ? RG.fill(parts.flips, RG.Compare.panel(app, ctx)) : parts.flips.replaceChildren()),
        },
      };
      // a repaint of the view in sight renders a part below the top now only if the reader can see more of it than
      // a heading at the bottom edge, or is working in it; else once the page is idle after the next paint (renderBelow), so
      // an input's first paint waits on what is on screen only
      const inSight = (node) => only || root !== app.root || node.contains(document.activeElement) ||
        node.getBoundingClientRect().top < window.innerHeight * (1 - BOTTOM_EDGE);
      for (const name of PART_ORDER) {
        if (only && only !== name) continue;
        const part = PARTS[name];
        if (name === "report" && !parts.reportSlot) continue; // its slot comes with the top's first render
        const key = part.key();
        if (parts[name + "Key"] === key) continue;
        if (part.node && !inSight(part.node())) {
          this.renderBelow(app, name);
          continue;
        }
        part.render();
        parts[name + "Key"] = key;
      }
    },

    /** Render `part` of the tab in an idle period after the next paint (no frame due, no input waiting; at the
     *  latest BELOW_LATEST_MS after the input), a task per part in page order, with the state of that moment;
     *  RG.idle waits for it. */
    renderBelow(app, part) {
      if (!this.below) this.below = new Set();
      this.below.add(part);
      if (this.belowDone) return;
      this.belowDone = RG.whenIdle(BELOW_IDLE_MS, BELOW_LATEST_MS).then(async () => {
        for (const name of PART_ORDER) {
          if (!this.below.delete(name)) continue;
          if (app.state.tab === "metrics" && app.root.dataset.view === "metrics" && this.parts) this.render(app.root, app, name);
          if (this.below.size) await RG.nextTask();
        }
      }).finally(() => {
        this.belowDone = null;
        if (this.below.size) this.renderBelow(app, this.below.values().next().value);
      });
    },

    /** The PR curve and the segment summary (A and B), and the frame of the parts beside and below them. */
    renderTop(app, ctx) {
      const parts = this.parts;
      const data = app.data;
      const st = app.state;
      const s = ctx.s;
      const seg = data.segments[s];
      const compare = ctx.compare;
      // PR curve
      const c = st.cls >= 0 ? st.cls : data.C;
      const grids = data.P.grids;
      const series = [];
      const addSeries = (role, q) => {
        series.push({
          m: q.m, role: role, label: role.toUpperCase() + ": " + data.models[q.m], colour: role === "a" ? RG.SERIES[0] : RG.SERIES[1],
          points: RG.curvePoints(data, q.m, s, q.u, c), op: RG.operatingPoint(data, q.m, s, q.u, q.t, c), stats: data.curveStats(q.m, s, q.u, c),
        });
      };
      addSeries("a", ctx.a);
      if (compare) addSeries("b", ctx.b);
      // the segment's targets apply to its Metric Class (pooled: all classes); over another class's curve no
      // target line is drawn, since none applies there
      const targetClass = seg.metric_class === null || seg.metric_class === undefined ? data.C : seg.metric_class;
      const targetsApply = c === targetClass;
      const jp = RG.judge(data, st, s, "precision", st.a);
      const jr = RG.judge(data, st, s, "recall", st.a);
      const iouText = (q) => RG.gridText(grids.iou[q.u]);
      const at = data.task === "detection" ? " at IoU " + iouText(ctx.a) + (compare && ctx.b.u !== ctx.a.u ? " (B: " + iouText(ctx.b) + ")" : "") : "";
      const caption = "Precision-recall curve" + at + ", " + (c === data.C ? "all classes" : "class " + data.classes[c]) + ", " + seg.name;
      const chart = el("figure", { class: "chart-box", id: "pr-curve" }, el("figcaption", { text: caption }),
        RG.PRCurve.render({ series: series, pTarget: targetsApply && jp.target ? jp.threshold : null, rTarget: targetsApply && jr.target ? jr.threshold : null,
          pExact: jp.exact, rExact: jr.exact, caption: caption }));

      // the layout (one set, or A and B side by side) is rebuilt only when it changes; its slots are refilled
      const layout = compare ? "compare" : "one";
      if (parts.layout !== layout) {
        parts.layout = layout;
        parts.chartSlot = el("div", { class: "chart-slot" });
        parts.summarySlot = el("div", { class: "summary-slot" });
        parts.reportSlot = el("div", { class: "report-slot" });
        RG.fill(parts.top, compare
          // A and B side by side: the segment's card beside the chart, the wide class report below
          ? el("div", null, el("div", { class: "metrics-top compare" }, parts.chartSlot,
            el("div", null, el("h3", { class: "summary-title", text: "Segment summary" }), parts.summarySlot)), parts.reportSlot)
          : el("div", { class: "metrics-top" }, parts.chartSlot, parts.reportSlot));
        parts.reportKey = null; // its slot is new
      }
      RG.fill(parts.chartSlot, chart);
      if (compare) {
        const summary = RG.Scenarios.card(app, s, true);
        summary.classList.remove("clickable");
        summary.classList.add("summary-card");
        RG.fill(parts.summarySlot, summary, RG.Compare.methodNote(app, "summary-ci-note"));
      }
    },

    /** The confusion matrix and the examples of its picked cells: A's, B's or B − A. */
    renderMatrix(app, ctx) {
      const parts = this.parts;
      const data = app.data;
      const st = app.state;
      if (!parts.matrixBar) {
        parts.matrixBar = RG.Matrix.toolbar(app);
        parts.matrixSection.prepend(parts.matrixBar.node);
        parts.matrixSection.setAttribute("aria-labelledby", "matrix-title");
      }
      parts.matrixBar.sync(st);
      const s = ctx.s;
      const compare = ctx.compare;
      const sel = new Set(st.sel);
      const cells = RG.Matrix.filterCells(data, st).filter(([g, p]) => RG.Matrix.visible(sel, g, p));
      if (compare && st.mx === "delta") {
        const A = { m: ctx.a.m, u: ctx.a.u, t: ctx.a.t, mat: ctx.a.matrix };
        const B = { m: ctx.b.m, u: ctx.b.u, t: ctx.b.t, mat: ctx.b.matrix };
        RG.Matrix.render(app, { data: data, A: A, B: B, pct: st.pct, den: st.den, modeName: "delta" }, parts.matrix);
        RG.fill(parts.examples, RG.Compare.examples(app, { cells: cells, s: s, A: A, B: B }));
      } else {
        const q = compare && st.mx === "b" ? ctx.b : ctx.a;
        RG.Matrix.render(app, { data: data, m: q.m, u: q.u, t: q.t, mat: q.matrix, pct: st.pct, den: st.den, modeName: "counts" }, parts.matrix);
        RG.fill(parts.examples, RG.Examples.render(app, { cells: cells, m: q.m, s: s, u: q.u, t: q.t, mat: q.matrix }));
      }
    },
  };
})();
