#!/usr/bin/env python3
"""pandoc filter entry point: Numbered cross-references to figures, tables, equations and sections, in
pandoc-crossref's syntax

    pandoc manuscript.md --filter filters/crossref.py -o out.html

The filter itself is `editio.filters.crossref`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("crossref")
