#!/usr/bin/env python3
"""pandoc filter entry point: Faction chart: each ``::: faction-chart`` Div becomes a numbered figure of the
organisations on a time axis

    pandoc manuscript.md --filter filters/faction_chart.py -o out.html

The filter itself is `editio.filters.faction_chart`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("faction_chart")
