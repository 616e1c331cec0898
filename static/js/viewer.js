/* reportgen report page: the frame viewer. A click on an example opens its whole frame in a modal dialog with
 * every ground-truth box and every prediction box of A (and B when one is chosen) drawn over the picture, with
 * class labels and scores (docs/report-payload.md, "Frames"). Predictions are those counted at each inference
 * set's current confidence preset; a checkbox shows all of them. The dialog is the standard <dialog>: Escape
 * closes it and focus returns to the example that opened it. Text from the data goes in with textContent only. */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;
  const svg = RG.svg;

  /** The blobs of the viewer, decoded on the first open. */
  RG.FRAME_BLOBS = ["frame_box_offsets", "frame_boxes", "frame_box_info"];
  /** Ground truth: Okabe-Ito bluish green (A and B are RG.SERIES blue and orange); reportgen.report.examples
   *  GT_COLOUR draws the crops with the same colour. */
  RG.GT_COLOUR = "#009E73";
  const NO_SCORE = 65535;
  /** Label text: the boxes' hues darkened to >= 4.5:1 on the labels' white halo (ground truth, A, B). */
  const TEXT = { gt: "#00704f", a: "#005a8f", b: "#8a5d00" };

  let dialog = null;
  let view = null; // {app, frame, focus, opener, all}

  function build() {
    const close = RG.button("Close", { id: "viewer-close", class: "btn btn-small", "aria-label": "Close the frame viewer" }, () => dialog.close());
    const all = el("input", { type: "checkbox", id: "viewer-all", on: { change: () => { view.all = all.checked; draw(); } } });
    dialog = el("dialog", { id: "frame-viewer", class: "viewer", "aria-labelledby": "viewer-title", "aria-describedby": "viewer-note" },
      el("div", { class: "viewer-head" }, el("h2", { id: "viewer-title" }), close),
      el("p", { class: "muted viewer-note", id: "viewer-note" }),
      el("label", { class: "viewer-toggle" }, all, " Show all predictions (every confidence)"),
      el("div", { class: "viewer-legend", id: "viewer-legend" }),
      el("div", { class: "viewer-figure", id: "viewer-figure" }),
      el("details", { class: "viewer-table" }, el("summary", { text: "The boxes as a table" }), el("div", { id: "viewer-rows" })));
    dialog.addEventListener("close", () => {
      const v = view;
      view = null;
      if (!v) return;
      // focus returns to the example: the same button, or the one that replaced it in a repaint
      const target = v.opener && v.opener.isConnected ? v.opener : v.opener && v.opener.id ? document.getElementById(v.opener.id) : null;
      if (target) target.focus();
    });
    (document.getElementById("main") || document.body).appendChild(dialog);
    return dialog;
  }

  /** The boxes of frame f drawn by the viewer: [{src: 0 ground truth | 1 + m, cls, score (display integer or
   *  null), shown (presets at which the prediction counts), crowd, x, y, w, h}], or null when the report
   *  carries no boxes of that frame (over the frame cap). Requires the RG.FRAME_BLOBS decoded. */
  RG.frameBoxes = function (data, f) {
    const k = data.frameRow(f);
    if (k < 0) return null;
    const offs = data.b.frame_box_offsets.a;
    const boxes = data.b.frame_boxes.a;
    const info = data.b.frame_box_info.a;
    const out = [];
    for (let r = offs[2 * k]; r < offs[2 * k] + offs[2 * k + 1]; r++) {
      out.push({
        src: info[5 * r], cls: info[5 * r + 1], score: info[5 * r + 2] === NO_SCORE ? null : info[5 * r + 2], shown: info[5 * r + 3],
        crowd: info[5 * r + 4] === 1, x: boxes[4 * r], y: boxes[4 * r + 1], w: boxes[4 * r + 2], h: boxes[4 * r + 3],
      });
    }
    return out;
  };

  /** The boxes one example names (its object and its prediction), for a frame whose boxes the report lacks. */
  function exampleBoxes(data, focus) {
    const out = [];
    if (focus.obj >= 0) {
      const o = data.exView.objects;
      const b = o.box[focus.obj];
      out.push({ src: 0, cls: o.cls[focus.obj], score: null, shown: 0, crowd: false, x: b[0], y: b[1], w: b[2], h: b[3] });
    }
    if (focus.pred >= 0) {
      const p = data.exView.predictions[focus.m];
      const b = p.box[focus.pred];
      out.push({ src: 1 + focus.m, cls: p.cls[focus.pred], score: Math.round(p.score[focus.pred] * 10000), shown: Infinity, crowd: false, x: b[0], y: b[1], w: b[2], h: b[3] });
    }
    return out;
  }

  /** Whether a box of the frame is the example's object or prediction (same source, class and box). */
  function isFocus(data, focus, b) {
    const near = (box) => Math.abs(box[0] - b.x) < 0.01 && Math.abs(box[1] - b.y) < 0.01 && Math.abs(box[2] - b.w) < 0.01 && Math.abs(box[3] - b.h) < 0.01;
    if (b.src === 0) return focus.obj >= 0 && data.exView.objects.cls[focus.obj] === b.cls && near(data.exView.objects.box[focus.obj]);
    if (b.src !== 1 + focus.m || focus.pred < 0) return false;
    const p = data.exView.predictions[focus.m];
    return p.cls[focus.pred] === b.cls && near(p.box[focus.pred]);
  }

  /** Open frame f (index into frame_ids) of the example focus ({m, pred, obj}); opener gets the focus back. */
  RG.openFrame = function (app, f, focus, opener) {
    if (!dialog) build();
    view = { app: app, frame: f, focus: focus, opener: opener, all: false };
    dialog.querySelector("#viewer-all").checked = false;
    document.getElementById("viewer-title").textContent = "Frame " + app.data.P.frame_ids[f];
    if (!dialog.open) dialog.showModal(); // first: the labels are sized from the laid-out picture
    const ready = app.data.ensure(RG.FRAME_BLOBS.filter((n) => n in app.data.P.blobs), () => { if (view && view.frame === f) draw(); });
    if (ready) draw();
    else {
      document.getElementById("viewer-note").textContent = "Reading the boxes…";
      RG.fill(document.getElementById("viewer-figure"));
    }
    return dialog;
  };

  function draw() {
    if (!view) return;
    const app = view.app;
    const data = app.data;
    const st = app.state;
    const f = view.frame;
    const P = data.P;
    const sets = [st.a].concat(st.b >= 0 ? [st.b] : []);
    const role = (m) => (m === st.a ? "A" : "B");
    const colour = (src) => (src === 0 ? RG.GT_COLOUR : RG.SERIES[src - 1 === st.a ? 0 : 1]);
    const presets = RG.presets(st);
    const tOf = (m) => (m === st.a ? presets.a.t : presets.b.t);
    const fromFrame = data.b.frame_box_offsets ? RG.frameBoxes(data, f) : null;
    const boxes = (fromFrame || exampleBoxes(data, view.focus)).filter((b) => b.src === 0 || sets.includes(b.src - 1));
    const drawn = boxes.filter((b) => b.src === 0 || view.all || tOf(b.src - 1) < b.shown);
    const k = data.frameRow(f);
    const frames = P.frames || {};
    let W;
    let H;
    if (k >= 0) [W, H] = frames.size[k];
    else {
      W = Math.max(1, ...boxes.map((b) => Math.ceil(b.x + b.w)));
      H = Math.max(1, ...boxes.map((b) => Math.ceil(b.y + b.h)));
    }
    const uri = data.framePicture(f);
    const conf = (m) => RG.gridText(P.grids.confidence[tOf(m)]);
    const note = [];
    note.push(view.all ? "Showing every prediction, at any confidence." : "Predictions counted at the current confidence: " +
      sets.map((m) => role(m) + " ≥ " + conf(m)).join(", ") + " (tick the box to show all).");
    if (!fromFrame) note.push("The report carries the boxes of " + RG.int(frames.cap || 0) + " frames at most; this frame is not among them, so only this example's boxes are drawn.");
    if (!uri) note.push(k >= 0 || !fromFrame ? "No picture of this frame in the report (no image, or over the thumbnail budget): the boxes are drawn on a blank frame of the image's size." : "");
    document.getElementById("viewer-note").textContent = note.filter(Boolean).join(" ");

    // legend: one entry per source, with the count drawn (of all its boxes on the frame)
    const legend = [el("span", { class: "viewer-key", dataset: { src: 0 } }, swatch(colour(0), false), "Ground truth (" + RG.int(drawn.filter((b) => b.src === 0).length) + ")")];
    for (const m of sets) {
      const mine = boxes.filter((b) => b.src === 1 + m);
      const shownCount = drawn.filter((b) => b.src === 1 + m).length;
      legend.push(el("span", { class: "viewer-key", dataset: { src: 1 + m } }, swatch(colour(1 + m), role(m) === "B"),
        role(m) + ": ", el("span", { class: "name", text: data.models[m], title: data.models[m] }),
        " (" + RG.int(shownCount) + (shownCount !== mine.length ? " of " + RG.int(mine.length) : "") + ")"));
    }
    RG.fill(document.getElementById("viewer-legend"), legend);

    // the picture (or a blank frame) and the boxes, in image pixels
    const total = { gt: 0, a: 0, b: 0 };
    for (const b of drawn) total[b.src === 0 ? "gt" : role(b.src - 1).toLowerCase()] += 1;
    const label = "Frame " + P.frame_ids[f] + ": " + total.gt + " ground-truth boxes, " + total.a + " of A" + (sets.length > 1 ? ", " + total.b + " of B" : "");
    const picture = uri ? svg("image", { href: uri, x: 0, y: 0, width: W, height: H, preserveAspectRatio: "none" })
      : svg("rect", { class: "viewer-blank", x: 0, y: 0, width: W, height: H });
    const rects = [];
    const labels = [];
    // ground truth under the predictions; the example's own boxes last (on top)
    const focusOf = drawn.map((b) => isFocus(data, view.focus, b));
    const order = drawn.map((b, i) => i).sort((i, j) => (focusOf[i] - focusOf[j]) || (drawn[j].src === 0) - (drawn[i].src === 0));
    for (const i of order) {
      const b = drawn[i];
      const kind = b.src === 0 ? "gt" : role(b.src - 1).toLowerCase();
      const text = (b.src === 0 ? (b.crowd ? "GT crowd " : "GT ") : role(b.src - 1) + " ") + data.classes[b.cls] + (b.score !== null ? " " + (b.score / 10000).toFixed(4) : "");
      rects.push(svg("rect", {
        class: "box box-" + kind + (focusOf[i] ? " focus" : "") + (b.crowd ? " crowd" : ""), x: b.x, y: b.y, width: Math.max(b.w, 0), height: Math.max(b.h, 0),
        stroke: colour(b.src), "vector-effect": "non-scaling-stroke", dataset: { src: b.src, cls: b.cls, score: b.score === null ? "" : b.score },
      }, svg("title", { text: text })));
      labels.push({ b: b, kind: kind, text: text, focus: focusOf[i] });
    }
    const labelGroup = svg("g", { class: "labels" });
    const figure = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "viewer-svg", id: "viewer-svg", role: "img", "aria-label": label, style: "aspect-ratio: " + W + " / " + H },
      picture, svg("g", { class: "boxes" }, rects), labelGroup);
    RG.fill(document.getElementById("viewer-figure"), figure);
    // labels about 12 px high on screen, placed where they overlap no label placed before (focus first)
    const shown = figure.getBoundingClientRect();
    const scale = Math.min(shown.width / W, shown.height / H); // the picture is fitted inside the svg's box
    const font = scale > 0 ? 12 / scale : Math.max(W, H) / 60;
    labelGroup.setAttribute("font-size", font.toFixed(3));
    placeLabels(labels.reverse(), font, W, H).forEach((l) => {
      labelGroup.appendChild(svg("text", { class: "box-label label-" + l.kind, x: l.x, y: l.y, fill: TEXT[l.kind], text: l.text }));
    });

    // the same boxes as a table (the chart's text equivalent)
    const fmt = (v) => (Math.round(v * 100) / 100).toString();
    const rows = drawn.map((b) => el("tr", null,
      el("td", { text: b.src === 0 ? "ground truth" + (b.crowd ? " (crowd)" : "") : role(b.src - 1) + ": " + data.models[b.src - 1] }),
      el("td", { text: data.classes[b.cls] }),
      el("td", { class: "num", text: b.score === null ? "–" : (b.score / 10000).toFixed(4) }),
      el("td", { class: "num", text: [b.x, b.y, b.w, b.h].map(fmt).join(", ") })));
    RG.fill(document.getElementById("viewer-rows"), el("table", { class: "plain" },
      el("caption", { class: "sr", text: label }),
      el("thead", null, el("tr", null, ["Box", "Class", "Confidence", "x, y, w, h"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", null, rows)));
  }

  /** Positions of box labels: above the box, below it, then further up or down a line at a time, the first
   *  place that overlaps no label placed before (widths estimated from the text length). */
  function placeLabels(labels, font, W, H) {
    const placed = [];
    const out = [];
    const line = font * 1.2;
    for (const l of labels) {
      const w = l.text.length * font * 0.62;
      const x = Math.max(0, Math.min(l.b.x, W - w));
      const above = l.b.y - font * 0.3;
      const below = l.b.y + l.b.h + font;
      const tries = [];
      for (let k = 0; k < 6; k++) tries.push(above - k * line, below + k * line);
      let y = tries.find((t) => t - font >= 0 && t <= H && !placed.some((r) => x < r.x + r.w && r.x < x + w && t - font < r.y && r.y - font < t));
      if (y === undefined) y = Math.min(Math.max(above, font), H);
      placed.push({ x: x, y: y, w: w });
      out.push({ kind: l.kind, text: l.text, x: x, y: y });
    }
    return out;
  }

  function swatch(colour, dashed) {
    return svg("svg", { class: "swatch", width: 18, height: 12, "aria-hidden": "true" },
      svg("rect", { x: 1.5, y: 1.5, width: 15, height: 9, fill: "none", stroke: colour, "stroke-width": 2.5, "stroke-dasharray": dashed ? "4 2" : null }));
  }
})();
