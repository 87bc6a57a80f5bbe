#!/usr/bin/env python3
"""pandoc filter entry point: Colophon: fills the Div ``.colophon`` with what this build was made from and how to
check it.

    pandoc manuscript.md --filter filters/colophon.py -o out.html

The filter itself is `editio.filters.colophon`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("colophon")
