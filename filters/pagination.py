#!/usr/bin/env python3
"""pandoc filter entry point: Original pagination: checks the page-start spans ``[]{.page n=N}`` and gives each its
label.

    pandoc manuscript.md --filter filters/pagination.py -o out.html

The filter itself is `editio.filters.pagination`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("pagination")
