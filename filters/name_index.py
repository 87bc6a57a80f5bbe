#!/usr/bin/env python3
"""pandoc filter entry point: Index of names: marks every occurrence of every person's forms in the text and fills
the ``.name-index`` Div.

    pandoc manuscript.md --filter filters/name_index.py -o out.html

The filter itself is `editio.filters.name_index`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("name_index")
