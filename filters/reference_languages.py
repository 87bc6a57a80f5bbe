#!/usr/bin/env python3
"""pandoc filter entry point: The language of each cited work, so screen readers and hyphenation treat foreign
titles right.

    pandoc manuscript.md --filter filters/reference_languages.py -o out.html

The filter itself is `editio.filters.reference_languages`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("reference_languages")
