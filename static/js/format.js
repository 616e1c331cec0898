/* reportgen report page: how numbers are shown (the display rule, reportgen.display) and small text helpers. */
(function () {
  "use strict";
  const RG = (window.RG = window.RG || {});

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

  RG.UNDEFINED = 65535; // replaced by the payload's constants.undefined when the data loads

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

  // ------------------------------------------------------------------------------------------ sorting
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

  // ------------------------------------------------------------------------------------------ YAML
  /** YAML for a string: a JSON string is valid YAML and escapes everything. */
  RG.yamlString = (s) => JSON.stringify(String(s));
})();
