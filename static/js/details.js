/* reportgen report page: the Segment details view (the spec's fly-out from a card).
 * Per metric: a strip with one dot per inference set and the target as a line, and an input to try another
 * target (the spec's gear, values 0.0 to 1.0) that recolours cards, dots and PR-curve lines at once; the YAML
 * to paste into the project file (the page never changes the file); description, metadata and the frame ids
 * (searchable, copied as a segment's YAML: the stand-in for the spec's "manage the segment's elements"). */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;
  const svg = RG.svg;

  const FRAME_LIST_CAP = 2000;
  const W = 560;
  const X0 = 16;
  const X1 = 544;
  const x = (v) => X0 + (X1 - X0) * Math.min(Math.max(v, 0), 1);

  /** A marker shape per inference set index, so the dots differ by more than colour. */
  RG.marker = function (m, cx, cy, r, props) {
    const shape = m % 4;
    const p = Object.assign({}, props);
    if (shape === 0) return svg("circle", Object.assign(p, { cx: cx, cy: cy, r: r }));
    if (shape === 1) return svg("rect", Object.assign(p, { x: cx - r, y: cy - r, width: 2 * r, height: 2 * r }));
    const pts = shape === 2
      ? [[cx, cy - r * 1.3], [cx + r * 1.3, cy], [cx, cy + r * 1.3], [cx - r * 1.3, cy]]
      : [[cx, cy - r * 1.3], [cx + r * 1.2, cy + r], [cx - r * 1.2, cy + r]];
    return svg("polygon", Object.assign(p, { points: pts.map((q) => q.join(",")).join(" ") }));
  };

  RG.markerIcon = function (m) {
    return svg("svg", { width: 12, height: 12, viewBox: "0 0 12 12", "aria-hidden": "true" },
      RG.marker(m, 6, 6, 4, { fill: RG.SERIES[m % RG.SERIES.length] }));
  };

  function strip(app, s, metric) {
    const data = app.data;
    const st = app.state;
    const rows = data.M;
    const h = 30 + rows * 14 + 18;
    const axisY = h - 18;
    const node = svg("svg", {
      class: "strip-svg", viewBox: "0 0 " + W + " " + h, width: W, height: h, role: "img",
      "aria-label": RG.METRIC_LABELS[metric] + " of every inference set on " + data.segments[s].name,
    });
    node.appendChild(svg("line", { x1: X0, x2: X1, y1: axisY, y2: axisY, stroke: "#9aa4b0" }));
    for (let i = 0; i <= 10; i++) {
      const v = i / 10;
      node.appendChild(svg("line", { x1: x(v), x2: x(v), y1: axisY, y2: axisY + (i % 5 ? 3 : 5), stroke: "#9aa4b0" }));
      if (i % 2 === 0) node.appendChild(svg("text", { x: x(v), y: axisY + 15, "text-anchor": "middle", text: RG.fixed(v, 1) }));
    }
    const ja = RG.judge(data, st, s, metric, st.a);
    if (ja.target && ja.threshold !== null) {
      const tx = x(ja.threshold);
      node.appendChild(svg("line", { class: "target-line", x1: tx, x2: tx, y1: 12, y2: axisY, stroke: "#333", "stroke-dasharray": "4 3", "stroke-width": 1.5 }));
      node.appendChild(svg("text", { x: tx, y: 9, "text-anchor": "middle", text: "target " + RG.thresholdText(ja.threshold, null, ja.exact) }));
    }
    for (let m = 0; m < data.M; m++) {
      const j = RG.judge(data, st, s, metric, m);
      const cy = 24 + m * 14;
      const colour = RG.SERIES[m % RG.SERIES.length];
      node.appendChild(svg("line", { x1: X0, x2: X1, y1: cy, y2: cy, stroke: "#f0f2f4" }));
      if (j.score === null) continue;
      const dot = RG.marker(m, x(j.score), cy, 5, {
        class: "dot", fill: j.verdict === "fail" ? "#fff" : colour, stroke: colour, "stroke-width": 2,
        dataset: { model: m, verdict: j.verdict },
      });
      dot.appendChild(svg("title", { text: data.models[m] + ": " + RG.scoreText(j.score, j.threshold, undefined, j.exact) + (j.verdict === "none" ? "" : j.verdict === "pass" ? " (meets target)" : " (misses target)") }));
      node.appendChild(dot);
    }
    return node;
  }

  function values(app, s, metric) {
    const data = app.data;
    const st = app.state;
    const box = el("div", { class: "strip-values" });
    for (let m = 0; m < data.M; m++) {
      const j = RG.judge(data, st, s, metric, m);
      const text = RG.scoreText(j.score, j.threshold, undefined, j.exact);
      const mark = j.verdict === "pass" ? "✓ " : j.verdict === "fail" ? "✗ " : "";
      const role = m === st.a ? " (A)" : m === st.b ? " (B)" : "";
      box.appendChild(el("span", { dataset: { model: m, verdict: j.verdict } }, RG.markerIcon(m), " " + data.models[m] + role + " ",
        el("span", { class: j.verdict === "none" ? "" : "v-" + j.verdict, text: mark + text }),
        el("span", { class: "sr", text: j.verdict === "none" ? "" : j.verdict === "pass" ? " meets target" : " misses target" })));
    }
    return box;
  }

  function targetYaml(app, s) {
    const data = app.data;
    const st = app.state;
    const lines = ["# project.yaml, under segments: (this page does not change the file)", "  - name: " + RG.yamlString(data.segments[s].name)];
    const tl = [];
    for (const metric of RG.METRICS) {
      const t = data.target(s, metric, RG.tried(st, s, metric));
      if (!t) continue;
      if (t.baseline !== undefined && t.baseline !== null) {
        tl.push("      " + metric + ": {baseline: " + RG.yamlString(data.models[t.baseline]) + ", max_drop: " + t.max_drop + "}");
      } else tl.push("      " + metric + ": " + t.threshold);
    }
    if (tl.length) lines.push("    targets:", ...tl);
    else lines.push("    # no targets");
    return lines.join("\n");
  }

  function framesYaml(ids) {
    return "frames: [" + ids.map(RG.yamlString).join(", ") + "]";
  }

  RG.Details = {
    /** Build the view, or refresh its numbers when it is already showing segment s (inputs keep focus). */
    render(root, app) {
      const s = app.state.seg;
      if (root.dataset.view === "details:" + s && this.parts) {
        this.refresh(app);
        return;
      }
      root.dataset.view = "details:" + s;
      this.build(root, app, s);
      this.refresh(app);
    },

    build(root, app, s) {
      const data = app.data;
      const seg = data.segments[s];
      const parts = (this.parts = { strips: {}, values: {}, inputs: {}, resets: {}, basis: {}, msgs: {} });
      this.before = {}; // per metric: the tried target when its field got focus (undefined: none tried)
      const back = RG.button("← Scenarios", { id: "details-back" }, () => app.update({ tab: "scenarios" }, { push: true }));
      const toMetrics = RG.button("Open in Metrics", { id: "details-metrics" }, () =>
        app.update({ tab: "metrics", seg: s, cls: seg.metric_class === null || seg.metric_class === undefined ? -1 : seg.metric_class }, { push: true }));
      const meta = [RG.int(seg.frame_count) + " frames"];
      if (seg.metric_class !== null && seg.metric_class !== undefined) meta.push("verdicts use class " + data.classes[seg.metric_class]);
      const head = el("div", { class: "details-head" }, back,
        el("h2", { id: "details-title", text: seg.name }),
        el("span", { class: "badge badge-" + seg.type.toLowerCase().replace(/ /g, "-"), text: seg.type }),
        el("span", { class: "muted", text: meta.join(" · ") }), toMetrics);

      const metricsBox = el("section", { "aria-labelledby": "details-metrics-title" }, el("h3", { id: "details-metrics-title", text: "Metrics against targets" }));
      for (const metric of RG.METRICS) {
        const id = "try-" + metric;
        // a text field, so that every browser hands over exactly what was typed (a number field gives "" for
        // "1,5" or "abc" in some browsers, and nothing to say why)
        const input = el("input", {
          type: "text", id: id, inputmode: "decimal", autocomplete: "off", spellcheck: "false", placeholder: "none",
          "aria-describedby": id + "-msg tryout-note",
          on: {
            focus: () => (this.before[metric] = RG.tried(app.state, s, metric)),
            input: () => this.tryTarget(app, s, metric, input),
            change: () => this.tryTarget(app, s, metric, input),
          },
        });
        parts.msgs[metric] = el("span", { class: "field-msg", id: id + "-msg", role: "status" });
        const reset = RG.button("Reset", { class: "btn btn-small", id: "reset-" + metric, title: "Back to the project file's target" }, () => {
          const tg = Object.assign({}, app.state.tg);
          if (tg[s]) {
            tg[s] = Object.assign({}, tg[s]);
            delete tg[s][metric];
            if (!Object.keys(tg[s]).length) delete tg[s];
          }
          app.update({ tg: tg });
          this.syncInput(app, s, metric);
        });
        parts.inputs[metric] = input;
        parts.resets[metric] = reset;
        parts.strips[metric] = el("div", { class: "strip-holder" });
        parts.basis[metric] = el("span", { class: "muted basis-text" });
        parts.values[metric] = el("div");
        metricsBox.appendChild(el("div", { class: "strip-block", dataset: { metric: metric } },
          el("div", { class: "strip-head" }, el("h4", { text: RG.METRIC_LABELS[metric] }),
            el("label", { class: "tryout", for: id }, el("span", { "aria-hidden": "true", text: "⚙" }), "Try a target", input), parts.msgs[metric], reset, parts.basis[metric]),
          parts.strips[metric], parts.values[metric]));
      }
      parts.yaml = el("pre", { class: "yaml", id: "targets-yaml" });
      const copyTargets = RG.button("Copy YAML", { class: "btn btn-small", id: "copy-targets" }, () =>
        RG.copyText(parts.yaml.textContent).then((ok) => (parts.status.textContent = ok ? "Copied." : "Select the text to copy it.")));
      parts.status = el("span", { class: "status", role: "status" });
      metricsBox.appendChild(el("div", { class: "tryout-yaml" },
        el("p", { id: "tryout-note", class: "muted" },
          "Targets tried here recolour the cards, the dots and the PR-curve lines in this page only. ",
          "This page does not change the project file: to keep them, paste these lines into it."),
        parts.yaml, copyTargets, " ", parts.status));

      const side = el("section", { "aria-labelledby": "details-about" }, el("h3", { id: "details-about", text: "About this segment" }));
      side.appendChild(seg.description ? el("p", { class: "description", text: seg.description }) : el("p", { class: "muted", text: "No description." }));
      const metaRows = [["type", seg.type], ["uuid", seg.uuid]].concat(seg.metadata || []);
      side.appendChild(el("table", { class: "plain meta-table" }, el("tbody", null, metaRows.map((kv) =>
        el("tr", null, el("th", { scope: "row", text: String(kv[0]) }), el("td", { text: String(kv[1]) }))))));
      const ids = seg.frames.map((f) => data.P.frame_ids[f]);
      parts.frameSearch = el("input", {
        type: "search", class: "search", id: "frame-search", placeholder: "Search frame ids", "aria-label": "Search the segment's frame ids",
        on: { input: () => this.showFrames(ids) },
      });
      parts.frameCount = el("p", { class: "muted", id: "frame-count", role: "status" });
      // a scroll box: focusable, so the keyboard can scroll it
      parts.frameList = el("ul", { class: "frame-list", id: "frame-list", "aria-label": "Frame ids", tabindex: 0 });
      parts.framesYaml = el("pre", { class: "yaml", id: "frames-yaml" });
      parts.frameStatus = el("span", { class: "status", role: "status" });
      const copyFrames = RG.button("Copy as YAML", { class: "btn btn-small", id: "copy-frames", title: "frames: [...] of the listed frames, for a segment in the project file" },
        () => RG.copyText(parts.framesYaml.textContent).then((ok) => (parts.frameStatus.textContent = ok ? "Copied." : "Select the text to copy it.")));
      side.appendChild(el("h3", { text: "Frames" }));
      // what defines the segment (its query, frames file or frame list) and how many of its frames the report lists
      const defined = seg.query ? ["Defined by the query ", el("code", { class: "seg-query", text: seg.query }), " on the frame table."]
        : seg.frames_file ? ["Its frames are listed in the file ", el("code", { text: seg.frames_file }), "."]
          : s === 0 ? ["Every frame of the dataset."] : ["Its frames are listed in the project file."];
      side.appendChild(el("p", { class: "muted", id: "segment-definition", dataset: { frames: seg.frame_count, listed: ids.length } },
        ...defined, " " + RG.int(seg.frame_count) + " frames" +
        (ids.length < seg.frame_count ? "; the report lists the first " + RG.int(ids.length) + " (search and “Copy as YAML” use those)." : ".")));
      side.appendChild(el("div", { class: "toolbar" }, parts.frameSearch, copyFrames, parts.frameStatus));
      side.appendChild(parts.frameCount);
      side.appendChild(parts.frameList);
      side.appendChild(el("details", { class: "text-alt" }, el("summary", { text: "YAML of the listed frames" }), parts.framesYaml));
      this.showFrames(ids);

      RG.fill(root, el("section", { class: "panel details", "aria-labelledby": "details-title" }, head,
        el("div", { class: "details-grid" }, metricsBox, side)));
      for (const metric of RG.METRICS) this.syncInput(app, s, metric);
    },

    showFrames(ids) {
      const parts = this.parts;
      const q = parts.frameSearch.value.trim().toLowerCase();
      const shown = q ? ids.filter((id) => id.toLowerCase().includes(q)) : ids;
      parts.frameCount.textContent = (q ? RG.int(shown.length) + " of " : "") + RG.int(ids.length) + " frames" +
        (shown.length > FRAME_LIST_CAP ? " (the first " + RG.int(FRAME_LIST_CAP) + " listed; search to narrow)" : "");
      RG.fill(parts.frameList, shown.slice(0, FRAME_LIST_CAP).map((id) => el("li", { text: id })));
      parts.framesYaml.textContent = framesYaml(shown);
      parts.shownFrames = shown;
    },

    /** Show the effective absolute target in the input (empty: none; a relative target shows its placeholder). */
    syncInput(app, s, metric) {
      const input = this.parts.inputs[metric];
      const tried = RG.tried(app.state, s, metric);
      const t = app.data.target(s, metric, tried);
      if (t && t.threshold !== undefined) input.value = String(t.threshold);
      else input.value = "";
      input.placeholder = t && t.baseline !== undefined ? "relative" : "none";
      input.removeAttribute("aria-invalid");
      this.parts.msgs[metric].textContent = "";
    },

    /**
     * Apply what is typed in a "Try a target" field: a number from 0 to 1 (the digits typed are kept), or
     * nothing for "no target". Anything else (out of range, not a number) gets a message at the field and
     * changes nothing: the target in force when the field got focus stays (or comes back).
     */
    tryTarget(app, s, metric, input) {
      const text = input.value.trim();
      const msg = this.parts.msgs[metric];
      let v;
      if (text === "") v = null;
      else {
        v = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
        if (!Number.isFinite(v) || v < 0 || v > 1) {
          input.setAttribute("aria-invalid", "true");
          msg.textContent = Number.isFinite(Number(text)) ? "Out of range: a target is from 0 to 1." : "Not a number: type a target from 0 to 1, e.g. 0.8.";
          this.setTried(app, s, metric, this.before[metric]);
          return;
        }
        if (v === 0) v = 0; // "-0" and "0" are the same target
      }
      input.removeAttribute("aria-invalid");
      msg.textContent = "";
      this.setTried(app, s, metric, v);
    },

    /** Set (value or null) or drop (undefined) the tried target of segment s for a metric. */
    setTried(app, s, metric, v) {
      if (RG.tried(app.state, s, metric) === v) return;
      const tg = Object.assign({}, app.state.tg);
      tg[s] = Object.assign({}, tg[s] || {});
      if (v === undefined) delete tg[s][metric];
      else tg[s][metric] = v;
      if (!Object.keys(tg[s]).length) delete tg[s];
      app.update({ tg: tg });
    },

    refresh(app) {
      const s = app.state.seg;
      const parts = this.parts;
      for (const metric of RG.METRICS) {
        RG.fill(parts.strips[metric], strip(app, s, metric));
        RG.fill(parts.values[metric], values(app, s, metric));
        parts.resets[metric].hidden = RG.tried(app.state, s, metric) === undefined;
        const ja = RG.judge(app.data, app.state, s, metric, app.state.a);
        const basis = RG.targetBasis(app.data, ja);
        parts.basis[metric].textContent = basis ? "target: " + basis + " = " + RG.thresholdText(ja.threshold, null, ja.exact) + " at A's preset" : RG.tried(app.state, s, metric) !== undefined ? "tried in this page" : "";
        // a field being edited, or holding a refused value with its message, keeps what the reader typed
        const input = parts.inputs[metric];
        if (document.activeElement !== input && input.getAttribute("aria-invalid") !== "true") this.syncInput(app, s, metric);
      }
      parts.yaml.textContent = targetYaml(app, s);
    },
  };
})();
