/* reportgen report page: the PR curve, drawn as SVG from the precomputed curve points (display integers).
 * One curve per selected inference set (A blue circles, B orange squares), the operating point of the current
 * confidence, the segment's precision / recall targets as dotted lines, hover on points; a table of the points
 * is the chart's text equivalent. */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;
  const svg = RG.svg;

  const W = 460;
  const H = 360;
  const L = 50;
  const R = 14;
  const TOP = 14;
  const B = 42;
  const px = (r) => L + (W - L - R) * r;
  const py = (p) => H - B - (H - B - TOP) * p;

  /** The points of a curve: [{t, p, r}] with p / r as display integers, undefined precision left out. */
  RG.curvePoints = function (data, m, s, u, c) {
    const cv = data.curve(m, s, u, c);
    const out = [];
    for (let i = 0; i < cv.p.length; i++) {
      if (cv.p[i] === RG.UNDEFINED || cv.r[i] === RG.UNDEFINED) continue;
      out.push({ i: i, t: data.curveGrid[i], p: cv.p[i], r: cv.r[i] });
    }
    return out;
  };

  /** The operating point at confidence preset t: the curve point when the confidence is on the curve grid,
   *  else the precomputed class-report numbers (the same definition). Display integers; null when undefined. */
  RG.operatingPoint = function (data, m, s, u, t, c) {
    const conf = data.P.grids.confidence[t];
    const i = data.curveIndex(conf);
    let p;
    let r;
    if (i >= 0) {
      const cv = data.curve(m, s, u, c);
      p = cv.p[i];
      r = cv.r[i];
    } else {
      const sc = c === data.C ? data.averages(m, s, u, t, 0) : data.classScores(m, s, u, t, c);
      p = sc[0];
      r = sc[1];
    }
    if (p === RG.UNDEFINED || r === RG.UNDEFINED) return null;
    return { t: conf, p: p, r: r };
  };

  RG.PRCurve = {
    /**
     * @param opts {series: [{m, role, label, colour, points, op, stats}], pTarget, rTarget, caption}
     */
    render(opts) {
      const wrap = el("div", { class: "chart-wrap" });
      const tip = el("div", { class: "tooltip", role: "status", hidden: true });
      const chart = svg("svg", {
        class: "pr-svg", id: "pr-svg", viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
        "aria-label": opts.caption,
      });
      const axis = svg("g", { class: "axis" });
      for (let i = 0; i <= 10; i++) {
        const v = i / 10;
        axis.appendChild(svg("line", { class: "gridline", x1: px(v), x2: px(v), y1: py(0), y2: py(1) }));
        axis.appendChild(svg("line", { class: "gridline", x1: px(0), x2: px(1), y1: py(v), y2: py(v) }));
        if (i % 2 === 0) {
          axis.appendChild(svg("text", { x: px(v), y: py(0) + 16, "text-anchor": "middle", text: RG.fixed(v, 1) }));
          axis.appendChild(svg("text", { x: px(0) - 8, y: py(v) + 4, "text-anchor": "end", text: RG.fixed(v, 1) }));
        }
      }
      axis.appendChild(svg("path", { d: "M" + px(0) + "," + py(1) + "V" + py(0) + "H" + px(1), fill: "none" }));
      axis.appendChild(svg("text", { x: (px(0) + px(1)) / 2, y: H - 6, "text-anchor": "middle", text: "Recall" }));
      axis.appendChild(svg("text", { x: 12, y: (py(0) + py(1)) / 2, "text-anchor": "middle", transform: "rotate(-90 12 " + (py(0) + py(1)) / 2 + ")", text: "Precision" }));
      chart.appendChild(axis);

      const targets = svg("g", { class: "targets" });
      if (opts.pTarget !== null && opts.pTarget !== undefined) {
        targets.appendChild(svg("line", { class: "target-p", x1: px(0), x2: px(1), y1: py(opts.pTarget), y2: py(opts.pTarget), stroke: "#333", "stroke-width": 1.3, "stroke-dasharray": "2 3" }));
        targets.appendChild(svg("text", { x: px(1) - 2, y: py(opts.pTarget) - 4, "text-anchor": "end", text: "precision target " + RG.thresholdText(opts.pTarget, null, opts.pExact) }));
      }
      if (opts.rTarget !== null && opts.rTarget !== undefined) {
        targets.appendChild(svg("line", { class: "target-r", x1: px(opts.rTarget), x2: px(opts.rTarget), y1: py(0), y2: py(1), stroke: "#333", "stroke-width": 1.3, "stroke-dasharray": "2 3" }));
        // right of the line, or left of it when the line is in the right half (the label stays in the chart)
        const left = opts.rTarget > 0.5;
        targets.appendChild(svg("text", { class: "target-r-label", x: px(opts.rTarget) + (left ? -4 : 4), y: py(1) + 10, "text-anchor": left ? "end" : "start",
          text: "recall target " + RG.thresholdText(opts.rTarget, null, opts.rExact) }));
      }
      chart.appendChild(targets);

      const show = (e, text) => {
        tip.textContent = text;
        tip.hidden = false;
        const box = wrap.getBoundingClientRect();
        const x = e.clientX !== undefined ? e.clientX - box.left : 0;
        const y = e.clientY !== undefined ? e.clientY - box.top : 0;
        tip.style.left = Math.min(x + 12, box.width - 200) + "px";
        tip.style.top = Math.max(y - 34, 0) + "px";
      };
      const hide = () => (tip.hidden = true);
      opts.series.forEach((sr) => {
        const g = svg("g", { class: "series", dataset: { role: sr.role, model: sr.m } });
        if (sr.points.length) {
          const d = sr.points.map((q, n) => (n ? "L" : "M") + px(q.r / 10000).toFixed(2) + "," + py(q.p / 10000).toFixed(2)).join("");
          g.appendChild(svg("path", { d: d, fill: "none", stroke: sr.colour, "stroke-width": 2, "stroke-dasharray": sr.role === "b" ? "6 3" : null }));
        }
        // hover targets; one delegated listener on the chart shows their text (the table below is the
        // accessible equivalent)
        for (const q of sr.points) {
          const text = sr.label + " · confidence " + RG.gridText(q.t) + " · precision " + RG.disp(q.p) + " · recall " + RG.disp(q.r);
          g.appendChild(svg("circle", { class: "hit", cx: px(q.r / 10000).toFixed(1), cy: py(q.p / 10000).toFixed(1), r: 4.5, dataset: { t: q.t, tip: text } }));
        }
        if (sr.op) {
          const text = sr.label + " at confidence " + RG.gridText(sr.op.t) + ": precision " + RG.disp(sr.op.p) + ", recall " + RG.disp(sr.op.r);
          const dot = RG.marker(sr.m === undefined ? 0 : sr.role === "b" ? 1 : 0, px(sr.op.r / 10000), py(sr.op.p / 10000), 6, {
            class: "op", fill: sr.colour, stroke: "#fff", "stroke-width": 2, dataset: { p: sr.op.p, r: sr.op.r, t: sr.op.t },
          });
          dot.dataset.tip = text;
          dot.appendChild(svg("title", { text: text }));
          g.appendChild(dot);
        }
        chart.appendChild(g);
      });
      chart.addEventListener("mouseover", (e) => {
        const tipText = e.target.dataset ? e.target.dataset.tip : undefined;
        if (tipText) show(e, tipText);
      });
      chart.addEventListener("mouseout", (e) => { if (e.target.dataset && e.target.dataset.tip) hide(); });
      wrap.appendChild(chart);
      wrap.appendChild(tip);

      const legend = el("div", { class: "legend" });
      const stats = el("div", { class: "chart-stats", id: "pr-stats" });
      opts.series.forEach((sr) => {
        legend.appendChild(el("span", null,
          svg("svg", { width: 26, height: 12, "aria-hidden": "true" },
            svg("line", { x1: 0, x2: 26, y1: 6, y2: 6, stroke: sr.colour, "stroke-width": 2, "stroke-dasharray": sr.role === "b" ? "6 3" : null }),
            RG.marker(sr.role === "b" ? 1 : 0, 13, 6, 4, { fill: sr.colour, stroke: "#fff" })),
          sr.label));
        const [ap, bestT, bestF] = sr.stats;
        stats.appendChild(el("span", { dataset: { role: sr.role } },
          sr.role.toUpperCase() + " AP ", el("b", { class: "ap", text: RG.disp(ap) }),
          " · best F1 ", el("b", { text: RG.disp(bestF) }),
          bestT === RG.UNDEFINED ? "" : el("span", { class: "best-t" }, " at confidence ", RG.disp(bestT)), // a prediction's score: 4 decimals, like every score
          sr.op ? el("span", { class: "op-text" }, " · at ", RG.gridText(sr.op.t), ": P ", el("b", { class: "op-p", text: RG.disp(sr.op.p) }), " R ", el("b", { class: "op-r", text: RG.disp(sr.op.r) })) : ""));
      });
      if (opts.pTarget !== null && opts.pTarget !== undefined) legend.appendChild(el("span", { text: "⋯ precision target" }));
      if (opts.rTarget !== null && opts.rTarget !== undefined) legend.appendChild(el("span", { text: "⋮ recall target" }));

      // the chart's text equivalent, built when opened
      const alt = el("details", { class: "text-alt" }, el("summary", { text: "Curve points as a table" }));
      alt.addEventListener("toggle", () => {
        if (!alt.open || alt.dataset.built) return;
        alt.dataset.built = "1";
        const head = el("tr", null, el("th", { scope: "col", text: "Confidence" }),
          opts.series.map((sr) => [el("th", { scope: "col", class: "num", text: sr.label + " precision" }), el("th", { scope: "col", class: "num", text: sr.label + " recall" })]));
        const byT = new Map();
        opts.series.forEach((sr, n) => sr.points.forEach((q) => {
          if (!byT.has(q.i)) byT.set(q.i, { t: q.t, v: [] });
          byT.get(q.i).v[n] = q;
        }));
        const rows = Array.from(byT.keys()).sort((a, b) => a - b).map((i) => {
          const e = byT.get(i);
          return el("tr", null, el("td", { text: RG.gridText(e.t) }), opts.series.map((sr, n) => {
            const q = e.v[n];
            return [el("td", { class: "num", text: q ? RG.disp(q.p) : "–" }), el("td", { class: "num", text: q ? RG.disp(q.r) : "–" })];
          }));
        });
        alt.appendChild(el("div", { class: "table-scroll" }, el("table", { class: "data" }, el("thead", null, head), el("tbody", null, rows))));
      });
      return el("div", null, wrap, legend, stats, alt);
    },
  };
})();
