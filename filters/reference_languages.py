#!/usr/bin/env python3
"""Mark the language of each cited work, so screen readers and hyphenation treat foreign titles right.

Runs after pandoc's citeproc. Each bibliography entry (the Div `ref-<key>` citeproc writes) and each rendered
citation of a single work whose `langid` differs from the document's language gets a `lang` attribute
(WCAG 2 success criterion 3.1.2, language of parts). In HTML and EPUB that is `lang`/`xml:lang`; in the PDF a
Div becomes a typst block with `text(lang: …)`, which also hyphenates the entry in its own language.

Metadata read: ``bibliography`` (the .bib file(s), relative to ``manuscript-dir`` when present) and ``lang``.
Nothing to configure; without a bibliography the filter changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import panflute as pf

from editio.bibliography import language_code, read_languages
from editio.filterkit import run_filter


@dataclass(frozen=True)
class Config:
    """Each cited key's language subtag, and the document's own language (left unmarked)."""

    languages: dict[str, str]
    own: str


def bibliography_languages(doc: pf.Doc) -> dict[str, str]:
    """Each cited key's language subtag, from the bibliography the document names."""
    files = doc.get_metadata("bibliography", default=None)
    if not files:
        return {}
    files = [files] if isinstance(files, str) else list(files)
    base = Path(doc.get_metadata("manuscript-dir", default=None) or ".")
    # citeproc's --bibliography (relative to the working directory) replaces the metadata value it was given
    paths = [Path(str(f)) if Path(str(f)).is_file() else base / str(f) for f in files]
    return read_languages([p for p in paths if p.is_file()])


def cite_language(cite: pf.Cite, languages: dict[str, str]) -> str | None:
    """The language of a citation when all the works it cites share one."""
    found = {languages.get(c.id) for c in cite.citations}
    return found.pop() if len(found) == 1 else None


def mark_language(elem, doc):
    """panflute action: a `lang` on foreign bibliography entries and on citations of foreign works."""
    languages, own = doc.reference_languages.languages, doc.reference_languages.own
    if isinstance(elem, pf.Div) and elem.identifier.startswith("ref-"):
        lang = languages.get(elem.identifier[len("ref-"):])
        if lang and lang != own and "lang" not in elem.attributes:
            elem.attributes["lang"] = lang
    elif isinstance(elem, pf.Cite) and elem.content:
        lang = cite_language(elem, languages)
        if lang and lang != own:
            elem.content = [pf.Span(*elem.content, attributes={"lang": lang})]
    return None


def configure(doc: pf.Doc) -> Config:
    """The bibliography's languages and the document's; the filter has no options of its own."""
    return Config(bibliography_languages(doc), language_code(doc.get_metadata("lang", default="") or "") or "")


def prepare(doc: pf.Doc) -> None:
    doc.reference_languages = configure(doc)


def finalize(doc: pf.Doc) -> None:
    del doc.reference_languages


def main(doc=None):
    """Run as a pandoc JSON filter, or in-process on ``doc``."""
    return run_filter(mark_language, prepare=prepare, finalize=finalize, doc=doc)


if __name__ == "__main__":
    main()
