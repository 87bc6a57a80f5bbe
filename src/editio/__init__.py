"""editio: a reproducible pipeline that builds an annotated scholarly edition (PDF, EPUB, HTML) from pandoc Markdown."""

__version__ = "0.1.0"
