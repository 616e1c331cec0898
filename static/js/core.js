/* reportgen report page: core helpers under the one namespace object window.RG.
 *
 * Safety rule for every file: text that comes from the data (class, segment, inference set and file names,
 * frame ids, metadata, descriptions) is only ever put in the page with textContent or setAttribute, through
 * RG.el / RG.svg below. Nothing here parses HTML.
 */
(function () {
  "use strict";
  const RG = (window.RG = window.RG || {});

  const SVG_NS = "http://www.w3.org/2000/svg";
  const BOOLEAN_PROPS = { value: 1, checked: 1, selected: 1, disabled: 1, hidden: 1, indeterminate: 1 };

  function setProps(node, props) {
    for (const key of Object.keys(props)) {
      const v = props[key];
      if (v === null || v === undefined || v === false) continue;
      if (key === "text") node.textContent = String(v);
      else if (key === "on") {
        for (const ev of Object.keys(v)) node.addEventListener(ev, v[ev]);
        node._rgOn = true; // RG.morph replaces, never patches, a node with listeners (they hold their own values)
      }
      else if (key === "dataset") for (const d of Object.keys(v)) node.dataset[d] = String(v[d]);
      else if (key === "style") node.setAttribute("style", v); // our own CSS text only
      else if (BOOLEAN_PROPS[key] && !(node instanceof SVGElement)) node[key] = v;
      else if (/^on/i.test(key)) throw new Error("event handlers go in props.on, not attributes: " + key);
      else node.setAttribute(key, v === true ? "" : String(v));
    }
  }

  function appendKids(node, kids) {
    for (const k of kids) {
      if (k === null || k === undefined || k === false) continue;
      if (Array.isArray(k)) appendKids(node, k);
      else if (typeof k === "string" || typeof k === "number") node.appendChild(document.createTextNode(String(k)));
      else node.appendChild(k);
    }
  }

  /** An HTML element: el("td", {class: "num", text: "0.8123"}, child, ...). */
  RG.el = function (tag, props, ...kids) {
    const node = document.createElement(tag);
    if (props) setProps(node, props);
    appendKids(node, kids);
    return node;
  };

  /** An SVG element, same calling convention as RG.el. */
  RG.svg = function (tag, props, ...kids) {
    const node = document.createElementNS(SVG_NS, tag);
    if (props) setProps(node, props);
    appendKids(node, kids);
    return node;
  };

  /** Replace the children of node. */
  RG.fill = function (node, ...kids) {
    node.replaceChildren();
    appendKids(node, kids);
    return node;
  };

  /**
   * Make element `a` look like `b` (same tag), reusing a's nodes: attributes and text are patched, children of
   * the same tag are patched in turn, anything else is replaced by b's node. A repaint of a long table then
   * changes text in place instead of inserting new rows, which is what keeps COCO-scale repaints fast. Nodes
   * with listeners (RG.el's `on`) and pictures are replaced, never patched. `b` is consumed.
   */
  RG.morph = function (a, b) {
    const aa = a.attributes;
    const ba = b.attributes;
    for (let i = aa.length - 1; i >= 0; i--) {
      const name = aa[i].name;
      if (!b.hasAttribute(name)) a.removeAttribute(name);
    }
    for (let i = 0; i < ba.length; i++) {
      const at = ba[i];
      if (a.getAttribute(at.name) !== at.value) a.setAttribute(at.name, at.value);
    }
    let x = a.firstChild;
    let y = b.firstChild;
    while (y) {
      const nextY = y.nextSibling;
      if (!x) a.appendChild(y);
      else {
        const nextX = x.nextSibling;
        if (x.nodeType === 3 && y.nodeType === 3) {
          if (x.data !== y.data) x.data = y.data;
        } else if (x.nodeType === 1 && y.nodeType === 1 && x.tagName === y.tagName && !x._rgOn && !y._rgOn && x.tagName !== "IMG") {
          RG.morph(x, y);
        } else a.replaceChild(y, x);
        x = nextX;
      }
      y = nextY;
    }
    while (x) {
      const next = x.nextSibling;
      a.removeChild(x);
      x = next;
    }
    return a;
  };

  /** Set the attributes of `attrs` on node (null / false: removed), touching only those that differ. */
  function applyAttrs(node, attrs) {
    for (const k in attrs) {
      const v = attrs[k];
      if (v === null || v === undefined || v === false) {
        if (node.hasAttribute(k)) node.removeAttribute(k);
      } else {
        const text = v === true ? "" : String(v);
        if (node.getAttribute(k) !== text) node.setAttribute(k, text);
      }
    }
  }

  function setText(node, text) {
    const f = node.firstChild;
    if (f && f.nodeType === 3 && !f.nextSibling) {
      if (f.data !== text) f.data = text;
    } else node.textContent = text;
  }

  /**
   * The rows of a table body from plain descriptions, patching the rows already there (a long table's repaint
   * then changes a few texts instead of building hundreds of elements). specs: [{attrs, cells: [{tag, attrs,
   * text} or {tag, attrs, button: {attrs, text}}]}]; every row lists the same attribute names (null removes).
   * Rows carry no listeners: the table handles clicks and reads the row's data-* attributes.
   */
  RG.patchRows = function (tbody, specs) {
    let tr = tbody.firstElementChild;
    for (const sp of specs) {
      if (!tr || tr.cells.length !== sp.cells.length) {
        const fresh = document.createElement("tr");
        for (const cs of sp.cells) fresh.appendChild(document.createElement(cs.tag));
        if (tr) tbody.replaceChild(fresh, tr);
        else tbody.appendChild(fresh);
        tr = fresh;
      }
      applyAttrs(tr, sp.attrs);
      for (let j = 0; j < sp.cells.length; j++) {
        const cs = sp.cells[j];
        let cell = tr.cells[j];
        if (cell.localName !== cs.tag) {
          const fresh = document.createElement(cs.tag);
          tr.replaceChild(fresh, cell);
          cell = fresh;
        }
        applyAttrs(cell, cs.attrs);
        if (cs.button) {
          let btn = cell.firstElementChild;
          if (!btn || btn.localName !== "button" || cell.childNodes.length !== 1) {
            btn = document.createElement("button");
            cell.replaceChildren(btn);
          }
          applyAttrs(btn, cs.button.attrs);
          setText(btn, cs.button.text);
        } else setText(cell, cs.text);
      }
      tr = tr.nextElementSibling;
    }
    while (tr) {
      const next = tr.nextElementSibling;
      tr.remove();
      tr = next;
    }
    return tbody;
  };

  // ------------------------------------------------------------------------------------------ numbers
  /**
   * Python's f"{x:.{d}f}" for a finite number. Number.prototype.toFixed breaks exact ties away from zero,
   * Python to the even digit; an exact tie at d decimals happens only for odd multiples of 2^-(d+1).
   */
  RG.fixed = function (x, d) {
    const neg = x < 0 || Object.is(x, -0);
    const ax = Math.abs(x);
    let s = ax.toFixed(d);
    const y = ax * Math.pow(2, d + 1);
    if (d > 0 && Number.isInteger(y) && y % 2 === 1) {
      const digits = s.replace(".", "");
      if (Number(digits[digits.length - 1]) % 2 === 1) {
        const down = (BigInt(digits) - 1n).toString().padStart(d + 1, "0");
        s = down.slice(0, down.length - d) + "." + down.slice(down.length - d);
      }
    }
    return (neg ? "-" : "") + s;
  };

  /**
   * A score with 4 decimals; more where the score and its threshold would otherwise read wrongly: a failing
   * score never reads as meeting its threshold, a passing one never reads as below the threshold as shown
   * (0.72223 passes 0.72223: "0.72223", not "0.7222"). `exact`: the threshold is an absolute target, shown with
   * the digits it was written with. null: a dash. The same rule as reportgen.display.score_text.
   */
  RG.scoreText = function (score, threshold, digits, exact) {
    if (score === null || score === undefined || Number.isNaN(score)) return "–";
    let d = digits === undefined ? 4 : digits;
    let text = RG.fixed(score, d);
    if (threshold !== null && threshold !== undefined && !Number.isNaN(threshold)) {
      if (score < threshold) {
        while (Number(text) >= threshold && d < 17) {
          d += 1;
          text = RG.fixed(score, d);
        }
      } else {
        const shown = Number(RG.thresholdText(threshold, null, exact));
        while (Number(text) < shown && d < 17) {
          d += 1;
          text = RG.fixed(score, d);
        }
      }
    }
    return text;
  };

  /** A threshold with 2 to 4 decimals (the fewest that show it exactly, else 4), more when a failing score
   *  would otherwise look as large. `exact` (an absolute target, from the project file or typed in the page):
   *  as many decimals as it was written with (0.72223, not 0.7222). Same rule as reportgen.display.threshold_text. */
  RG.thresholdText = function (threshold, score, exact) {
    if (threshold === null || threshold === undefined || Number.isNaN(threshold)) return "–";
    let text = RG.fixed(threshold, 4);
    for (let d = 2; d <= (exact ? 17 : 4); d++) {
      const c = RG.fixed(threshold, d);
      if (Number(c) === threshold) {
        text = c;
        break;
      }
    }
    if (score !== null && score !== undefined && !Number.isNaN(score) && score < threshold) {
      const shown = Number(RG.scoreText(score, threshold));
      let d = text.split(".")[1].length;
      while (Number(text) <= shown && d < 17) {
        d += 1;
        text = RG.fixed(threshold, d);
      }
    }
    return text;
  };

  RG.UNDEFINED = 65535;

  /** A display integer (score x 10000, 65535 = undefined) as text with 4 decimals. */
  RG.disp = function (v) {
    if (v === RG.UNDEFINED || v === null || v === undefined) return "–";
    return Math.floor(v / 10000) + "." + String(v % 10000).padStart(4, "0");
  };

  /** The difference of two display integers (b - a) as signed text, "–" when either is undefined. */
  RG.dispDelta = function (a, b) {
    if (a === RG.UNDEFINED || b === RG.UNDEFINED) return "–";
    const d = b - a;
    if (d === 0) return "±0.0000";
    return (d > 0 ? "+" : "−") + RG.disp(Math.abs(d));
  };

  /** The difference of two scores (b - a) as signed text with 4 decimals. */
  RG.scoreDelta = function (a, b) {
    if (a === null || b === null || Number.isNaN(a) || Number.isNaN(b)) return "–";
    const d = b - a;
    const t = RG.fixed(Math.abs(d), 4);
    if (Number(t) === 0) return "±" + t;
    return (d > 0 ? "+" : "−") + t;
  };

  /**
   * The tone of a signed difference's text, as the B − A matrix colours it: "d-better" (blue) or "d-worse"
   * (red); "" for no change or none. higherIsBetter: true for scores and correct counts, false for errors.
   */
  RG.deltaTone = function (text, higherIsBetter) {
    const up = text.startsWith("+");
    const down = text.startsWith("−");
    if (!up && !down) return "";
    return up === (higherIsBetter !== false) ? "d-better" : "d-worse";
  };

  /** A signed count difference: +3, −2, ±0. */
  RG.intDelta = function (a, b) {
    const d = b - a;
    return d === 0 ? "±0" : (d > 0 ? "+" : "−") + RG.int(Math.abs(d));
  };

  /** A signed score difference with 4 decimals for intervals: +0.0123, −0.0050, 0.0000 (null: a dash). */
  RG.signedFixed = function (v, d) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    const t = RG.fixed(Math.abs(v), d === undefined ? 4 : d);
    if (Number(t) === 0) return t;
    return (v > 0 ? "+" : "−") + t;
  };

  /** The delta matrix's cell text for a count change: +10, −3, 0. Same as reportgen.report.render.delta_text. */
  RG.deltaCount = function (d) {
    return d === 0 ? "0" : (d > 0 ? "+" : "−") + RG.int(Math.abs(d));
  };

  /** The delta matrix's cell text for a change of share (a fraction) in percentage points: +2.5, −0.4, 0.0. */
  RG.deltaShare = function (q) {
    const t = RG.fixed(Math.abs(q * 100), 1);
    return q === 0 ? t : (q > 0 ? "+" : "−") + t;
  };

  /**
   * The spec's hover text of a delta cell: "delta - straight + 10 (2 -> 12)", that is
   * "<predicted> - <ground truth> <sign> <absolute change> (<A's count> -> <B's count>)"; no change is "+ 0".
   * Same as reportgen.report.render.delta_label.
   */
  RG.deltaLabel = function (predicted, truth, a, b) {
    const d = b - a;
    return predicted + " - " + truth + " " + (d < 0 ? "-" : "+") + " " + RG.int(Math.abs(d)) + " (" + RG.int(a) + " -> " + RG.int(b) + ")";
  };

  /** A count with thousands separators: 1,204 (locale-independent). */
  RG.int = function (n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  };

  /** A share as a percentage with 1 decimal. */
  RG.pct = function (num, den) {
    if (!den) return "–";
    return RG.fixed((100 * num) / den, 1) + "%";
  };

  /** A grid value (a threshold preset) with 2 decimals, more if needed to show it exactly. */
  RG.gridText = function (v) {
    for (const d of [2, 3, 4]) {
      const t = RG.fixed(v, d);
      if (Number(t) === v) return t;
    }
    return String(v);
  };

  // ------------------------------------------------------------------------------------------ colours
  /** Sequential palette (light -> dark blue), the same stops as reportgen.report.render.SEQ_STOPS. */
  RG.SEQ = [
    [247, 251, 255], [222, 235, 247], [198, 219, 239], [158, 202, 225], [107, 174, 214],
    [66, 146, 198], [33, 113, 181], [8, 81, 156], [8, 48, 107],
  ];
  /** Diverging palette for signed changes (the B − A matrix): index 0 = strongly worse (red) ... 8 = strongly
   *  better (blue); ColorBrewer RdBu, the same stops as reportgen.report.render.DIV_STOPS. */
  RG.DIV = [
    [178, 24, 43], [214, 96, 77], [244, 165, 130], [253, 219, 199], [247, 247, 247],
    [209, 229, 240], [146, 197, 222], [67, 147, 195], [33, 102, 172],
  ];

  function ramp(stops, x) {
    const v = Math.min(Math.max(x, 0), 1);
    const pos = v * (stops.length - 1);
    const i = Math.min(Math.floor(pos), stops.length - 2);
    const f = pos - i;
    const a = stops[i];
    const b = stops[i + 1];
    let hex = "#";
    for (let j = 0; j < 3; j++) {
      // Math.round = floor(x + 0.5), as reportgen.report.render.seq_colour computes it
      hex += Math.round(a[j] + (b[j] - a[j]) * f).toString(16).padStart(2, "0");
    }
    return hex;
  }
  RG.seqColour = (share) => ramp(RG.SEQ, share);

  /**
   * Whether text on background #rrggbb is white (else black): the one of the two with the higher contrast,
   * which is always at least 4.58:1 (WCAG AA). White wins below a relative luminance of 0.1791 (where
   * 1.05 / (L + 0.05) = (L + 0.05) / 0.05). Same as reportgen.report.render.wants_white.
   */
  RG.wantsWhite = function (hex) {
    const lin = (i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    const lum = 0.2126 * lin(1) + 0.7152 * lin(3) + 0.0722 * lin(5);
    return (lum + 0.05) * (lum + 0.05) < 0.0525;
  };
  /** The diverging palette at x in [-1, 1]: -1 strongly worse (red), 0 neutral, +1 strongly better (blue). */
  RG.divColour = (x) => ramp(RG.DIV, (x + 1) / 2);

  /** Series colours (Okabe-Ito): A blue, B orange. Shapes differ too, so colour is not the only signal. */
  RG.SERIES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"];

  // ------------------------------------------------------------------------------------------ misc
  /** Stable sort of indices by key(i), then by index. */
  RG.sortIndices = function (n, key, desc) {
    const idx = Array.from({ length: n }, (_, i) => i);
    const keys = idx.map(key);
    idx.sort((i, j) => {
      const a = keys[i];
      const b = keys[j];
      const an = a === null || a === undefined || Number.isNaN(a);
      const bn = b === null || b === undefined || Number.isNaN(b);
      if (an || bn) return an === bn ? i - j : an ? 1 : -1; // undefined values last in both directions
      if (a < b) return desc ? 1 : -1;
      if (a > b) return desc ? -1 : 1;
      return i - j;
    });
    return idx;
  };

  /** A button that reacts to click; keyboard activation comes with <button>. */
  RG.button = function (text, props, onClick) {
    const p = Object.assign({ type: "button", class: "btn" }, props || {});
    p.on = Object.assign({}, p.on || {}, { click: onClick });
    return RG.el("button", p, text);
  };

  /** Copy text to the clipboard; falls back to selecting a temporary textarea. Returns a Promise<boolean>. */
  RG.copyText = function (text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(() => true, () => fallbackCopy(text));
    }
    return Promise.resolve(fallbackCopy(text));
  };
  function fallbackCopy(text) {
    const ta = RG.el("textarea", { class: "sr", "aria-hidden": "true" });
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    ta.remove();
    return ok;
  }

  /** YAML for a string: a JSON string is valid YAML and escapes everything. */
  RG.yamlString = (s) => JSON.stringify(String(s));
})();
