#!/usr/bin/env python3
"""pandoc filter entry point: Editor's notes: a lettered series, called after an anchor phrase and kept apart from
the author's notes.

    pandoc manuscript.md --filter filters/editorial_notes.py -o out.html

The filter itself is `editio.filters.editorial_notes`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("editorial_notes")
