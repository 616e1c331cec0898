/* reportgen report page: the examples behind the highlighted matrix cells (docs/report-payload.md, Examples).
 * Each cell's list is capped in the payload; the page keeps the entries of the current segment and confidence:
 * a prediction counts when its score >= the threshold; a missed object is listed when nothing matched it or
 * its match scored below the threshold. */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;

  const PAGE = 24;
  // <img> elements by thumbnail, reused across repaints so a picture is decoded once
  const IMAGES = new Map();

  /** Examples of the cells at (m, s, u, t): [{frame, g, p, pred, obj, score, iou, below}]. */
  RG.collectExamples = function (data, cells, m, s, u, t) {
    const ex = data.exView;
    const perModel = (ex.cells || [])[m];
    const lists = perModel ? perModel[u] || {} : {};
    const preds = (ex.predictions || [])[m] || { frame: [], cls: [], score: [] };
    const objs = ex.objects || { frame: [], cls: [] };
    const conf = data.P.grids.confidence[t];
    const mask = data.segmentMask(s);
    const C = data.C;
    const out = [];
    for (const [g, p] of cells) {
      const list = lists[g + "," + p] || [];
      for (const [pred, obj, iou] of list) {
        const score = pred >= 0 ? preds.score[pred] : null;
        const frame = pred >= 0 ? preds.frame[pred] : objs.frame[obj];
        if (!mask[frame]) continue;
        if (p < C) {
          if (score === null || score < conf) continue;
        } else if (score !== null && score >= conf) continue;
        out.push({ frame: frame, g: g, p: p, pred: pred, obj: obj, score: score, iou: iou, below: p === C && score !== null });
      }
    }
    return out;
  };

  RG.Examples = {
    render(app, ctx) {
      const data = app.data;
      const st = app.state;
      const detection = data.task === "detection";
      const box = el("section", { class: "examples", id: "examples", "aria-labelledby": "examples-title" });
      const head = el("div", { class: "examples-head" }, el("h3", { id: "examples-title", text: "Examples" }));
      box.appendChild(head);
      if (!ctx.cells.length) {
        box.appendChild(el("p", { class: "muted", id: "examples-status", text: "Click a matrix cell" + (data.many ? " (a row of the confusion table)" : "") + " or use FN, FP, Confused As or Confused From to list the examples behind it." }));
        return box;
      }
      if (!data.exReady(ctx.m, ctx.u)) {
        box.appendChild(el("p", { class: "muted", id: "examples-status", text: data.exError ? "The examples could not be read: " + data.exError.message : "Reading the examples…" }));
        const key = ctx.m + "," + ctx.u;
        if (!data.exError && !(data.exWaiting || (data.exWaiting = new Set())).has(key)) {
          data.exWaiting.add(key);
          data.examplesFor(ctx.m, ctx.u).then(() => app.render(), (err) => { data.exError = data.exError || err; app.render(); });
        }
        return box;
      }
      const items = RG.collectExamples(data, ctx.cells, ctx.m, ctx.s, ctx.u, ctx.t);
      let exist = 0;
      for (const [g, p] of ctx.cells) exist += ctx.mat.at(g, p);
      const key = st.exsort.key === "iou" && detection ? "iou" : "score";
      const desc = st.exsort.dir === "d";
      const order = RG.sortIndices(items.length, (i) => (key === "iou" ? items[i].iou : items[i].score), desc);
      const shown = app.transient.moreExamples ? order : order.slice(0, PAGE);
      const capped = items.length < exist;
      head.appendChild(el("span", { class: "muted" }, RG.Matrix.describeFilter(data, st)));
      const caps = data.exView.caps || {};
      let statusText = "Showing " + RG.int(shown.length) + " of " + RG.int(exist);
      if (shown.length < items.length) statusText += " (" + RG.int(items.length) + " listed in the report)";
      if (capped) {
        statusText += "; capped: the report keeps the " + (caps.global || 20) + " most relevant examples per cell" +
          (caps.per_segment ? " and " + caps.per_segment + " per segment" : "");
      }
      const status = el("p", { class: "muted", id: "examples-status", role: "status", dataset: { listed: items.length, exist: exist, shown: shown.length } }, statusText + ".");
      const sortBtn = (k, label) => {
        const active = st.exsort.key === k;
        return el("button", {
          type: "button", class: "btn btn-small", id: "exsort-" + k, "aria-pressed": active ? "true" : "false",
          title: "Sort by " + label + (active ? (desc ? " (descending)" : " (ascending)") : ""),
          on: { click: () => app.update({ exsort: { key: k, dir: active && desc ? "a" : "d" } }) },
        }, label + (active ? (desc ? " ▼" : " ▲") : ""));
      };
      head.appendChild(el("span", { class: "filters", role: "group", "aria-label": "Sort examples" }, "Sort by ", sortBtn("conf", "confidence"), detection ? sortBtn("iou", "IoU") : null));
      box.appendChild(status);
      if (detection) box.appendChild(el("p", { class: "ex-legend" }, "Pictures: ", el("span", { class: "gt", text: "ground truth" }), " (green, thick) and ", el("span", { class: "pred", text: "prediction" }), " (orange, thin). Click a picture to see the whole frame with every box."));
      const grid = el("div", { class: "ex-grid", id: "ex-grid" });
      let withoutPicture = 0;
      for (const i of shown) {
        const card = RG.Examples.card(data, ctx.m, items[i]);
        if (!card.picture) withoutPicture += 1;
        grid.appendChild(card.node);
      }
      box.appendChild(grid);
      if (!items.length) box.appendChild(el("p", { class: "muted", text: "No listed example at this confidence in this segment." }));
      if (withoutPicture && shown.length) {
        box.appendChild(el("p", { class: "muted", id: "nopic-note", text: withoutPicture === shown.length
          ? "No picture for these examples: the report has no images for them (no image paths, or over the thumbnail budget)."
          : RG.int(withoutPicture) + " of these examples have no picture (no image, or over the thumbnail size budget)." }));
      }
      if (!app.transient.moreExamples && order.length > PAGE) {
        box.appendChild(RG.button("Show all " + RG.int(order.length) + " listed", { class: "btn btn-small", id: "examples-more" }, () => { app.transient.moreExamples = true; app.render(); }));
      }
      return box;
    },
  };

  /** The card of one example of inference set m: {node, picture: whether it has one}. */
  RG.Examples.card = function (data, m, it) {
    const C = data.C;
    const uri = data.thumbnail(m, it.pred, it.obj);
    const pic = uri ? RG.picture(m + ":" + it.pred + ":" + it.obj, uri, "Frame " + data.P.frame_ids[it.frame] + ": " + data.label(it.g) + " predicted as " + data.label(it.p))
      : el("span", { class: "nopic", text: "no picture" });
    const conf = it.score === null ? "–" : RG.fixed(it.score, 4) + (it.below ? " (below)" : "");
    const fid = data.P.frame_ids[it.frame];
    // the picture is a button: it opens the whole frame with every box (static/js/viewer.js)
    const open = el("button", {
      type: "button", class: "ex-open", id: "ex-open-" + m + "-" + it.pred + "-" + it.obj, "aria-haspopup": "dialog",
      "aria-label": "Open frame " + fid + " with every box", title: "Open the whole frame with every box",
      on: { click: (ev) => RG.openFrame(RG.app, it.frame, { m: m, pred: it.pred, obj: it.obj }, ev.currentTarget) },
    }, pic);
    const node = el("article", { class: "ex", dataset: { frame: fid, score: it.score === null ? "" : it.score, iou: it.iou === null ? "" : it.iou } }, open,
      el("div", { class: "ex-lines" },
        RG.exLine("Frame", data.P.frame_ids[it.frame], "ex-frame"),
        RG.exLine("GT", it.g === C ? "none (false positive)" : data.classes[it.g]),
        RG.exLine("Predicted", it.p === C ? (it.pred >= 0 ? "missed; " + data.classes[preClass(data, m, it.pred)] + " below the threshold" : "missed") : data.classes[it.p]),
        RG.exLine("Confidence", conf, "ex-conf"),
        data.task === "detection" ? RG.exLine("IoU", it.iou === null ? "–" : RG.fixed(it.iou, 4), "ex-iou") : null));
    return { node: node, picture: !!uri };
  };

  /** One "key value" line of an example card. */
  RG.exLine = (label, value, cls) => el("div", null, el("span", { class: "k", text: label + " " }), el("span", { class: cls || null, text: value }));

  /** An <img> of a thumbnail, reused across repaints (keyed) so a picture is decoded once. */
  RG.picture = function (key, uri, alt) {
    let pic = IMAGES.get(key);
    if (!pic) {
      pic = el("img", { src: uri, alt: alt, width: 80, height: 80, decoding: "async" });
      IMAGES.set(key, pic);
    }
    return pic;
  };

  function preClass(data, m, pred) {
    return data.exView.predictions[m].cls[pred];
  }
})();
