/* reportgen report page: the embedded data (docs/report-payload.md) and typed accessors over its blobs.
 *
 * Blobs are decoded once at load (base64 -> DecompressionStream("gzip") -> typed array); every control switch
 * then only indexes into them. The page computes no metric: it selects precomputed numbers, sums matrix cells
 * for row / column totals and takes differences of two precomputed numbers.
 */
(function () {
  "use strict";
  const RG = window.RG;

  const TYPED = {
    float64: Float64Array, float32: Float32Array, uint32: Uint32Array, int32: Int32Array,
    uint16: Uint16Array, int16: Int16Array, uint8: Uint8Array, int8: Int8Array,
  };
  const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  /** The verdicts blob's codes (reportgen.engine.verdicts.judge): 1 pass, 0 fail, -1 no target. */
  const VERDICT_WORDS = { 1: "pass", 0: "fail", "-1": "none" };

  function base64Bytes(text) {
    if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  async function gunzip(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  /** Bytes handed to the decompressor per task by gunzipSliced: 128 KB of compressed data inflate in a few
   *  milliseconds, so a slider step or a click never waits long behind a blob being decoded. */
  const SLICE = 131072;

  /** Resolves in a new task of normal priority (input and frames are not held behind it): a MessageChannel
   *  message, which unlike setTimeout is never clamped to 4 ms when chained. */
  RG.nextTask = function () {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
  };

  /** Resolves in a task after the next frame is rendered (its animation frame, then a new task). */
  RG.afterPaint = function () {
    return new Promise((resolve) => requestAnimationFrame(() => RG.nextTask().then(resolve)));
  };

  /** Resolves in an idle period of at least `ms` milliseconds after the next paint (no frame due and no input
   *  waiting: the work then delays neither), or `latest` ms after the call at the latest. */
  RG.whenIdle = function (ms, latest) {
    if (!window.requestIdleCallback) return RG.afterPaint();
    const start = performance.now();
    return RG.afterPaint().then(() => new Promise((resolve) => {
      const wait = (deadline) => {
        if (deadline.timeRemaining() >= ms || performance.now() - start >= latest) resolve();
        else requestIdleCallback(wait, { timeout: Math.max(1, latest - (performance.now() - start)) });
      };
      requestIdleCallback(wait, { timeout: latest });
    }));
  };

  /** gunzip in slices, one task each (RG.nextTask between them): for blobs decoded while the reader works. */
  async function gunzipSliced(bytes) {
    if (bytes.length <= SLICE) return gunzip(bytes);
    const ds = new DecompressionStream("gzip");
    const out = new Response(ds.readable).arrayBuffer();
    const writer = ds.writable.getWriter();
    for (let i = 0; i < bytes.length; i += SLICE) {
      await writer.write(bytes.subarray(i, i + SLICE));
      await RG.nextTask();
    }
    await writer.close();
    return out;
  }

  function swapBytes(buffer, size) {
    const b = new Uint8Array(buffer);
    for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
  }

  /** A blob as {a: TypedArray, shape, strides}; `sliced`: decompressed a slice per task (see gunzipSliced). */
  RG.decodeBlob = async function (entry, sliced) {
    const Ctor = TYPED[entry.dtype];
    if (!Ctor) throw new Error("unknown blob dtype " + entry.dtype);
    const bytes = base64Bytes(entry.data);
    const buffer = await (sliced ? gunzipSliced(bytes) : gunzip(bytes));
    if (!LITTLE_ENDIAN && Ctor.BYTES_PER_ELEMENT > 1) swapBytes(buffer, Ctor.BYTES_PER_ELEMENT);
    const a = new Ctor(buffer);
    const shape = entry.shape;
    const strides = new Array(shape.length);
    let acc = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      strides[i] = acc;
      acc *= shape[i];
    }
    if (acc !== a.length) throw new Error("blob size does not match its shape");
    return { a: a, shape: shape, strides: strides };
  };

  function offset(blob, idx) {
    let o = 0;
    for (let i = 0; i < idx.length; i++) o += idx[i] * blob.strides[i];
    return o;
  }

  /** Everything the page reads, with accessors by (inference set m, segment s, IoU preset u, confidence preset t). */
  class Data {
    constructor(payload, blobs) {
      this.P = payload;
      this.b = blobs;
      this.task = payload.meta.task || "detection";
      this.classes = payload.display_names || payload.classes;
      this.C = payload.classes.length;
      this.K = this.C + 1;
      this.M = payload.inference_sets.length;
      this.S = payload.segments.length;
      this.U = payload.grids.iou.length;
      this.T = payload.grids.confidence.length;
      this.curveGrid = payload.grids.curve;
      this.models = payload.inference_sets.map((m) => m.name);
      this.segments = payload.segments;
      /** The frames the payload refers to, ascending (payload.frame_ids holds their ids by frame index). */
      this.frameIndex = payload.frame_index || [];
      this._frames = new Map();
      this._matrix = new Map();
      /** The examples (docs/report-payload.md "Examples"): null until every part is decoded, see loadExamples();
       *  exView holds the parts decoded so far. */
      this.ex = null;
      this.exError = null;
      /** How many parts of the examples are decoded (a view showing examples repaints when it grows). */
      this.exParts = 0;
    }

    /** Any blob by name, decoded once: resolves to {a, shape, strides}. */
    blobAsync(name) {
      if (this.b[name]) return Promise.resolve(this.b[name]);
      if (!this._pending) this._pending = new Map();
      if (!this._pending.has(name)) {
        const entry = this.P.blobs[name];
        if (!entry) return Promise.reject(new Error("no blob " + name));
        // decoded while the page is in use: in slices, so no input waits behind it
        this._pending.set(name, RG.decodeBlob(entry, true).then((blob) => (this.b[name] = blob)));
      }
      return this._pending.get(name);
    }

    /** Whether the blobs `names` are decoded. If not, decodes them (once) and calls then() when they are
     *  (or when decoding failed: this.blobError then says why). */
    ensure(names, then) {
      const missing = names.filter((n) => !this.b[n]);
      if (!missing.length) return true;
      if (!this._ensuring) this._ensuring = new Set();
      const key = missing.join(",");
      if (!this._ensuring.has(key)) {
        this._ensuring.add(key);
        Promise.all(missing.map((n) => this.blobAsync(n))).then(() => then(), (err) => {
          this.blobError = err;
          console.error(err);
          then();
        });
      }
      return false;
    }

    /** Start decoding the blobs `names` in the background (once each), without waiting for them. */
    prefetch(names) {
      for (const n of names) {
        if (!this.b[n] && n in this.P.blobs) this.blobAsync(n).catch(() => {}); // ensure() reports errors
      }
    }

    /** Whether the report carries the comparison data (docs/report-payload.md, "Comparing inference sets"). */
    get hasCompare() {
      return !!this.P.compare && RG.COMPARE_BLOBS.every((n) => n in this.P.blobs);
    }

    /**
     * The paired-bootstrap interval of B - A on segment s at preset (u, t), for precision, recall and F1:
     * [[difference, low, high], x3] (null entries where undefined), or null when the report has none at this
     * preset. Pairs are stored for a < b; for a > b the difference is negated and the bounds swapped.
     */
    interval(a, b, s, u, t) {
      const cmp = this.P.compare;
      const blob = this.b.bootstrap;
      if (!cmp || !blob || a === b) return null;
      const pi = cmp.bootstrap.presets.findIndex((q) => q[0] === u && q[1] === t);
      if (pi < 0) return null;
      let qi = cmp.pairs.findIndex((q) => q[0] === a && q[1] === b);
      let sign = 1;
      if (qi < 0) {
        qi = cmp.pairs.findIndex((q) => q[0] === b && q[1] === a);
        sign = -1;
      }
      if (qi < 0) return null;
      const o = offset(blob, [qi, s, pi, 0, 0]);
      const out = [];
      for (let k = 0; k < 3; k++) {
        const v = [0, 1, 2].map((j) => {
          const x = blob.a[o + 3 * k + j];
          return Number.isNaN(x) ? null : x;
        });
        const neg = (x) => (x === null ? null : x === 0 ? 0 : -x);
        out.push(sign > 0 ? v : [neg(v[0]), neg(v[2]), neg(v[1])]);
      }
      return out;
    }

    /** The stored pair of inference sets a, b (pairs are stored for a < b): {q, swapped}, or null. */
    pair(a, b) {
      const pairs = (this.P.compare || {}).pairs || [];
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      const q = pairs.findIndex((x) => x[0] === lo && x[1] === hi);
      return q < 0 || a === b ? null : { q: q, swapped: a > b };
    }

    /**
     * The flip groups of A = a, B = b on segment s at preset (u, t) (docs/report-payload.md, "Comparing inference
     * sets"): [{g, before, after, count}] with count > 0, in the stored order. Blobs flip_* decoded.
     */
    flipGroups(a, b, s, u, t) {
      const p = this.pair(a, b);
      if (!p) return [];
      const offs = this.b.flip_offsets;
      const o = offset(offs, [p.q, s, u, 0]);
      const start = offs.a[o];
      const count = offs.a[o + 1];
      const groups = this.b.flip_groups.a;
      const counts = this.b.flip_counts;
      const T = counts.shape[1];
      const K = this.K;
      const out = [];
      for (let i = start; i < start + count; i++) {
        const n = counts.a[i * T + t];
        if (!n) continue;
        const key = groups[i];
        const g = Math.floor(key / (K * K));
        const x = Math.floor(key / K) % K;
        const y = key % K;
        out.push(p.swapped ? { g: g, before: y, after: x, count: n } : { g: g, before: x, after: y, count: n });
      }
      return out;
    }

    /**
     * The sampled objects of the pair (a, b): {object, frame, cls} (typed arrays over the sample: the object's
     * index in the ground truth, its frame and class), or null. The sample is the pair's (a seeded, capped
     * sample of the objects that flip; docs/report-payload.md).
     */
    sample(a, b) {
      const p = this.pair(a, b);
      if (!p) return null;
      const offs = this.b.sample_offsets.a;
      const start = offs[2 * p.q];
      const n = offs[2 * p.q + 1];
      return {
        start: start, n: n,
        object: this.b.sample_object.a.subarray(start, start + n),
        frame: this.b.sample_frame.a.subarray(start, start + n),
        cls: this.b.sample_class.a.subarray(start, start + n),
      };
    }

    /**
     * The outcome of every sampled object of the pair (a, b) for inference set `which` (a or b) at preset (u, t):
     * the class of the prediction that matched it when that match counts at t, else C (missed). A Uint16Array
     * over the pair's sample; blobs sample_* decoded.
     */
    sampleOutcomes(a, b, which, u, t) {
      const key = a + "," + b + "," + which + "," + u + "," + t;
      if (!this._outcomes) this._outcomes = new Map();
      const hit = this._outcomes.get(key);
      if (hit) return hit;
      const smp = this.sample(a, b);
      const side = (which === Math.min(a, b)) ? 0 : 1; // stored as [smaller set, larger set]
      const oc = this.b.sample_outcome_class; // (N, 2, U)
      const ol = this.b.sample_outcome_last;
      const stride = oc.strides[0];
      const o = offset(oc, [smp.start, side, u]);
      const C = this.C;
      const out = new Uint16Array(smp.n);
      for (let j = 0; j < smp.n; j++) {
        const l = ol.a[o + j * stride];
        out[j] = l !== 255 && t <= l ? oc.a[o + j * stride] : C;
      }
      if (this._outcomes.size > 16) this._outcomes.clear();
      this._outcomes.set(key, out);
      return out;
    }

    /** The examples' index of ground-truth object i (their objects.index, docs/report-payload.md "Examples"),
     *  or -1 when the object is not among the examples. */
    exObject(i) {
      if (!this.ex) return -1;
      if (!this._exObject) {
        const map = new Map();
        const objs = this.ex.objects;
        if (objs && Array.isArray(objs.index)) objs.index.forEach((orig, j) => map.set(orig, j));
        this._exObject = map;
      }
      const j = this._exObject.get(i);
      return j === undefined ? -1 : j;
    }

    /** A thumbnail of ground-truth object i from the examples, preferring one drawn with a prediction of
     *  inference set `prefer`: {uri, m} or null. */
    objectThumbnail(i, prefer) {
      if (!this.ex) return null;
      const j = this.exObject(i);
      if (j < 0) return null;
      if (!this._thumbByObj) {
        const map = new Map();
        for (const key of Object.keys(this.P.thumbnails || {})) {
          const parts = key.split(":");
          if (parts.length !== 3) continue;
          const obj = Number(parts[2]);
          if (!(obj >= 0)) continue;
          const entry = { m: Number(parts[0]), pred: Number(parts[1]) };
          const list = map.get(obj);
          if (list) list.push(entry);
          else map.set(obj, [entry]);
        }
        this._thumbByObj = map;
      }
      const list = this._thumbByObj.get(j);
      if (!list) return null;
      const pick = list.find((e) => e.m === prefer) || list[0];
      const uri = this.thumbnail(pick.m, pick.pred, j);
      return uri ? { uri: uri, m: pick.m, pred: pick.pred } : null;
    }

    /** The examples decoded so far (docs/report-payload.md "Examples"): {caps, objects, predictions[m],
     *  cells[m][u]}, a part null until decoded. `this.ex` is the same object once every part is decoded. */
    get exView() {
      if (!this._exView) {
        const entry = this.P.examples || {};
        const U = this.U;
        this._exView = {
          caps: entry.caps || {}, objects: null, predictions: (entry.predictions || []).map(() => null),
          cells: (entry.cells || []).map(() => new Array(U).fill(null)),
        };
      }
      return this._exView;
    }

    /** Whether the examples of inference set m at IoU preset u are decoded. */
    exReady(m, u) {
      const x = this.exView;
      return !!(x.objects && x.predictions[m] && x.cells[m] && x.cells[m][u]);
    }

    /** The decoding jobs of the examples' parts, in the order they are decoded in the background: the objects,
     *  the predictions, then the cell tables (parts of consecutive IoU presets), the default preset's first. */
    _exJobs() {
      if (this._jobs) return this._jobs;
      const entry = this.P.examples || {};
      const x = this.exView;
      const jobs = [];
      const add = (key, part, set) => {
        const job = { key: key, part: part, set: set, done: false };
        job.promise = new Promise((resolve, reject) => { job.resolve = resolve; job.reject = reject; });
        job.promise.catch(() => {}); // failures are reported through exError and the all-parts promise
        jobs.push(job);
      };
      add("objects", entry.objects, (v) => (x.objects = v));
      (entry.predictions || []).forEach((part, m) => add("p" + m, part, (v) => (x.predictions[m] = v)));
      const d = this.P.defaults.iou_index;
      const cellJobs = [];
      (entry.cells || []).forEach((parts, m) => parts.forEach((part) => {
        // one key per IoU preset the part holds: "c<m>,<u>"
        cellJobs.push({ m: m, part: part, near: Math.min(...part.presets.map((u) => Math.abs(u - d))) });
      }));
      cellJobs.sort((a, b) => a.near - b.near || a.m - b.m);
      for (const c of cellJobs) {
        add(c.part.presets.map((u) => "c" + c.m + "," + u).join(" "), c.part, (v) => c.part.presets.forEach((u, k) => (x.cells[c.m][u] = v[k])));
      }
      this._jobs = jobs;
      return jobs;
    }

    /** Decode the examples' parts one at a time, yielding to the page between parts (each is small, so a
     *  slider step or a click never waits long behind it). */
    _exRun() {
      if (this._exRunning) return;
      this._exRunning = true;
      const step = async () => {
        const job = this._jobs.find((j) => !j.done);
        if (!job) {
          this._exRunning = false;
          this.ex = this.exView;
          this._exResolve(this.ex);
          return;
        }
        job.done = true;
        try {
          const buf = await gunzip(base64Bytes(job.part.data));
          job.set(JSON.parse(new TextDecoder().decode(buf)));
          this.exParts += 1;
          job.resolve();
        } catch (err) {
          this.exError = err;
          this._exRunning = false;
          job.reject(err);
          this._exReject(err);
          return;
        }
        RG.nextTask().then(step); // a new task: input events and frames go first
      };
      RG.nextTask().then(step);
    }

    /** Decode every part of the examples (once, in the background); resolves to the examples object. */
    loadExamples() {
      if (!this._exPromise) {
        this._exJobs();
        this._exPromise = new Promise((resolve, reject) => { this._exResolve = resolve; this._exReject = reject; });
        this._exPromise.catch(() => {});
        this._exRun();
      }
      return this._exPromise;
    }

    /** Decode the parts the examples of inference set m at IoU preset u need before any other; resolves when
     *  they are decoded (the rest follows in the background). */
    examplesFor(m, u) {
      this.loadExamples();
      const jobs = this._jobs;
      const want = ["objects", "p" + m, "c" + m + "," + u];
      const picked = want.map((k) => jobs.find((j) => j.key.split(" ").includes(k))).filter(Boolean);
      const rest = jobs.filter((j) => !picked.includes(j));
      // decoded jobs stay where they are; the wanted ones move before the first waiting job
      this._jobs = jobs.filter((j) => j.done).concat(picked.filter((j) => !j.done), rest.filter((j) => !j.done));
      if (this.exError) return Promise.reject(this.exError);
      if (picked.length < want.length) return Promise.reject(new Error("the report has no examples of inference set " + m + " at IoU preset " + u));
      return Promise.all(picked.map((j) => j.promise));
    }

    get many() {
      return this.C > this.P.constants.many_classes;
    }

    label(k) {
      return k === this.C ? "background" : this.classes[k];
    }

    /** [precision, recall, F1] of the card (NaN -> null). */
    card(m, s, u, t) {
      const b = this.b.cards;
      const o = offset(b, [m, s, u, t, 0]);
      const out = [];
      for (let k = 0; k < 3; k++) {
        const v = b.a[o + k];
        out.push(Number.isNaN(v) ? null : v);
      }
      return out;
    }

    /** [false positives, false negatives, confusions] of the card. */
    cardCounts(m, s, u, t) {
      const b = this.b.card_counts;
      const o = offset(b, [m, s, u, t, 0]);
      return [b.a[o], b.a[o + 1], b.a[o + 2]];
    }

    /** Display integers [precision, recall, F1] of class c. */
    classScores(m, s, u, t, c) {
      const b = this.b.class_scores;
      const o = offset(b, [m, s, u, t, c, 0]);
      return [b.a[o], b.a[o + 1], b.a[o + 2]];
    }

    /** Display integers [precision, recall, F1] of average a (0 micro, 1 macro, 2 weighted). */
    averages(m, s, u, t, a) {
      const b = this.b.averages;
      const o = offset(b, [m, s, u, t, a, 0]);
      return [b.a[o], b.a[o + 1], b.a[o + 2]];
    }

    /** The confusion matrix at (m, s, u, t) as dense counts with row / column / grand totals. */
    matrix(m, s, u, t) {
      const key = m + "," + s + "," + u + "," + t;
      const hit = this._matrix.get(key);
      if (hit) return hit;
      const K = this.K;
      const offs = this.b.matrix_offsets;
      const o = offset(offs, [m, s, u, 0]);
      const start = offs.a[o];
      const count = offs.a[o + 1];
      const cells = this.b.matrix_cells.a;
      const values = this.b.matrix_values;
      const T = values.shape[1];
      const counts = new Float64Array(K * K);
      const row = new Float64Array(K);
      const col = new Float64Array(K);
      let total = 0;
      const nz = [];
      for (let i = start; i < start + count; i++) {
        const v = values.a[i * T + t];
        if (!v) continue;
        const cell = cells[i];
        counts[cell] = v;
        row[Math.floor(cell / K)] += v;
        col[cell % K] += v;
        total += v;
        nz.push(cell);
      }
      const mat = { K: K, C: this.C, counts: counts, row: row, col: col, total: total, nonzero: nz };
      mat.at = (g, p) => counts[g * K + p];
      if (this._matrix.size > 64) this._matrix.clear();
      this._matrix.set(key, mat);
      return mat;
    }

    /** PR curve of class c (C = all classes) as display integers: {p: [...], r: [...]} over the curve grid. */
    curve(m, s, u, c) {
      const b = this.b.curves;
      const P = b.shape[4];
      const o = offset(b, [m, s, u, c, 0, 0]);
      const p = new Array(P);
      const r = new Array(P);
      for (let i = 0; i < P; i++) {
        p[i] = b.a[o + 2 * i];
        r[i] = b.a[o + 2 * i + 1];
      }
      return { p: p, r: r };
    }

    /** [AP, F1-optimal confidence, its F1] as display integers. */
    curveStats(m, s, u, c) {
      const b = this.b.curve_stats;
      const o = offset(b, [m, s, u, c, 0]);
      return [b.a[o], b.a[o + 1], b.a[o + 2]];
    }

    /** Membership of segment s as a Uint8Array over the frames, known for the frames the payload refers to
     *  (those with an id in frame_ids: examples, listed segment frames, flip samples; blob frame_segments). */
    segmentMask(s) {
      let mask = this._frames.get(s);
      if (!mask) {
        mask = new Uint8Array(this.P.meta.frames);
        const bits = this.b.frame_segments;
        const row = s * bits.shape[1];
        this.frameIndex.forEach((f, r) => {
          if (bits.a[row + (r >> 3)] & (128 >> (r & 7))) mask[f] = 1;
        });
        this._frames.set(s, mask);
      }
      return mask;
    }

    /** The target of segment s for a metric ("precision" | "recall" | "f1"), with a tried-out override:
     *  undefined = none tried, null = tried "no target", number = tried threshold. */
    target(s, metric, tried) {
      if (tried !== undefined) return tried === null ? null : { threshold: tried };
      const t = this.segments[s].targets || {};
      return t[metric] || null;
    }

    /** The threshold card (m, s, u, t)'s metric k is judged against, as the report model resolved it (a relative
     *  target: the baseline's score minus max_drop); null without a target or with an undefined baseline. */
    thresholdOf(m, s, u, t, k) {
      const b = this.b.thresholds;
      const v = b.a[offset(b, [m, s, u, t, k])];
      return Number.isNaN(v) ? null : v;
    }

    /** The report model's verdict of card (m, s, u, t)'s metric k: "pass" | "fail" | "none" (no target). */
    verdictOf(m, s, u, t, k) {
      const b = this.b.verdicts;
      return VERDICT_WORDS[b.a[offset(b, [m, s, u, t, k])]];
    }

    /** Index of the curve grid point at confidence value v, or -1 when v is not on that grid. */
    curveIndex(v) {
      const g = this.curveGrid;
      for (let i = 0; i < g.length; i++) if (Math.abs(g[i] - v) < 1e-9) return i;
      return -1;
    }

    /** The row of frame f (index into frame_ids) in the frame viewer's data (payload "frames"), or -1 when the
     *  report carries no boxes of that frame. */
    frameRow(f) {
      if (!this._frameRows) {
        this._frameRows = new Map();
        const frames = (this.P.frames || {}).frame || [];
        frames.forEach((frame, k) => this._frameRows.set(frame, k));
      }
      const k = this._frameRows.get(f);
      return k === undefined ? -1 : k;
    }

    /** The whole-frame picture of frame f (a data: URI) or null. */
    framePicture(f) {
      const pics = (this.P.frames || {}).pictures || {};
      const uri = pics[String(f)];
      return typeof uri === "string" && /^data:image\/(jpeg|png|webp|gif);base64,/.test(uri) ? uri : null;
    }

    thumbnail(m, pred, obj) {
      const t = this.P.thumbnails || {};
      const uri = t[m + ":" + pred + ":" + obj];
      // only pictures embedded as data: URIs are shown: nothing that could make a request
      return typeof uri === "string" && /^data:image\/(jpeg|png|webp|gif);base64,/.test(uri) ? uri : null;
    }
  }

  RG.Data = Data;

  /** The blobs the first paint needs; any other blob (e.g. for the compare views) is decoded on request
   *  with Data.blobAsync(name). */
  RG.STARTUP_BLOBS = ["cards", "thresholds", "verdicts", "card_counts", "class_scores", "averages", "matrix_offsets", "matrix_cells",
    "matrix_values", "curves", "curve_stats", "frame_segments"];

  /** The blobs of the comparison views (decoded only once an inference set B is chosen). */
  RG.COMPARE_BLOBS = ["bootstrap", "flip_offsets", "flip_groups", "flip_counts", "sample_offsets", "sample_object", "sample_frame",
    "sample_class", "sample_outcome_class", "sample_outcome_last"];

  /** Parse #report-data and decode the blobs of the first paint. */
  RG.loadData = async function () {
    const node = document.getElementById("report-data");
    const payload = JSON.parse(node.textContent);
    if (payload.schema_version !== 2) throw new Error("unsupported report data version " + payload.schema_version);
    if (typeof DecompressionStream !== "function") throw new Error("this browser cannot decompress the data");

    RG.UNDEFINED = payload.constants.undefined; // the payload's own marker (reportgen.report.model.UNDEFINED_U16)
    const names = RG.STARTUP_BLOBS.filter((n) => n in payload.blobs);
    const missing = RG.STARTUP_BLOBS.filter((n) => !(n in payload.blobs));
    if (missing.length) throw new Error("the report data lacks " + missing.join(", "));
    // the ids of the frames the payload refers to: a JSON blob {index, ids}, here as an object by frame index
    const ids = gunzip(base64Bytes(payload.frame_ids.data)).then((buf) => {
      const table = JSON.parse(new TextDecoder().decode(buf));
      payload.frame_index = table.index;
      payload.frame_ids = {};
      table.index.forEach((f, r) => (payload.frame_ids[f] = table.ids[r]));
    });
    const [decoded] = await Promise.all([Promise.all(names.map((n) => RG.decodeBlob(payload.blobs[n]))), ids]);
    const blobs = {};
    names.forEach((n, i) => (blobs[n] = decoded[i]));
    return new Data(payload, blobs);
  };
})();
