"""Writers turn the filtered pandoc AST into artefacts: typst→PDF, EPUB 3, HTML5."""
