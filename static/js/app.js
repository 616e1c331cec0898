/* reportgen report page: start-up and the rendering loop.
 * Decodes the data, builds the header controls, swaps the static (no-JavaScript) view for the interactive
 * one and re-renders the current tab on every state change. The state is mirrored into location.hash
 * (replaceState for adjustments, pushState for navigation), and a changed hash is read back. */
(function () {
  "use strict";
  const RG = window.RG;

  class App {
    constructor(data) {
      this.data = data;
      this.state = RG.parseHash(location.hash, data);
      this.transient = {}; // view-only flags ("show all" lists) that do not belong in a link
      this.renders = 0;
      this.lastHash = null;
      this.hashTimer = 0;
      this.hashPending = false;
    }

    start() {
      this.root = document.getElementById("app");
      this.controls = new RG.Controls(document.getElementById("controls"), this.data, this);
      window.addEventListener("hashchange", () => this.fromHash());
      window.addEventListener("popstate", () => this.fromHash());
      document.getElementById("static-view").hidden = true;
      this.root.hidden = false;
      this.root.setAttribute("role", "tabpanel");
      this.lastHash = location.hash.replace(/^#/, "");
      this.render();
    }

    /** Make `host` (the Metrics tab prepared out of sight, RG.Metrics.prepare) the view element #app in the
     *  place of the current one, keeping its nodes, styles and layout. */
    adoptRoot(host) {
      const old = this.root;
      old.id = "";
      old.remove();
      host.classList.remove("app-prep");
      host.style.width = "";
      host.id = "app";
      host.setAttribute("role", "tabpanel");
      this.root = host;
    }

    fromHash() {
      const h = location.hash.replace(/^#/, "");
      clearTimeout(this.hashTimer);
      this.hashPending = false;
      this.hashPush = false;
      if (h === this.lastHash) return;
      this.lastHash = h;
      this.state = RG.parseHash(h, this.data);
      this.transient = {};
      this.root.dataset.view = "";
      this.render();
    }

    /** Apply a change of state, re-render, and mirror the state into the URL. */
    update(patch, opts) {
      const push = !!(opts && opts.push);
      // a navigation whose URL is not written yet (see below) keeps its own history entry
      if (push && this.hashPush) this.writeHash(true);
      const st = Object.assign(this.state, patch);
      if (st.b === st.a) st.b = -1;
      if (st.b < 0) {
        st.mx = "a";
        st.same = true;
      }
      if (st.same) {
        st.ub = st.ua;
        st.tb = st.ta;
      }
      if (st.filt !== "cell") st.cell = null;
      this.transient = {};
      this.render();
      // history updates are slow IPC: a navigation is written once this task is done (its repaint does not wait on
      // it), an adjustment once it settles (a slider sends many); a navigation still pending makes the write a push
      if (push) this.hashPush = true;
      clearTimeout(this.hashTimer);
      this.hashPending = true;
      this.hashTimer = setTimeout(() => this.writeHash(false), push ? 0 : 120);
    }

    /** Mirror the state into location.hash: pushState for navigation, replaceState for adjustments. */
    writeHash(push) {
      push = push || this.hashPush;
      this.hashPush = false;
      clearTimeout(this.hashTimer);
      this.hashPending = false;
      const h = RG.stateHash(this.state, this.data);
      if (h === this.lastHash) return;
      this.lastHash = h;
      const url = h ? "#" + h : location.pathname + location.search;
      try {
        if (push) history.pushState(null, "", url);
        else history.replaceState(null, "", url);
      } catch (e) {
        // some browsers refuse history changes on file:// pages; the hash then follows on the next navigation
      }
    }

    render() {
      const t0 = performance.now();
      const st = this.state;
      const active = document.activeElement;
      const focusId = active && active.id && this.root.contains(active) ? active.id : null;
      let range = null;
      try {
        if (active && typeof active.selectionStart === "number") range = [active.selectionStart, active.selectionEnd];
      } catch (e) {
        range = null;
      }
      this.controls.sync(st);
      // each view marks root.dataset.view with what it built, and reuses its frame while that stays
      (st.tab === "details" ? RG.Details : st.tab === "metrics" ? RG.Metrics : RG.Scenarios).render(this.root, this);
      this.root.setAttribute("aria-labelledby", st.tab === "metrics" ? "tab-metrics" : "tab-scenarios");
      // focus follows the control's id: its node may be new, or a patched table row may now hold another one
      if (focusId && (!this.root.contains(active) || active.id !== focusId)) {
        const node = document.getElementById(focusId);
        if (node) {
          node.focus({ preventScroll: true });
          if (range) {
            try {
              node.setSelectionRange(range[0], range[1]);
            } catch (e) {
              // not a text input
            }
          }
        }
      }
      this.renders += 1;
      RG.lastRenderMs = performance.now() - t0;
      if (st.b >= 0 && !this.prefetched && this.data.hasCompare) {
        // B is chosen: decode the comparison data once the page is idle after this paint (a slice per task, so
        // the page stays responsive meanwhile), so the Metrics tab finds it ready
        this.prefetched = true;
        const later = window.requestIdleCallback || ((f) => setTimeout(f, 50));
        later(() => this.data.prefetch(RG.COMPARE_BLOBS), { timeout: 500 });
      }
      document.documentElement.dataset.renders = String(this.renders);
      if (st.tab !== "metrics") this.warmMetrics();
    }

    /**
     * Prepare the Metrics tab in idle time (RG.Metrics.prepare), a part per idle period, once per mode (one
     * inference set, or A and B once the comparison data is decoded), so its first visit is no slower than a
     * later one. It runs only while the page is idle and stops once the reader is on the Metrics tab.
     */
    warmMetrics() {
      const mode = this.state.b >= 0 ? "compare" : "one";
      if (!this.warmed) this.warmed = {};
      if (this.warmed[mode] || this.warmPending || !window.requestIdleCallback) return;
      this.warmPending = true;
      // each part of the tab (What flipped only with B), each followed by its layout
      const steps = RG.Metrics.PART_ORDER.filter((p) => p !== "flips" || mode === "compare").flatMap((p) => [p, "layout"]);
      const next = (deadline) => {
        const st = this.state;
        const now = st.b >= 0 ? "compare" : "one";
        if (st.tab === "metrics" || now !== mode) {
          this.warmPending = false;
          if (st.tab !== "metrics") this.warmMetrics();
          return;
        }
        const waiting = mode === "compare" && this.data.hasCompare && !RG.COMPARE_BLOBS.every((n) => this.data.b[n]);
        if (deadline.timeRemaining() < 20 || waiting) {
          requestIdleCallback(next, { timeout: 3000 }); // busy, or the comparison data is still being decoded
          return;
        }
        RG.Metrics.prepare(this, steps.shift());
        if (steps.length) requestIdleCallback(next, { timeout: 3000 });
        else {
          this.warmPending = false;
          this.warmed[mode] = true;
        }
      };
      requestIdleCallback(next, { timeout: 3000 });
    }
  }

  RG.App = App;

  /** Resolves once every blob decoding under way has finished and the repaint it asked for is done, and so is
   *  the repaint of the parts below the screen (RG.Metrics.renderBelow); tests and the benchmark wait on it, the
   *  page does not need it. */
  RG.idle = async function () {
    const data = RG.app && RG.app.data;
    if (!data) return;
    const all = () => (data._pending ? Array.from(data._pending.values()) : []).concat(data._exPromise ? [data._exPromise] : [])
      .concat(RG.Metrics.belowDone ? [RG.Metrics.belowDone] : []);
    for (;;) {
      const now = all();
      await Promise.allSettled(now);
      await new Promise((resolve) => setTimeout(resolve, 0));
      const later = all();
      if (later.length === now.length && later.every((p, i) => p === now[i])) return;
    }
  };

  async function boot() {
    const t0 = performance.now();
    try {
      const data = await RG.loadData();
      const app = new App(data);
      RG.app = app;
      app.start();
      RG.bootMs = performance.now() - t0;
      RG.readyAt = performance.now(); // since the navigation started
      document.documentElement.dataset.ready = "1";
      // the examples are only needed once a cell or filter is picked: decode them after the first paint
      setTimeout(() => data.loadExamples().then(() => { document.documentElement.dataset.examples = "1"; }, (err) => console.error(err)), 0);
    } catch (err) {
      const view = document.getElementById("static-view");
      if (view) {
        view.hidden = false;
        view.prepend(RG.el("p", { class: "error-box", role: "alert", text: "The interactive view could not start (" + (err && err.message ? err.message : err) + "); this is the default view." }));
      }
      document.documentElement.dataset.ready = "error";
      console.error(err);
    }
  }

  boot();
})();
