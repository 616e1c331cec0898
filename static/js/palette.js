/* reportgen report page: colour palettes (colour-blind safe), as reportgen.report.render has them. */
(function () {
  "use strict";
  const RG = (window.RG = window.RG || {});

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

})();
