#!/usr/bin/env python3
"""pandoc filter entry point: Page locators in the language of the cited work: «с. 12» for Russian entries, «p. 12»
for the others.

    pandoc manuscript.md --filter filters/citations.py -o out.html

The filter itself is `editio.filters.citations`; this file only lets pandoc run it (options come from the
document's metadata under the filter's key, data files relative to the working directory)."""

from editio.filters.pandoc_filter import main

if __name__ == "__main__":
    main("citations")
