#!/usr/bin/env python3
"""pandoc filter entry point: Typography in the language of the text: quote marks, apostrophes, dashes and no-break
spaces.

    pandoc manuscript.md --filter filters/typography.py -o out.html

The filter itself is `editio.filters.typography`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("typography")
