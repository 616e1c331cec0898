/* reportgen report page: the Scenarios tab. One card per segment, grouped as Splits (All Frames first),
 * Regression Tests and Scenarios; precision / recall / F1 of A (and B with B - A) against the targets. */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;

  /** A <td> with a score and its verdict: ✓ / ✗ and a word for screen readers, colour as well. */
  RG.verdictCell = function (j, extraClass) {
    const text = RG.scoreText(j.score, j.threshold, undefined, j.exact);
    const cls = "num v-" + j.verdict + (extraClass ? " " + extraClass : "");
    const props = { class: cls, dataset: { verdict: j.verdict, value: text } };
    if (j.verdict === "none") return el("td", props, text);
    const pass = j.verdict === "pass";
    props.title = (pass ? "meets the target " : "misses the target ") + RG.thresholdText(j.threshold, j.score, j.exact);
    return el("td", props,
      el("span", { class: "mark", "aria-hidden": "true", text: pass ? "✓" : "✗" }),
      text,
      el("span", { class: "sr", text: pass ? " (meets target)" : " (misses target)" }));
  };

  /** Text of a target: "≥ 0.80", or for a relative target "≥ 0.7565 (model-v1 − 0.02)". */
  RG.targetText = function (data, j) {
    if (!j.target) return "–";
    return "≥ " + RG.thresholdText(j.threshold, j.score, j.exact);
  };

  /** The basis of a relative target: "model-v1 − 0.02"; null for an absolute one. */
  RG.targetBasis = function (data, j) {
    if (!j.target || j.target.baseline === undefined || j.target.baseline === null) return null;
    return data.models[j.target.baseline] + " − " + RG.thresholdText(j.target.max_drop);
  };

  function card(app, s, summary) {
    const data = app.data;
    const st = app.state;
    const seg = data.segments[s];
    const compare = st.b >= 0;
    const pa = RG.presetOf(st, st.a);
    const pb = compare ? RG.presetOf(st, st.b) : null;
    const open = () => app.update({ tab: "metrics", seg: s, cls: seg.metric_class === null || seg.metric_class === undefined ? -1 : seg.metric_class,
      sel: [], filt: "", cell: null }, { push: true });
    const details = RG.button("↗", {
      class: "details-btn", title: "Segment details", "aria-label": "Segment details: " + seg.name,
      dataset: { action: "details" },
    }, (e) => {
      e.stopPropagation();
      app.update({ tab: "details", seg: s }, { push: true });
    });
    const head = el("header", { class: "card-head" },
      el("h4", { class: "card-title" }, summary ? seg.name :
        el("button", { type: "button", class: "card-open", title: "Open the Metrics tab on this segment", on: { click: (e) => { e.stopPropagation(); open(); } } }, seg.name)),
      el("span", { class: "badge badge-" + seg.type.toLowerCase().replace(/ /g, "-"), text: seg.type }),
      details);
    const metaBits = [RG.int(seg.frame_count) + " frames"];
    if (seg.metric_class !== null && seg.metric_class !== undefined) metaBits.push("class " + data.classes[seg.metric_class]);
    const thead = el("thead", null, el("tr", null,
      el("th", { scope: "col" }, el("span", { class: "sr", text: "Metric" })),
      el("th", { scope: "col", class: "num m-head", title: "A: " + data.models[st.a] }, el("span", { class: "swatch swatch-a", "aria-hidden": "true" }), data.models[st.a]),
      compare ? el("th", { scope: "col", class: "num m-head", title: "B: " + data.models[st.b] }, el("span", { class: "swatch swatch-b", "aria-hidden": "true" }), data.models[st.b]) : null,
      compare ? el("th", { scope: "col", class: "num", text: "B − A" }) : null,
      el("th", { scope: "col", class: "num", text: "Target" })));
    const body = el("tbody");
    let anyTarget = false;
    let allPass = true;
    // B − A intervals (paired bootstrap) when the report has them at this preset
    const iv = compare ? RG.Compare.intervals(app, s) : null;
    for (const [k, metric] of RG.METRICS.entries()) {
      const ja = RG.judge(data, st, s, metric, st.a);
      const jb = compare ? RG.judge(data, st, s, metric, st.b) : null;
      if (ja.target) {
        anyTarget = true;
        if (ja.verdict !== "pass") allPass = false;
      }
      const tried = RG.tried(st, s, metric) !== undefined;
      let targetText = RG.targetText(data, ja);
      if (compare && jb.target && jb.threshold !== ja.threshold) {
        // relative targets at different presets: each side has its own bound
        targetText = [el("span", { class: "line", text: "A " + RG.targetText(data, ja) }), el("span", { class: "line", text: "B " + RG.targetText(data, jb) })];
      }
      body.appendChild(el("tr", { dataset: { metric: metric } },
        el("th", { scope: "row", text: RG.METRIC_LABELS[metric] }),
        RG.verdictCell(ja, "m-a"),
        compare ? RG.verdictCell(jb, "m-b") : null,
        compare ? el("td", { class: "num delta " + RG.deltaTone(RG.scoreDelta(ja.score, jb.score), true) }, RG.Compare.deltaCell(RG.scoreDelta(ja.score, jb.score), iv.state === "ok" ? iv.values[k] : undefined)) : null,
        el("td", { class: "num target" }, targetText,
          tried ? el("span", { class: "tried", text: "tried", title: "a target tried out in this page" }) : null,
          RG.targetBasis(data, ja) ? el("span", { class: "basis", text: RG.targetBasis(data, ja) }) : null)));
    }
    const ca = data.cardCounts(st.a, s, pa.u, pa.t);
    const cb = compare ? data.cardCounts(st.b, s, pb.u, pb.t) : null;
    const counts = el("tbody", { class: "counts" });
    ["FP", "FN", "Confusions"].forEach((label, k) => {
      counts.appendChild(el("tr", { dataset: { count: ["fp", "fn", "confusions"][k] } },
        el("th", { scope: "row", text: label }),
        el("td", { class: "num m-a", text: RG.int(ca[k]) }),
        compare ? el("td", { class: "num m-b", text: RG.int(cb[k]) }) : null,
        compare ? el("td", { class: "num delta " + RG.deltaTone(RG.intDelta(ca[k], cb[k]), false), text: RG.intDelta(ca[k], cb[k]) }) : null, // fewer errors: better
        el("td")));
    });
    const cls = ["card", "clickable"];
    if (!compare && anyTarget) cls.push(allPass ? "card-pass" : "card-fail");
    const node = el("article", {
      class: cls.join(" "), dataset: { segment: s }, "aria-label": seg.name,
      on: summary ? null : { click: (e) => { if (!e.target.closest("button")) open(); } },
    }, head, el("p", { class: "card-meta", text: metaBits.join(" · ") }),
    el("div", { class: "card-scroll" }, el("table", { class: "card-table" }, thead, body, counts)));
    return node;
  }

  RG.Scenarios = {
    card: card,
    render(root, app) {
      const data = app.data;
      const st = app.state;
      const pa = RG.presetOf(st, st.a);
      const grids = data.P.grids;
      const presetText = (p) => "confidence " + RG.gridText(grids.confidence[p.t]) + (data.U > 1 || data.task === "detection" ? " · IoU " + RG.gridText(grids.iou[p.u]) : "");
      let sub = "A: " + data.models[st.a] + " at " + presetText(pa);
      if (st.b >= 0) sub += " · B: " + data.models[st.b] + " at " + presetText(RG.presetOf(st, st.b));
      const panel = el("section", { class: "panel", "aria-labelledby": "scenarios-title" },
        el("div", { class: "section-head" }, el("h2", { id: "scenarios-title", text: "Scenarios" }),
          el("span", { class: "muted", id: "scenarios-preset", text: sub })));
      if (st.b >= 0) {
        const note = RG.Compare.methodNote(app, "scenarios-ci-note");
        if (note) panel.appendChild(note);
      }
      for (const [type, label] of data.P.constants.segment_groups) {
        const members = [];
        data.segments.forEach((seg, s) => { if (seg.type === type) members.push(s); });
        if (!members.length) continue;
        panel.appendChild(el("section", { class: "group", dataset: { group: type } },
          el("h3", { text: label }),
          el("div", { class: "cards" + (st.b >= 0 ? " compare" : "") }, members.map((s) => card(app, s)))));
      }
      panel.appendChild(el("p", { class: "muted" },
        "Click a card to open the Metrics tab on that segment; ↗ opens its details (per-metric dots, targets to try out, frames). ",
        "✓ meets its target, ✗ misses it; a value without a target is shown plain."));
      RG.fill(root, panel);
      root.dataset.view = "scenarios";
    },
  };
})();
