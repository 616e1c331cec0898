/* reportgen report page: the Metrics tab. Segment and Metric Class selectors, the PR curve, the
 * classification report, the confusion matrix and the examples of its highlighted cells. */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;

  RG.Metrics = {
    render(root, app) {
      const data = app.data;
      const st = app.state;
      const s = st.seg;
      const compare = st.b >= 0;
      const pa = RG.presetOf(st, st.a);
      const pb = compare ? RG.presetOf(st, st.b) : null;
      const side = (m, p) => ({ m: m, u: p.u, t: p.t, matrix: data.matrix(m, s, p.u, p.t) });
      const ctx = { data: data, s: s, compare: compare, a: side(st.a, pa), b: compare ? side(st.b, pb) : null };

      const segSelect = el("select", { id: "seg-select", on: { change: () => app.update({ seg: Number(segSelect.value), sel: [], filt: "", cell: null }, { push: true }) } },
        data.segments.map((seg, i) => el("option", { value: String(i), text: seg.name + " (" + RG.int(seg.frame_count) + " frames)" })));
      segSelect.value = String(s);
      const clsSelect = el("select", { id: "class-select", on: { change: () => app.update({ cls: Number(clsSelect.value) }) } },
        el("option", { value: "-1", text: "All classes" }), data.classes.map((n, c) => el("option", { value: String(c), text: n })));
      clsSelect.value = String(st.cls);
      const seg = data.segments[s];
      const toolbar = el("div", { class: "toolbar" },
        el("div", { class: "control" }, el("label", { for: "seg-select", text: "Segment" }), segSelect),
        el("div", { class: "control" }, el("label", { for: "class-select", text: "Metric Class" }), clsSelect),
        RG.button("Segment details ↗", { id: "open-details", class: "btn" }, () => app.update({ tab: "details" }, { push: true })),
        seg.description ? el("p", { class: "muted", text: seg.description, style: "flex-basis: 100%; margin: 0" }) : null);

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
      const jp = RG.judge(data, st, s, "precision", st.a);
      const jr = RG.judge(data, st, s, "recall", st.a);
      const iouText = (q) => RG.gridText(grids.iou[q.u]);
      const at = data.task === "detection" ? "at IoU " + iouText(ctx.a) + (compare && ctx.b.u !== ctx.a.u ? " (B: " + iouText(ctx.b) + ")" : "") + ", " : "";
      const caption = "Precision-recall curve " + at + (c === data.C ? "all classes" : "class " + data.classes[c]) + ", " + seg.name;
      const chart = el("figure", { class: "chart-box", id: "pr-curve" }, el("figcaption", { text: caption }),
        RG.PRCurve.render({ series: series, pTarget: jp.target ? jp.threshold : null, rTarget: jr.target ? jr.threshold : null, caption: caption }));

      const report = RG.ClassReport.render(app, ctx);
      let top;
      if (compare) {
        // A and B side by side: the segment's card beside the chart, the wide class report below
        const summary = RG.Scenarios.card(app, s, true);
        summary.classList.remove("clickable");
        summary.classList.add("summary-card");
        top = el("div", null, el("div", { class: "metrics-top compare" }, chart,
          el("div", null, el("h3", { class: "summary-title", text: "Segment summary" }), summary)), report);
      } else {
        top = el("div", { class: "metrics-top" }, chart, report);
      }

      // confusion matrix and examples
      const useB = compare && st.mx === "b";
      const q = useB ? ctx.b : ctx.a;
      const mx = { data: data, m: q.m, u: q.u, t: q.t, mat: q.matrix, pct: st.pct, den: st.den, modeName: "counts" };
      const matrix = RG.Matrix.render(app, mx);
      const sel = new Set(st.sel);
      const cells = RG.Matrix.filterCells(data, st).filter(([g, p]) => RG.Matrix.visible(sel, g, p));
      const examples = RG.Examples.render(app, { cells: cells, m: q.m, s: s, u: q.u, t: q.t, mat: q.matrix });

      RG.fill(root, el("section", { class: "panel", "aria-labelledby": "metrics-title" },
        el("div", { class: "section-head" }, el("h2", { id: "metrics-title", text: "Metrics · " + seg.name })),
        toolbar, top, matrix, examples));
    },
  };
})();
