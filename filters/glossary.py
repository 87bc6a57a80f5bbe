#!/usr/bin/env python3
"""pandoc filter entry point: Glossary: link the terms of the text to their entries and fill the ``.glossary`` Div
with the entries.

    pandoc manuscript.md --filter filters/glossary.py -o out.html

The filter itself is `editio.filters.glossary`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("glossary")
