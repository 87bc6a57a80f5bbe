#!/usr/bin/env python3
"""pandoc filter entry point: Chronology: anchors each event of the data file at the phrase of the text that tells
it and lists the events

    pandoc manuscript.md --filter filters/chronology.py -o out.html

The filter itself is `editio.filters.chronology`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("chronology")
