/* reportgen report page: the namespace object window.RG and the DOM helpers every file builds the page with.
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

  // ------------------------------------------------------------------------------------------ controls
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

})();
