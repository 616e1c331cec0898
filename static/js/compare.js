/* reportgen report page: comparing inference set B (candidate) with A (baseline), docs/compare.md.
 *
 * - What flipped: every ground-truth object of the segment whose outcome differs between A and B at the same
 *   preset, grouped by (class, before, after) as the test oracle flips (tests/oracles.py) groups them, largest groups first.
 * - The examples behind a change of the B − A matrix: for ground-truth rows, the objects in the picked cells
 *   for one set and not the other; for the background row (false positives, which cannot be paired), each
 *   set's own examples side by side.
 * - Is it noise: the paired-bootstrap interval of B − A for the segment's precision, recall and F1.
 *
 * Everything here selects and compares precomputed per-object outcomes and intervals (docs/report-payload.md,
 * "Comparing inference sets"); nothing is re-matched or re-scored. The blobs are decoded once B is chosen.
 */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;

  const OBJECT_BLOBS = ["outcome_class", "outcome_last", "object_frame", "object_class", "object_crowd"];
  const GROUP_CAP = 30; // flip groups listed at first
  const OBJECT_CAP = 24; // objects listed per flip group at first
  const COLUMN_CAP = 12; // examples listed per side-by-side column at first
  const MORE = 120; // each "show more" lists this many more (a list can hold thousands of objects)
  const OPEN = new Set(); // flip groups the reader expanded ("g,before,after"), kept across repaints

  function presetText(data, q) {
    const grids = data.P.grids;
    return "confidence " + RG.gridText(grids.confidence[q.t]) + (data.task === "detection" ? " · IoU " + RG.gridText(grids.iou[q.u]) : "");
  }

  /** What an outcome means for an object of class g: "found", "missed" or "confused as X". */
  function outcomeText(data, g, o) {
    return o === g ? "found" : o === data.C ? "missed" : "confused as " + data.classes[o];
  }

  /** The kind of a transition: "found → missed", "confused → found", ... (aggregated over classes). */
  function kindOf(data, g, before, after) {
    const word = (o) => (o === g ? "found" : o === data.C ? "missed" : "confused");
    return word(before) + " → " + word(after);
  }

  /** "Show 120 more (24 of 3,507 objects)": raises app.transient[key] from `limit`; null when all are shown. */
  function moreButton(app, key, limit, total, noun, id) {
    if (total <= limit) return null;
    const step = Math.min(MORE, total - limit);
    return RG.button("Show " + RG.int(step) + " more (" + RG.int(limit) + " of " + RG.int(total) + " " + noun + " shown)", { class: "btn btn-small more-btn", id: id || null }, () => {
      app.transient[key] = limit + step;
      app.render();
    });
  }

  const KIND_ORDER = ["found → missed", "missed → found", "found → confused", "confused → found", "confused → confused", "confused → missed", "missed → confused"];

  RG.Compare = {
    OBJECT_BLOBS: OBJECT_BLOBS,
    outcomeText: outcomeText,

    /** Whether A and B are compared at the same preset (the flip list needs it). */
    samePreset(st) {
      const p = RG.presets(st);
      return p.a.u === p.b.u && p.a.t === p.b.t;
    },

    /**
     * Objects of segment s whose outcome differs between sets a and b at preset (u, t), grouped by
     * (class, before, after): [{g, before, after, objects: [object index, ...]}], largest groups first, then
     * by class, before, after (the test oracle flips, tests/oracles.py). Crowd objects never flip.
     */
    flips(data, a, b, u, t, s) {
      const oa = data.outcomes(a, u, t);
      const ob = data.outcomes(b, u, t);
      const frame = data.b.object_frame.a;
      const cls = data.b.object_class.a;
      const crowd = data.b.object_crowd.a;
      const mask = data.segmentMask(s);
      const K = data.K;
      const groups = new Map();
      for (let i = 0; i < oa.length; i++) {
        const x = oa[i];
        const y = ob[i];
        if (x === y || crowd[i] || !mask[frame[i]]) continue;
        const key = (cls[i] * K + x) * K + y;
        let gr = groups.get(key);
        if (!gr) {
          gr = { g: cls[i], before: x, after: y, objects: [] };
          groups.set(key, gr);
        }
        gr.objects.push(i);
      }
      return Array.from(groups.values()).sort((p, q) => q.objects.length - p.objects.length || p.g - q.g || p.before - q.before || p.after - q.after);
    },

    /**
     * Objects of segment s in the cells `cells` (ground-truth rows) for one set and not the other; each set at
     * its own preset: {onlyA: [...], onlyB: [...]} (object indices, ascending).
     */
    cellObjects(data, cells, A, B, s) {
      const K = data.K;
      const set = new Set(cells.map(([g, p]) => g * K + p));
      const rows = new Set(cells.map(([g]) => g));
      const oa = data.outcomes(A.m, A.u, A.t);
      const ob = data.outcomes(B.m, B.u, B.t);
      const frame = data.b.object_frame.a;
      const cls = data.b.object_class.a;
      const crowd = data.b.object_crowd.a;
      const mask = data.segmentMask(s);
      const onlyA = [];
      const onlyB = [];
      for (let i = 0; i < oa.length; i++) {
        const g = cls[i];
        if (!rows.has(g) || crowd[i] || !mask[frame[i]]) continue;
        const inA = set.has(g * K + oa[i]);
        const inB = set.has(g * K + ob[i]);
        if (inA && !inB) onlyA.push(i);
        else if (inB && !inA) onlyB.push(i);
      }
      return { onlyA: onlyA, onlyB: onlyB };
    },

    /** The card of ground-truth object i with what A and B said about it (outcomes oa / ob at their presets). */
    objectCard(data, i, st, oa, ob) {
      const g = data.b.object_class.a[i];
      const f = data.b.object_frame.a[i];
      const thumb = data.objectThumbnail(i, st.b);
      const fid = data.P.frame_ids[f];
      const pic = thumb
        ? RG.picture("o:" + thumb.m + ":" + thumb.pred + ":" + i, thumb.uri, "Frame " + fid + ": a " + data.classes[g] + " object" + (thumb.pred >= 0 ? " and a prediction of " + data.models[thumb.m] : ""))
        : el("div", { class: "nopic", text: "no picture" });
      return el("article", { class: "ex obj", dataset: { obj: i, frame: fid } }, pic,
        el("div", { class: "ex-lines" },
          RG.exLine("Frame", fid, "ex-frame"),
          RG.exLine("GT", data.classes[g]),
          RG.exLine("A", outcomeText(data, g, oa[i]), "ex-a"),
          RG.exLine("B", outcomeText(data, g, ob[i]), "ex-b")));
    },

    /** A list of object cards: the first `cap` (OBJECT_CAP), MORE more per click on "show more"
     *  (app.transient[key] holds how many). */
    objectList(app, id, objects, oa, ob, key, cap) {
      const data = app.data;
      const limit = app.transient[key] || cap || OBJECT_CAP;
      const shown = objects.slice(0, limit);
      const grid = el("div", { class: "ex-grid", id: id }, shown.map((i) => this.objectCard(data, i, app.state, oa, ob)));
      return el("div", null, grid, moreButton(app, key, limit, objects.length, "objects"));
    },

    /** Start decoding what a view needs; false (and a re-render later) while it is not there yet. */
    need(app, names, withExamples) {
      const data = app.data;
      let ok = data.ensure(names, () => app.render());
      if (withExamples && !data.ex && !data.exError) {
        ok = false;
        if (!data.renderOnExamples) {
          data.renderOnExamples = true;
          data.loadExamples().then(() => app.render(), () => app.render());
        }
      }
      return ok;
    },

    // ----------------------------------------------------------------------------------------- what flipped
    /** The "What flipped" panel of the Metrics tab (B chosen). ctx: {s, a: {m, u, t, matrix}, b: {...}}. */
    panel(app, ctx) {
      const data = app.data;
      const st = app.state;
      const box = el("section", { class: "flips panel-sub", id: "flips", "aria-labelledby": "flips-title" },
        el("div", { class: "section-head" }, el("h3", { id: "flips-title", text: "What flipped between A and B" })));
      const status = (text, kind) => el("p", { class: "muted", id: "flips-status", dataset: { state: kind }, text: text });
      if (!data.hasCompare) {
        box.appendChild(status("This report carries no per-object outcomes (it was built by an older reportgen).", "none"));
        return box;
      }
      if (!this.samePreset(st)) {
        box.appendChild(status("What flipped needs A and B at the same preset: A is at " + presetText(data, ctx.a) + ", B at " + presetText(data, ctx.b) +
          ". Tick “same settings for A and B” or set equal confidence and IoU.", "presets"));
        return box;
      }
      if (!this.need(app, OBJECT_BLOBS, false)) {
        box.appendChild(status(data.blobError ? "The per-object outcomes could not be read: " + data.blobError.message : "Reading the per-object outcomes…", "loading"));
        return box;
      }
      const s = ctx.s;
      const u = ctx.a.u;
      const t = ctx.a.t;
      // Metric Class: the objects of that class, and those confused as it (what its recall and precision see)
      const cls = st.cls;
      const groups = this.flips(data, st.a, st.b, u, t, s).filter((gr) => cls < 0 || gr.g === cls || gr.before === cls || gr.after === cls);
      const oa = data.outcomes(st.a, u, t);
      const ob = data.outcomes(st.b, u, t);
      const total = groups.reduce((n, gr) => n + gr.objects.length, 0);
      box.appendChild(el("p", { class: "muted", id: "flips-status", dataset: { state: "ok", total: total } },
        "Ground-truth objects of ", el("b", { text: data.segments[s].name }),
        cls >= 0 ? [" of class ", el("b", { text: data.classes[cls] }), " or confused as it"] : "", " whose outcome differs from A (", el("b", { text: data.models[st.a] }), ") to B (",
        el("b", { text: data.models[st.b] }), ") at " + presetText(data, ctx.a) + ": " + RG.int(total) + " objects. " +
        "Found: matched by a prediction of its class; confused: matched by another class; missed: matched by nothing counted. Crowd objects are left out."));

      // by kind, over all classes
      const kinds = new Map();
      for (const gr of groups) {
        const k = kindOf(data, gr.g, gr.before, gr.after);
        kinds.set(k, (kinds.get(k) || 0) + gr.objects.length);
      }
      if (kinds.size) {
        const order = KIND_ORDER.filter((k) => kinds.has(k));
        box.appendChild(el("ul", { class: "flip-kinds", id: "flip-kinds", "aria-label": "Flips by kind" },
          order.map((k) => el("li", { dataset: { kind: k } }, el("span", { class: "kind", text: k }), " ", el("b", { text: RG.int(kinds.get(k)) })))));
      }

      // groups by (class, before, after)
      const groupLimit = app.transient.flipGroups || GROUP_CAP;
      const shown = groups.slice(0, groupLimit);
      const list = el("div", { class: "flip-groups scroll-box", id: "flip-groups" });
      for (const gr of shown) {
        const key = gr.g + "," + gr.before + "," + gr.after;
        const body = el("div", { class: "flip-body" });
        const fill = () => {
          if (body.dataset.built) return;
          body.dataset.built = "1";
          this.need(app, [], true); // pictures come from the examples: decode them (a repaint follows)
          RG.fill(body, this.objectList(app, "flip-objects-" + key.replace(/,/g, "-"), gr.objects, oa, ob, "flip:" + key));
        };
        const details = el("details", {
          class: "flip-group", dataset: { g: gr.g, before: gr.before, after: gr.after, count: gr.objects.length },
          on: { toggle: () => {
            if (details.open) {
              OPEN.add(key);
              fill();
            } else OPEN.delete(key);
          } },
        }, el("summary", null,
          el("span", { class: "flip-count", text: RG.int(gr.objects.length) }),
          el("span", { class: "flip-class", text: data.classes[gr.g] }), ": ",
          el("span", { class: "flip-before", text: outcomeText(data, gr.g, gr.before) }), " → ",
          el("span", { class: "flip-after", text: outcomeText(data, gr.g, gr.after) })), body);
        if (OPEN.has(key)) {
          details.open = true;
          fill();
        }
        list.appendChild(details);
      }
      if (!groups.length) list.appendChild(el("p", { class: "muted", text: "No object changed its outcome." }));
      box.appendChild(list);
      const moreGroups = moreButton(app, "flipGroups", groupLimit, groups.length, "groups", "flips-all");
      if (moreGroups) box.appendChild(moreGroups);

      // false positives: not paired
      const C = data.C;
      const fa = ctx.a.matrix.row[C];
      const fb = ctx.b.matrix.row[C];
      box.appendChild(el("p", { class: "flip-fp", id: "flip-fp", dataset: { a: fa, b: fb } },
        "False positives (predictions that matched nothing; they cannot be paired across inference sets): A ", el("b", { text: RG.int(fa) }),
        ", B ", el("b", { text: RG.int(fb) }), " (" + RG.intDelta(fa, fb) + "). ",
        RG.button("List them side by side", { class: "btn btn-small", id: "flip-fp-list" }, () => {
          app.update({ mx: "delta", filt: "fp", cell: null });
          const ex = document.getElementById("examples");
          if (ex) ex.scrollIntoView({ block: "start" });
        })));
      return box;
    },

    // ----------------------------------------------------------------------------------------- delta examples
    /** The examples behind the picked cells of the B − A matrix. ctx: {cells, s, A: {m, u, t, mat}, B}. */
    examples(app, ctx) {
      const data = app.data;
      const st = app.state;
      const C = data.C;
      const box = el("section", { class: "examples", id: "examples", "aria-labelledby": "examples-title" });
      const head = el("div", { class: "examples-head" }, el("h3", { id: "examples-title", text: "Examples of the change" }));
      box.appendChild(head);
      if (!ctx.cells.length) {
        box.appendChild(el("p", { class: "muted", id: "examples-status", text: "Click a cell" + (data.many ? " (a row of the table)" : "") + " or use FN, FP, Confused As or Confused From to list the examples behind a change." }));
        return box;
      }
      head.appendChild(el("span", { class: "muted" }, RG.Matrix.describeFilter(data, st)));
      const gtCells = ctx.cells.filter(([g]) => g < C);
      const fpCells = ctx.cells.filter(([g]) => g === C);
      const wantObjects = gtCells.length > 0;
      if ((wantObjects && !data.hasCompare) || !this.need(app, wantObjects ? OBJECT_BLOBS : [], true)) {
        const why = wantObjects && !data.hasCompare ? "This report carries no per-object outcomes (it was built by an older reportgen)."
          : data.blobError ? "The comparison data could not be read: " + data.blobError.message
            : data.exError ? "The examples could not be read: " + data.exError.message : "Reading the examples…";
        box.appendChild(el("p", { class: "muted", id: "examples-status", text: why }));
        return box;
      }
      if (gtCells.length) {
        const r = this.cellObjects(data, gtCells, ctx.A, ctx.B, ctx.s);
        let change = 0;
        for (const [g, p] of gtCells) change += ctx.B.mat.at(g, p) - ctx.A.mat.at(g, p);
        const oa = data.outcomes(ctx.A.m, ctx.A.u, ctx.A.t);
        const ob = data.outcomes(ctx.B.m, ctx.B.u, ctx.B.t);
        box.appendChild(el("p", { class: "muted", id: "examples-status", dataset: { onlyA: r.onlyA.length, onlyB: r.onlyB.length, change: change } },
          "Ground-truth objects in " + (gtCells.length > 1 ? "these cells" : "this cell") + " for one inference set and not the other: " +
          RG.int(r.onlyB.length) + " only for B, " + RG.int(r.onlyA.length) + " only for A (B − A = " + RG.deltaCount(r.onlyB.length - r.onlyA.length) + "). Every object is listed, not only the report's capped examples."));
        const col = (id, title, objects, key) => el("div", { class: "ex-col" }, el("h4", { text: title }),
          objects.length ? this.objectList(app, id, objects, oa, ob, key, COLUMN_CAP) : el("p", { class: "muted", text: "None." }));
        box.appendChild(el("div", { class: "ex-cols" },
          col("delta-only-b", "Only for B (" + data.models[ctx.B.m] + "): " + RG.int(r.onlyB.length), r.onlyB, "onlyB"),
          col("delta-only-a", "Only for A (" + data.models[ctx.A.m] + "): " + RG.int(r.onlyA.length), r.onlyA, "onlyA")));
      }
      if (fpCells.length) {
        box.appendChild(el("p", { class: "muted", id: "fp-note" }, "False positives match no object, so they cannot be paired across inference sets: each set's own examples (the report keeps the most confident of each cell)."));
        const side = (id, role, q) => {
          const items = RG.collectExamples(data, fpCells, q.m, ctx.s, q.u, q.t);
          let exist = 0;
          for (const [g, p] of fpCells) exist += q.mat.at(g, p);
          const order = RG.sortIndices(items.length, (i) => items[i].score, true);
          const key = "fp" + role;
          const limit = app.transient[key] || COLUMN_CAP;
          const shown = order.slice(0, limit);
          const more = moreButton(app, key, limit, order.length, "listed");
          return el("div", { class: "ex-col" },
            el("h4", { text: role + ": " + data.models[q.m] + " · " + RG.int(exist) + " false positive" + (exist === 1 ? "" : "s") + " (" + RG.int(items.length) + " listed)" }),
            el("div", { class: "ex-grid", id: id, dataset: { exist: exist, listed: items.length } }, shown.map((i) => RG.Examples.card(data, q.m, items[i]).node)),
            more);
        };
        box.appendChild(el("div", { class: "ex-cols" }, side("fp-a", "A", ctx.A), side("fp-b", "B", ctx.B)));
      }
      return box;
    },

    // ----------------------------------------------------------------------------------------- is it noise
    /**
     * The intervals of B − A on segment s at the current preset: {state: "ok", values} with values per metric
     * [difference, low, high]; or {state: "loading" | "presets" | "elsewhere" | "none"}.
     */
    intervals(app, s) {
      const data = app.data;
      const st = app.state;
      if (st.b < 0 || !data.P.compare || !("bootstrap" in data.P.blobs)) return { state: "none" };
      if (!data.ensure(["bootstrap"], () => app.render())) return { state: data.blobError ? "none" : "loading" };
      if (!this.samePreset(st)) return { state: "presets" };
      const p = RG.presets(st).a;
      const values = data.interval(st.a, st.b, s, p.u, p.t);
      return values ? { state: "ok", values: values } : { state: "elsewhere" };
    },

    /** The method and preset of the intervals, or why there is none: a <p id=...>. */
    methodNote(app, id) {
      const data = app.data;
      const st = app.state;
      const iv = this.intervals(app, 0);
      if (iv.state === "none" || iv.state === "loading") return null;
      const bs = data.P.compare.bootstrap;
      const where = bs.presets.map(([u, t]) => presetText(data, { u: u, t: t })).join("; ");
      let text;
      if (iv.state === "presets") {
        text = "B − A intervals need A and B at the same preset; the report has them at " + where + ".";
      } else if (iv.state === "elsewhere") {
        text = "No B − A interval at this preset: the report has them at " + where + " (reportgen build --bootstrap-at CONFIDENCE:IOU adds presets).";
      } else {
        const level = RG.fixed(bs.interval[1] - bs.interval[0], 0);
        const p = RG.presets(st).a;
        text = "B − A intervals: paired bootstrap over frames, " + RG.int(bs.resamples) + " resamples, " + level + "% percentile interval, seed " + bs.seed +
          ", at " + presetText(data, p).replace(" · ", ", ") + ". “n.s.”: not significant, the interval includes 0.";
      }
      return el("p", { class: "muted ci-note", id: id, dataset: { state: iv.state } }, text);
    },

    /** The contents of a card's B − A cell: the difference (with "n.s." when its interval includes 0) and under
     *  it the interval. v: [difference, low, high] or undefined (no interval). */
    deltaCell(text, v) {
      if (!v) return [el("span", { class: "dv", text: text })];
      const lo = v[1];
      const hi = v[2];
      if (lo === null || hi === null) {
        return [el("span", { class: "dv", text: text }), el("span", { class: "ci", dataset: { lo: "", hi: "", ns: "" }, title: "interval undefined", text: "[–]" })];
      }
      const ns = lo <= 0 && hi >= 0;
      const title = "95% interval of B − A: " + RG.signedFixed(lo) + " to " + RG.signedFixed(hi) + (ns ? "; it includes 0: not significant" : "; it excludes 0");
      return [el("span", { class: "dv-line", title: title }, el("span", { class: "dv", text: text }), ns ? el("abbr", { class: "ns-mark", title: "not significant: the 95% interval includes 0", text: " n.s." }) : null),
        el("span", { class: "ci" + (ns ? " ci-ns" : " ci-sig"), dataset: { lo: RG.signedFixed(lo), hi: RG.signedFixed(hi), ns: ns ? "1" : "0" }, title: title },
          "[" + RG.signedFixed(lo) + ", " + RG.signedFixed(hi) + "]",
          el("span", { class: "sr", text: ns ? " (not significant)" : " (significant)" }))];
    },
  };
})();
