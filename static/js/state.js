/* reportgen report page: the view state and its form in location.hash, so that a link opens the same view.
 *
 * Hash keys (only values that differ from the default are written):
 *   tab=metrics|details        the tab (default: scenarios); "details" is the Segment details view
 *   seg=<segment name>         segment of the Metrics tab and of the details view
 *   a=<name>, b=<name>         inference sets A (baseline) and B (candidate; absent: none)
 *   conf, iou=<value>          A's presets (B's too while "same settings" is on); snapped to the grid
 *   same=0, confb, ioub        B's own presets
 *   cls=<class index>          Metric Class (absent: all classes)
 *   show=pct, den=col|all      matrix: percentages, denominator of percentages and colour (default row)
 *   mx=b|delta                 the matrix of B, or B - A (default: A's)
 *   sel=<i>,<j>                classes selected in the classification report
 *   f=fn|fp|as|from|cell, fc=<class index>, cell=<g>,<p>   matrix filter
 *   sort=<key>.<a|d>, exsort=conf|iou.<a|d>, q=, mq=       report sort, examples sort, search boxes
 *   tg=<segment>:<metric>:<value|none>,...                 targets tried out in the page
 *   kinds=confusion,fp,fn,correct   kinds of cells listed by the many-class table (default: the three errors)
 */
(function () {
  "use strict";
  const RG = window.RG;
  const METRICS = ["precision", "recall", "f1"];
  /** Kinds of matrix cells, in the many-class table's order; the errors are listed by default. */
  RG.KINDS = ["confusion", "fp", "fn", "correct"];
  RG.DEFAULT_KINDS = ["confusion", "fp", "fn"];
  RG.METRICS = METRICS;
  RG.METRIC_LABELS = { precision: "Precision", recall: "Recall", f1: "F1" };

  RG.defaultState = function (data) {
    const d = data.P.defaults;
    return {
      tab: "scenarios",
      seg: 0,
      a: 0,
      b: -1,
      same: true,
      ua: d.iou_index,
      ta: d.confidence_index,
      ub: d.iou_index,
      tb: d.confidence_index,
      cls: -1,
      pct: false,
      den: "row",
      mx: "a",
      sel: [],
      filt: "",
      fc: 0,
      cell: null,
      sort: { key: "", dir: "a" },
      exsort: { key: "conf", dir: "d" },
      q: "",
      mq: "",
      tg: {},
      kinds: RG.DEFAULT_KINDS.slice(),
    };
  };

  function nearest(grid, value) {
    let best = -1;
    let bestErr = Infinity;
    for (let i = 0; i < grid.length; i++) {
      const e = Math.abs(grid[i] - value);
      if (e < bestErr) {
        best = i;
        bestErr = e;
      }
    }
    return best;
  }

  function classIndex(data, text) {
    const i = Number(text);
    return Number.isInteger(i) && i >= 0 && i < data.C && String(i) === text ? i : -1;
  }

  /** decodeURIComponent that returns null for a malformed escape instead of throwing a URIError. */
  function safeDecode(text) {
    try {
      return decodeURIComponent(text);
    } catch (e) {
      return null;
    }
  }

  /** The state described by a hash (unknown or invalid entries fall back to the defaults). */
  RG.parseHash = function (hash, data) {
    const st = RG.defaultState(data);
    const q = new URLSearchParams((hash || "").replace(/^#/, ""));
    const segIndex = (name) => data.segments.findIndex((s) => s.name === name);
    const modelIndex = (name) => data.models.indexOf(name);
    const tab = q.get("tab");
    if (tab === "metrics" || tab === "details") st.tab = tab;
    if (q.has("seg")) st.seg = Math.max(0, segIndex(q.get("seg")));
    if (q.has("a") && modelIndex(q.get("a")) >= 0) st.a = modelIndex(q.get("a"));
    if (q.has("b") && modelIndex(q.get("b")) >= 0 && modelIndex(q.get("b")) !== st.a) st.b = modelIndex(q.get("b"));
    const grids = data.P.grids;
    const num = (k) => (q.has(k) && q.get(k) !== "" && Number.isFinite(Number(q.get(k))) ? Number(q.get(k)) : null);
    if (num("conf") !== null) st.ta = nearest(grids.confidence, num("conf"));
    if (num("iou") !== null) st.ua = nearest(grids.iou, num("iou"));
    st.same = q.get("same") !== "0";
    st.tb = st.ta;
    st.ub = st.ua;
    if (!st.same) {
      if (num("confb") !== null) st.tb = nearest(grids.confidence, num("confb"));
      if (num("ioub") !== null) st.ub = nearest(grids.iou, num("ioub"));
    }
    if (q.has("cls")) st.cls = classIndex(data, q.get("cls"));
    st.pct = q.get("show") === "pct";
    if (["row", "col", "all"].includes(q.get("den"))) st.den = q.get("den");
    if ((q.get("mx") === "b" || q.get("mx") === "delta") && st.b >= 0) st.mx = q.get("mx");
    if (q.has("sel")) {
      st.sel = q.get("sel").split(",").map((x) => classIndex(data, x)).filter((x) => x >= 0);
      st.sel = Array.from(new Set(st.sel));
    }
    const f = q.get("f");
    if (["fn", "fp", "as", "from", "cell"].includes(f)) st.filt = f;
    if (q.has("fc")) st.fc = Math.max(0, classIndex(data, q.get("fc")));
    if (st.filt === "cell") {
      const parts = (q.get("cell") || "").split(",").map(Number);
      const ok = parts.length === 2 && parts.every((x) => Number.isInteger(x) && x >= 0 && x < data.K);
      if (ok && !(parts[0] === data.C && parts[1] === data.C)) st.cell = parts;
      else st.filt = "";
    }
    const sort = (q.get("sort") || "").split(".");
    if (sort.length === 2 && sort[0] && (sort[1] === "a" || sort[1] === "d")) st.sort = { key: sort[0], dir: sort[1] };
    const exs = (q.get("exsort") || "").split(".");
    if (exs.length === 2 && (exs[0] === "conf" || exs[0] === "iou") && (exs[1] === "a" || exs[1] === "d")) {
      st.exsort = { key: exs[0], dir: exs[1] };
    }
    if (q.has("kinds")) st.kinds = RG.KINDS.filter((k) => q.get("kinds").split(",").includes(k));
    st.q = q.get("q") || "";
    st.mq = q.get("mq") || "";
    if (q.has("tg")) {
      for (const item of q.get("tg").split(",")) {
        const parts = item.split(":");
        if (parts.length !== 3) continue;
        const name = safeDecode(parts[0]);
        const s = name === null ? -1 : segIndex(name); // a broken escape (e.g. "%" alone) drops this entry only
        if (s < 0 || !METRICS.includes(parts[1])) continue;
        let v;
        if (parts[2] === "none") v = null;
        else {
          v = Number(parts[2]);
          if (!(parts[2] !== "" && Number.isFinite(v) && v >= 0 && v <= 1)) continue;
          if (v === 0) v = 0; // -0 reads "-0.00"
        }
        st.tg[s] = st.tg[s] || {};
        st.tg[s][parts[1]] = v;
      }
    }
    return st;
  };

  /** The hash of a state (without "#"): only what differs from the default, in a fixed order. */
  RG.stateHash = function (st, data) {
    const def = RG.defaultState(data);
    const grids = data.P.grids;
    const out = [];
    const put = (k, v) => out.push(k + "=" + encodeURIComponent(v));
    if (st.tab !== "scenarios") put("tab", st.tab);
    if (st.seg !== 0 || st.tab === "details") put("seg", data.segments[st.seg].name);
    if (st.a !== def.a) put("a", data.models[st.a]);
    if (st.b >= 0) put("b", data.models[st.b]);
    if (st.ta !== def.ta) put("conf", grids.confidence[st.ta]);
    if (st.ua !== def.ua) put("iou", grids.iou[st.ua]);
    if (!st.same) {
      put("same", "0");
      put("confb", grids.confidence[st.tb]);
      put("ioub", grids.iou[st.ub]);
    }
    if (st.cls >= 0) put("cls", st.cls);
    if (st.pct) put("show", "pct");
    if (st.den !== "row") put("den", st.den);
    if (st.mx !== "a" && st.b >= 0) put("mx", st.mx);
    if (st.sel.length) out.push("sel=" + st.sel.join(","));
    if (st.filt) put("f", st.filt);
    if (st.filt === "as" || st.filt === "from") put("fc", st.fc);
    if (st.filt === "cell" && st.cell) out.push("cell=" + st.cell.join(","));
    if (st.sort.key) put("sort", st.sort.key + "." + st.sort.dir);
    if (st.exsort.key !== def.exsort.key || st.exsort.dir !== def.exsort.dir) {
      put("exsort", st.exsort.key + "." + st.exsort.dir);
    }
    if (st.kinds.join(",") !== RG.DEFAULT_KINDS.join(",")) out.push("kinds=" + st.kinds.join(","));
    if (st.q) put("q", st.q);
    if (st.mq) put("mq", st.mq);
    const tg = [];
    for (const s of Object.keys(st.tg).map(Number).sort((x, y) => x - y)) {
      for (const metric of METRICS) {
        if (!(metric in st.tg[s])) continue;
        const v = st.tg[s][metric];
        tg.push(encodeURIComponent(data.segments[s].name) + ":" + metric + ":" + (v === null ? "none" : String(v)));
      }
    }
    if (tg.length) put("tg", tg.join(","));
    return out.join("&");
  };

  /** The presets of A and B: {a: {u, t}, b: {u, t}} (B follows A while "same settings" is on). */
  RG.presets = function (st) {
    const a = { u: st.ua, t: st.ta };
    return { a: a, b: st.same ? a : { u: st.ub, t: st.tb } };
  };

  /** The preset of inference set m (A's for a set that is neither A nor B). */
  RG.presetOf = function (st, m) {
    const p = RG.presets(st);
    return m === st.b ? p.b : p.a;
  };

  /** The tried-out target value of segment s for a metric: undefined when none is tried. */
  RG.tried = function (st, s, metric) {
    const t = st.tg[s];
    return t && metric in t ? t[metric] : undefined;
  };

  /** Verdict of inference set m's card on segment s for a metric: {score, threshold, target, exact, verdict}.
   *  The report's own targets: the threshold and verdict the report model computed (reportgen.engine.verdicts,
   *  the one rule). A target the reader types in ("Try a target"): judged here by the same rule, the page's only
   *  rule of its own: no target "none"; an undefined score fails; else score >= threshold. */
  RG.judge = function (data, st, s, metric, m) {
    const k = METRICS.indexOf(metric);
    const pr = RG.presetOf(st, m);
    const tried = RG.tried(st, s, metric);
    const target = data.target(s, metric, tried);
    const score = data.card(m, s, pr.u, pr.t)[k];
    if (!target) return { score: score, threshold: null, target: null, exact: false, verdict: "none" };
    // an absolute target is shown with the digits it was written with; a relative one is computed
    const exact = target.baseline === undefined || target.baseline === null;
    if (tried !== undefined) {
      const ok = score !== null && score >= target.threshold;
      return { score: score, threshold: target.threshold, target: target, exact: true, verdict: ok ? "pass" : "fail" };
    }
    const thr = data.thresholdOf(m, s, pr.u, pr.t, k);
    return { score: score, threshold: thr, target: target, exact: exact, verdict: data.verdictOf(m, s, pr.u, pr.t, k) };
  };
})();
