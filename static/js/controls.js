/* reportgen report page: header controls (inference sets A / B, swap, confidence and IoU sliders, "same
 * settings for A and B") and the tabs. Built once; sync() puts the state into them without rebuilding, so a
 * slider keeps its focus while it is dragged. */
(function () {
  "use strict";
  const RG = window.RG;
  const el = RG.el;

  function slider(id, label, grid, onInput) {
    const input = el("input", {
      type: "range", id: id, min: 0, max: grid.length - 1, step: 1, value: 0,
      on: { input: () => onInput(Number(input.value)) },
    });
    const out = el("output", { for: id, "aria-hidden": "true" });
    const box = el("div", { class: "slider" }, el("label", { for: id, text: label }), el("div", { class: "row" }, input, out));
    return {
      box: box,
      set(i) {
        if (Number(input.value) !== i) input.value = String(i);
        const text = RG.gridText(grid[i]);
        out.textContent = text;
        input.setAttribute("aria-valuetext", text);
      },
    };
  }

  function modelOptions(names, withNone) {
    const opts = [];
    if (withNone) opts.push(el("option", { value: "-1", text: "none" }));
    names.forEach((n, i) => opts.push(el("option", { value: String(i), text: n })));
    return opts;
  }

  RG.Controls = class {
    constructor(root, data, app) {
      this.data = data;
      this.app = app;
      const grids = data.P.grids;
      const detection = data.task === "detection" && data.U > 1;
      const set = (patch) => app.update(patch);

      this.selA = el("select", { id: "model-a", on: { change: () => this.pickA(Number(this.selA.value)) } },
        modelOptions(data.models, false));
      this.selB = el("select", { id: "model-b", on: { change: () => this.pickB(Number(this.selB.value)) } },
        modelOptions(data.models, true));
      this.swap = RG.button("⇄ Swap", { id: "swap", title: "Swap A and B", "aria-label": "Swap inference sets A and B" },
        () => {
          const st = app.state;
          if (st.b < 0) return;
          set({ a: st.b, b: st.a, ua: st.ub, ta: st.tb, ub: st.ua, tb: st.ta });
        });
      const models = el("div", { class: "model-pick" },
        el("div", { class: "control" },
          el("label", { for: "model-a" }, el("span", { class: "swatch swatch-a", "aria-hidden": "true" }), "Inference set A (baseline)"),
          this.selA),
        el("div", { class: "control" },
          el("label", { for: "model-b" }, el("span", { class: "swatch swatch-b", "aria-hidden": "true" }), "B (candidate)"),
          this.selB),
        this.swap);

      this.confA = slider("conf-a", "Confidence", grids.confidence, (i) => set(this.samePatch({ ta: i })));
      this.iouA = slider("iou-a", "IoU", grids.iou, (i) => set(this.samePatch({ ua: i })));
      this.confB = slider("conf-b", "Confidence", grids.confidence, (i) => set({ tb: i }));
      this.iouB = slider("iou-b", "IoU", grids.iou, (i) => set({ ub: i }));
      if (!detection) {
        this.iouA.box.hidden = true;
        this.iouB.box.hidden = true;
      }
      this.whoA = el("span", { class: "who" });
      this.whoB = el("span", { class: "who" });
      this.groupA = el("div", { class: "preset-group", role: "group", "aria-label": "Presets of A" }, this.whoA, this.confA.box, this.iouA.box);
      this.groupB = el("div", { class: "preset-group", role: "group", "aria-label": "Presets of B" }, this.whoB, this.confB.box, this.iouB.box);
      this.same = el("input", {
        type: "checkbox", id: "same-presets", checked: true,
        on: { change: () => {
          const st = app.state;
          set(this.same.checked ? { same: true, ub: st.ua, tb: st.ta } : { same: false, ub: st.ua, tb: st.ta });
        } },
      });
      this.sameBox = el("label", { class: "check", for: "same-presets" }, this.same, "same settings for A and B");
      const presets = el("div", { class: "presets" }, this.groupA, this.sameBox, this.groupB);

      this.tabs = {};
      const tabList = el("div", { class: "tabs", role: "tablist", "aria-label": "Views" });
      for (const [key, label] of [["scenarios", "Scenarios"], ["metrics", "Metrics"]]) {
        const b = el("button", {
          type: "button", role: "tab", class: "tab", id: "tab-" + key, "aria-controls": "app",
          on: { click: () => app.update({ tab: key }, { push: true }), keydown: (e) => this.tabKey(e) },
        }, label);
        this.tabs[key] = b;
        tabList.appendChild(b);
      }
      RG.fill(root, models, presets);
      root.after(tabList);
      this.tabList = tabList;
      root.hidden = false;
    }

    tabKey(e) {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      const next = this.app.state.tab === "metrics" ? "scenarios" : "metrics";
      this.app.update({ tab: next }, { push: true });
      this.tabs[next].focus();
      e.preventDefault();
    }

    /** While "same settings" is on, a change of A's preset is B's too. */
    samePatch(patch) {
      const st = this.app.state;
      if (st.same) {
        if ("ta" in patch) patch.tb = patch.ta;
        if ("ua" in patch) patch.ub = patch.ua;
      }
      return patch;
    }

    pickA(m) {
      const st = this.app.state;
      const patch = { a: m };
      if (m === st.b) patch.b = st.a; // picking B's set as A swaps them
      this.app.update(patch);
    }

    pickB(m) {
      const st = this.app.state;
      if (m === st.a) {
        this.app.update({ a: st.b >= 0 ? st.b : st.a, b: st.b >= 0 ? st.a : -1 });
        return;
      }
      const patch = { b: m };
      if (m < 0) Object.assign(patch, { mx: "a", same: true, ub: st.ua, tb: st.ta });
      this.app.update(patch);
    }

    sync(st) {
      this.selA.value = String(st.a);
      this.selB.value = String(st.b);
      // a select cuts a long name: its hover text is the whole name
      this.selA.title = this.data.models[st.a];
      this.selB.title = st.b >= 0 ? this.data.models[st.b] : "none";
      this.swap.disabled = st.b < 0;
      this.confA.set(st.ta);
      this.iouA.set(st.ua);
      this.confB.set(st.tb);
      this.iouB.set(st.ub);
      const compare = st.b >= 0;
      this.same.checked = st.same;
      this.sameBox.hidden = !compare;
      this.groupB.hidden = !compare || st.same;
      this.whoA.textContent = compare && !st.same ? "A" : "";
      this.whoA.hidden = !(compare && !st.same);
      this.whoB.textContent = "B";
      this.groupA.setAttribute("aria-label", compare && st.same ? "Presets of A and B" : "Presets of A");
      const tab = st.tab === "details" ? "scenarios" : st.tab;
      for (const key of Object.keys(this.tabs)) {
        const on = key === tab;
        this.tabs[key].setAttribute("aria-selected", on ? "true" : "false");
        this.tabs[key].tabIndex = on ? 0 : -1;
      }
    }
  };
})();
