"""The report: its model (every number the page shows), the payload that encodes it, examples and thumbnails,
the static chart, the HTML render, and the build that runs them in order."""
