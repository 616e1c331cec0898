/* reportgen report page: comparing inference set B (candidate) with A (baseline), docs/compare.md.
 *
 * - What flipped: the ground-truth objects of the segment whose outcome differs between A and B at the same
 *   preset, grouped by (class, before, after) as the test oracle flips (tests/oracles.py) groups them, largest groups
 *   first. Every group's count is in the payload; its objects come from the pair's capped, seeded sample, and the
 *   page says how many of all it lists.
 * - The examples behind a change of the B − A matrix: for ground-truth rows, the objects in the picked cells
 *   for one set and not the other; for the background row (false positives, which cannot be paired), each
 *   set's own examples side by side.
 * - Is it noise: the paired-bootstrap interval of B − A for the segment's precision, recall and F1.
 *
 * Everything here selects and compares precomputed flip counts, sampled per-object outcomes and intervals
 * (docs/report-payload.md, "Comparing inference sets"); nothing is re-matched or re-scored. The blobs are decoded
 * once B is chosen.
 */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;

  const OBJECT_BLOBS = ["flip_offsets", "flip_groups", "flip_counts", "sample_offsets", "sample_object", "sample_frame", "sample_class",
    "sample_outcome_class", "sample_outcome_last"];
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
    /** Whether a flip group is open (its objects' pictures come from the examples). */
    anyOpen: () => OPEN.size > 0,
    outcomeText: outcomeText,

    /** Whether A and B are compared at the same preset (the flip list needs it). */
    samePreset(st) {
      const p = RG.presets(st);
      return p.a.u === p.b.u && p.a.t === p.b.t;
    },

    /**
     * What flipped on segment s between sets a and b at preset (u, t), grouped by (class, before, after):
     * [{g, before, after, count, objects: [sample position, ...]}], largest groups first, then by class, before,
     * after (the test oracle flips, tests/oracles.py). count: every object of the group (precomputed); objects:
     * those of the pair's sample (ascending object index). Crowd objects never flip.
     */
    flips(data, a, b, u, t, s) {
      const K = data.K;
      const groups = new Map();
      for (const gr of data.flipGroups(a, b, s, u, t)) {
        gr.objects = [];
        groups.set((gr.g * K + gr.before) * K + gr.after, gr);
      }
      const smp = data.sample(a, b);
      const oa = data.sampleOutcomes(a, b, a, u, t);
      const ob = data.sampleOutcomes(a, b, b, u, t);
      const mask = data.segmentMask(s);
      for (let j = 0; j < smp.n; j++) {
        const x = oa[j];
        const y = ob[j];
        if (x === y || !mask[smp.frame[j]]) continue;
        const gr = groups.get((smp.cls[j] * K + x) * K + y);
        if (gr) gr.objects.push(j);
      }
      return Array.from(groups.values()).sort((p, q) => q.count - p.count || p.g - q.g || p.before - q.before || p.after - q.after);
    },

    /**
     * Objects of segment s in the cells `cells` (ground-truth rows) for one set and not the other, each set at its
     * own preset: {onlyA, onlyB} (positions in the pair's sample, ascending object index), and {totalA, totalB}:
     * how many there are in all, from the flip counts, when A and B are at the same preset (null otherwise).
     */
    cellObjects(data, cells, A, B, s) {
      const K = data.K;
      const set = new Set(cells.map(([g, p]) => g * K + p));
      const rows = new Set(cells.map(([g]) => g));
      const smp = data.sample(A.m, B.m);
      const oa = data.sampleOutcomes(A.m, B.m, A.m, A.u, A.t);
      const ob = data.sampleOutcomes(A.m, B.m, B.m, B.u, B.t);
      const mask = data.segmentMask(s);
      const onlyA = [];
      const onlyB = [];
      for (let j = 0; j < smp.n; j++) {
        const g = smp.cls[j];
        if (!rows.has(g) || !mask[smp.frame[j]]) continue;
        const inA = set.has(g * K + oa[j]);
        const inB = set.has(g * K + ob[j]);
        if (inA && !inB) onlyA.push(j);
        else if (inB && !inA) onlyB.push(j);
      }
      let totalA = null;
      let totalB = null;
      if (A.u === B.u && A.t === B.t) {
        totalA = 0;
        totalB = 0;
        for (const gr of data.flipGroups(A.m, B.m, s, A.u, A.t)) {
          if (!rows.has(gr.g)) continue;
          const inA = set.has(gr.g * K + gr.before);
          const inB = set.has(gr.g * K + gr.after);
          if (inA && !inB) totalA += gr.count;
          else if (inB && !inA) totalB += gr.count;
        }
      }
      return { onlyA: onlyA, onlyB: onlyB, totalA: totalA, totalB: totalB };
    },

    /** The card of sampled object j (a position in smp, the pair's sample) with what A and B said about it. */
    objectCard(data, smp, j, st, oa, ob) {
      const i = smp.object[j];
      const g = smp.cls[j];
      const f = smp.frame[j];
      const thumb = data.objectThumbnail(i, st.b);
      const fid = data.P.frame_ids[f];
      const pic = thumb
        ? RG.picture("o:" + thumb.m + ":" + thumb.pred + ":" + i, thumb.uri, "Frame " + fid + ": a " + data.classes[g] + " object" + (thumb.pred >= 0 ? " and a prediction of " + data.models[thumb.m] : ""))
        : el("div", { class: "nopic", text: "no picture" });
      return el("article", { class: "ex obj", dataset: { obj: i, frame: fid } }, pic,
        el("div", { class: "ex-lines" },
          RG.exLine("Frame", fid, "ex-frame"),
          RG.exLine("GT", data.classes[g]),
          RG.exLine("A", outcomeText(data, g, oa[j]), "ex-a"),
          RG.exLine("B", outcomeText(data, g, ob[j]), "ex-b")));
    },

    /** A list of object cards (sample positions): the first `cap` (OBJECT_CAP), MORE more per click on "show
     *  more" (app.transient[key] holds how many). */
    objectList(app, id, smp, objects, oa, ob, key, cap) {
      const data = app.data;
      const limit = app.transient[key] || cap || OBJECT_CAP;
      const shown = objects.slice(0, limit);
      const grid = el("div", { class: "ex-grid", id: id }, shown.map((j) => this.objectCard(data, smp, j, app.state, oa, ob)));
      return el("div", null, grid, moreButton(app, key, limit, objects.length, "sampled objects"));
    },

    /** "The report keeps a sample: 24 of 1,234 objects listed ..." (a <p>), or null when every object is listed. */
    sampleNote(data, listed, total, id) {
      if (total === null || listed >= total) return null;
      const cap = ((data.P.compare || {}).flips || {}).sample_cap;
      return el("p", { class: "muted flip-sample", id: id || null, dataset: { listed: listed, total: total } },
        "Showing " + RG.int(listed) + " of " + RG.int(total) + " objects: the report keeps a seeded sample" +
        (cap ? " (at most " + RG.int(cap) + " per group, segment and preset)" : "") + "; every object is counted.");
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
        box.appendChild(status("This report carries no per-object outcomes (it was built without the comparison data).", "none"));
        return box;
      }
      if (!this.samePreset(st)) {
        box.appendChild(status("What flipped needs A and B at the same preset: A is at " + presetText(data, ctx.a) + ", B at " + presetText(data, ctx.b) +
          ". Tick “same settings for A and B” or set equal confidence and IoU.", "presets"));
        return box;
      }
      if (!this.need(app, OBJECT_BLOBS, false)) {
        box.appendChild(status(data.blobError ? "The flip data could not be read: " + data.blobError.message : "Reading the flip data…", "loading"));
        return box;
      }
      const s = ctx.s;
      const u = ctx.a.u;
      const t = ctx.a.t;
      // Metric Class: the objects of that class, and those confused as it (what its recall and precision see)
      const cls = st.cls;
      const groups = this.flips(data, st.a, st.b, u, t, s).filter((gr) => cls < 0 || gr.g === cls || gr.before === cls || gr.after === cls);
      const smp = data.sample(st.a, st.b);
      const oa = data.sampleOutcomes(st.a, st.b, st.a, u, t);
      const ob = data.sampleOutcomes(st.a, st.b, st.b, u, t);
      const total = groups.reduce((n, gr) => n + gr.count, 0);
      const listed = groups.reduce((n, gr) => n + gr.objects.length, 0);
      box.appendChild(el("p", { class: "muted", id: "flips-status", dataset: { state: "ok", total: total, listed: listed } },
        "Ground-truth objects of ", el("b", { text: data.segments[s].name }),
        cls >= 0 ? [" of class ", el("b", { text: data.classes[cls] }), " or confused as it"] : "", " whose outcome differs from A (", el("b", { text: data.models[st.a] }), ") to B (",
        el("b", { text: data.models[st.b] }), ") at " + presetText(data, ctx.a) + ": " + RG.int(total) + " objects. " +
        "Found: matched by a prediction of its class; confused: matched by another class; missed: matched by nothing counted. Crowd objects are left out." +
        (listed < total ? " Each group opens to the objects of the report's seeded sample (" + RG.int(listed) + " of " + RG.int(total) + " in all)." : "")));

      // by kind, over all classes
      const kinds = new Map();
      for (const gr of groups) {
        const k = kindOf(data, gr.g, gr.before, gr.after);
        kinds.set(k, (kinds.get(k) || 0) + gr.count);
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
          RG.fill(body, this.sampleNote(data, gr.objects.length, gr.count),
            this.objectList(app, "flip-objects-" + key.replace(/,/g, "-"), smp, gr.objects, oa, ob, "flip:" + key));
        };
        const details = el("details", {
          class: "flip-group", dataset: { g: gr.g, before: gr.before, after: gr.after, count: gr.count, listed: gr.objects.length },
          on: { toggle: () => {
            if (details.open) {
              OPEN.add(key);
              fill();
            } else OPEN.delete(key);
          } },
        }, el("summary", null,
          el("span", { class: "flip-count", text: RG.int(gr.count) }),
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
        const why = wantObjects && !data.hasCompare ? "This report carries no per-object outcomes (it was built without the comparison data)."
          : data.blobError ? "The comparison data could not be read: " + data.blobError.message
            : data.exError ? "The examples could not be read: " + data.exError.message : "Reading the examples…";
        box.appendChild(el("p", { class: "muted", id: "examples-status", text: why }));
        return box;
      }
      if (gtCells.length) {
        const r = this.cellObjects(data, gtCells, ctx.A, ctx.B, ctx.s);
        let change = 0;
        for (const [g, p] of gtCells) change += ctx.B.mat.at(g, p) - ctx.A.mat.at(g, p);
        const smp = data.sample(ctx.A.m, ctx.B.m);
        const oa = data.sampleOutcomes(ctx.A.m, ctx.B.m, ctx.A.m, ctx.A.u, ctx.A.t);
        const ob = data.sampleOutcomes(ctx.A.m, ctx.B.m, ctx.B.m, ctx.B.u, ctx.B.t);
        const exact = r.totalA !== null;
        const nA = exact ? r.totalA : r.onlyA.length;
        const nB = exact ? r.totalB : r.onlyB.length;
        box.appendChild(el("p", { class: "muted", id: "examples-status",
          dataset: { onlyA: nA, onlyB: nB, listedA: r.onlyA.length, listedB: r.onlyB.length, change: change, exact: exact ? "1" : "0" } },
          exact
            ? "Ground-truth objects in " + (gtCells.length > 1 ? "these cells" : "this cell") + " for one inference set and not the other: " +
              RG.int(nB) + " only for B, " + RG.int(nA) + " only for A (B − A = " + RG.deltaCount(nB - nA) + "). " +
              (r.onlyA.length < nA || r.onlyB.length < nB
                ? "Listed: the objects of the report's seeded sample of what flipped (" + RG.int(r.onlyB.length) + " of " + RG.int(nB) + " and " + RG.int(r.onlyA.length) + " of " + RG.int(nA) + ")."
                : "Every one is listed.")
            : "A and B are at different presets: the report counts what flipped at equal presets only, so these are the objects of its seeded sample that lie in " +
              (gtCells.length > 1 ? "these cells" : "this cell") + " for one inference set and not the other (" + RG.int(nB) + " only for B, " + RG.int(nA) +
              " only for A); the change of the cells is " + RG.deltaCount(change) + "."));
        const col = (id, title, objects, key, total) => el("div", { class: "ex-col" }, el("h4", { text: title }),
          this.sampleNote(data, objects.length, total, id + "-sample"),
          objects.length ? this.objectList(app, id, smp, objects, oa, ob, key, COLUMN_CAP) : el("p", { class: "muted", text: "None listed." }));
        box.appendChild(el("div", { class: "ex-cols" },
          col("delta-only-b", "Only for B (" + data.models[ctx.B.m] + "): " + RG.int(nB), r.onlyB, "onlyB", r.totalB),
          col("delta-only-a", "Only for A (" + data.models[ctx.A.m] + "): " + RG.int(nA), r.onlyA, "onlyA", r.totalA)));
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
