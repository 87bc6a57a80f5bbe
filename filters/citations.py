#!/usr/bin/env python3
"""Page locators in the language of the cited work: «с. 12» for Russian entries, «p. 12» for the others.

Runs before pandoc's citeproc. The manuscript writes every locator in English form (`[@key, p. 12]`);
citeproc parses a locator only when its label is a term of the document's locale, so in a `lang: ru`
document «p.» stays a literal suffix. For each citation this filter looks up the entry's `langid` in the
bibliography and
- for an entry in a *parsed* language (by default the document's own), rewrites a leading `p.`, `pp.`,
  `P.` or `Pp.` to the locale's page term (`с.`), so citeproc parses the locator and the CSL style prints
  it with the locale's label («Щелчков, 2016, с. 280–305»);
- for any other entry, keeps the locator a literal suffix with the English label, `pp.` shortened to
  `p.` and the author's capital kept («John, 2016, p. 187–188»). A literal suffix is the robust choice:
  CSL 1.0 cannot pick a term by an entry's language (that needs CSL-M), and the style prints the suffix
  right after the locator position, so the note reads the same. Should the document's locale know «p.»
  (an English document), citeproc parses it and the style prints the same «p.».
A citation whose key is not in the bibliography, or whose entry has no `langid`, is left as written
(the build reports unknown keys before the filters run).

Metadata read:
``bibliography``
    The .bib file (a string, or a list whose items are all read), relative to ``manuscript-dir`` when that
    key is present, else to the working directory. Without it the filter changes nothing and warns.
``citations`` (optional map, removed from the output)
    ``parsed-languages``: languages whose locators citeproc should parse, as biblatex names or BCP 47
    codes (default: the document's ``lang``); ``page-term``: the page term of the document's locale
    (default from ``lang``: ``с.`` for ru and uk, ``p.`` for en, es, fr, ``S.`` for de).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import panflute as pf

from editio.bibliography import language_code, read_languages
from editio.errors import EditionError, error
from editio.filterkit import run_filter

NBSP = "\u00a0"

# The short `page` term of the CSL locales pandoc ships, for the document languages we expect.
PAGE_TERMS = {"ru": "с.", "uk": "с.", "en": "p.", "es": "p.", "fr": "p.", "de": "S."}

# A leading English page label: "p. 12", "pp. 12–14", "P.\u00a012", "p.12".
_PAGE_LABEL = re.compile(r"^(p|pp|P|Pp|PP)\.(?=[\s\u00a0]|\d|$)")


@dataclass(frozen=True)
class Config:
    """What the filter needs: each cited key's language and which languages get a parsed locator."""

    languages: dict[str, str]          # citation key → primary language subtag ("ru", "es" …)
    parsed_languages: frozenset[str]   # entries in these languages get the locale's page term
    page_term: str | None              # the document locale's page term, None when unknown


def locator_label(label: str, to_parsed: bool, page_term: str | None) -> str:
    """The label an English page label (`p.`, `pp.`, `P.` …) becomes for one citation."""
    if to_parsed and page_term:
        return page_term
    return "P." if label[0] == "P" else "p."


def rewrite_suffix(suffix: list, to_parsed: bool, page_term: str | None) -> bool:
    """Rewrite the leading page label of a citation suffix in place; True when something changed.

    The suffix starts with an optional "," and space (as pandoc reads `[@key, p. 12]`), then the label,
    either as its own Str or joined to the number by a non-breaking space (`p.\u00a012`).
    """
    index = 0
    while index < len(suffix) and (isinstance(suffix[index], pf.Space)
                                   or (isinstance(suffix[index], pf.Str) and suffix[index].text == ",")):
        index += 1
    if index >= len(suffix) or not isinstance(suffix[index], pf.Str):
        return False
    text = suffix[index].text
    if text.startswith(","):  # ",p. 12" read as one token
        text = text[1:]
        if not text:
            return False
    match = _PAGE_LABEL.match(text)
    if not match:
        return False
    label = match.group(0)
    new_label = locator_label(label, to_parsed, page_term)
    if new_label == label:
        return False
    prefix = suffix[index].text[: len(suffix[index].text) - len(text)]
    suffix[index].text = prefix + new_label + text[len(label):]
    return True


def configure(doc: pf.Doc) -> Config:
    """Read the bibliography's languages and the ``citations`` options; remove ``citations``."""
    options = doc.get_metadata("citations", default={})
    if "citations" in doc.metadata.content:
        del doc.metadata["citations"]
    if not isinstance(options, dict):
        raise error("CIT001", f"metadata key 'citations' must be a map, not {type(options).__name__}; "
                              "write e.g. 'citations: {parsed-languages: [ru]}'")
    doc_lang = language_code(doc.get_metadata("lang", default=None) or "") or ""
    parsed = options.get("parsed-languages", [doc_lang] if doc_lang else [])
    if isinstance(parsed, str):
        parsed = [parsed]
    page_term = options.get("page-term", PAGE_TERMS.get(doc_lang))
    problems = []
    if not isinstance(parsed, list) or not all(isinstance(p, str) for p in parsed):
        problems.append(f"'citations.parsed-languages' must be a list of language names or codes, not {parsed!r}")
        parsed = []
    if page_term is not None and (not isinstance(page_term, str) or not page_term.strip()):
        problems.append(f"'citations.page-term' must be a page term like \"с.\", not {page_term!r}")
        page_term = None
    if problems:
        raise EditionError([error("CIT001", p).diagnostics[0] for p in problems])

    bibliography = doc.get_metadata("bibliography", default=None)
    if isinstance(bibliography, str):
        bibliography = [bibliography]
    languages: dict[str, str] = {}
    if not bibliography:
        print("warning CIT002: no `bibliography` in the metadata; citation locators left as written",
              file=sys.stderr)
    else:
        base = Path(doc.get_metadata("manuscript-dir", default=None) or ".")
        paths = [base / str(p) for p in bibliography]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise error("CIT003", f"bibliography file {missing[0]} not found; check `bibliography` "
                                  "(relative to the manuscript folder)")
        languages = read_languages(paths)
    return Config(languages=languages,
                  parsed_languages=frozenset(filter(None, (language_code(p) for p in parsed))),
                  page_term=page_term)


def localise_locators(elem, doc):
    """Give each citation's page locator the label of its entry's language."""
    if not isinstance(elem, pf.Cite):
        return None
    config: Config = doc.citations_config
    for citation in elem.citations:
        language = config.languages.get(citation.id)
        if language is None:
            continue
        rewrite_suffix(citation.suffix, language in config.parsed_languages, config.page_term)
    return None


def prepare(doc: pf.Doc) -> None:
    doc.citations_config = configure(doc)


def main(doc=None):
    """Run as a pandoc JSON filter, or in-process on ``doc``."""
    return run_filter(localise_locators, prepare=prepare, doc=doc)


if __name__ == "__main__":
    main()
