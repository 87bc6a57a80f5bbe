#!/usr/bin/env python3
"""pandoc filter entry point: Emendation apparatus: each corrected reading ``[…]{.emendation key=ID}`` is marked and
all are listed.

    pandoc manuscript.md --filter filters/emendations.py -o out.html

The filter itself is `editio.filters.emendations`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("emendations")
