"""Page locators in the language of the cited work: «с. 12» for Russian entries, «p. 12» for the others.

Runs before citeproc. The manuscript writes every locator in English form (`[@key, p. 12]`); citeproc
parses a locator only when its label is a term of the document's locale. For each citation this filter looks
up the entry's `langid` in the bibliography and
- for an entry in a *parsed* language (by default the document's own), rewrites a leading `p.`, `pp.`, `P.`
  or `Pp.` to the locale's page term, so citeproc parses the locator and the CSL style prints it with the
  locale's label («Щелчков, 2016, с. 280–305»);
- for any other entry, keeps the locator a literal suffix with the English label, `pp.` shortened to `p.`
  and the author's capital kept («John, 2016, p. 187–188»): CSL 1.0 cannot pick a term by an entry's
  language, and the style prints the suffix right where the locator goes.
A citation whose key is not in the bibliography, or whose entry has no `langid`, is left as written.

Options (edition.yaml key ``citations``): ``parsed-languages`` (languages whose locators citeproc should
parse, as biblatex names or BCP 47 codes; default the document's ``lang``); ``page-term`` (the page term of
the document's locale; default the catalogue's ``page-abbrev``). No marks: it edits citation suffixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..bibliography import language_code
from .base import Filter

# A leading English page label: "p. 12", "pp. 12–14", "P.\u00a012", "p.12".
_PAGE_LABEL = re.compile(r"^(p|pp|P|Pp|PP)\.(?=[\s\u00a0]|\d|$)")


@dataclass(frozen=True)
class Options:
    parsed_languages: tuple[str, ...] | None = None
    page_term: str | None = None


def locator_label(label: str, to_parsed: bool, page_term: str | None) -> str:
    """The label an English page label (`p.`, `pp.`, `P.` …) becomes for one citation."""
    if to_parsed and page_term:
        return page_term
    return "P." if label[0] == "P" else "p."


def rewrite_suffix(suffix: list[dict], to_parsed: bool, page_term: str | None) -> bool:
    """Rewrite the leading page label of a citation suffix in place; True when something changed.

    The suffix starts with an optional "," and space (as pandoc reads `[@key, p. 12]`), then the label,
    either as its own Str or joined to the number by a non-breaking space (`p.\u00a012`).
    """
    index = 0
    while index < len(suffix) and (
        suffix[index]["t"] == "Space" or (suffix[index]["t"] == "Str" and suffix[index]["c"] == ",")
    ):
        index += 1
    if index >= len(suffix) or suffix[index]["t"] != "Str":
        return False
    whole = suffix[index]["c"]
    text = whole[1:] if whole.startswith(",") else whole  # ",p. 12" read as one token
    if not text:
        return False
    match = _PAGE_LABEL.match(text)
    if not match:
        return False
    label = match.group(0)
    new_label = locator_label(label, to_parsed, page_term)
    if new_label == label:
        return False
    suffix[index]["c"] = whole[: len(whole) - len(text)] + new_label + text[len(label) :]
    return True


class Citations(Filter):
    name = "citations"
    key = "citations"
    Options = Options
    before = ("citeproc",)

    def prepare(self, doc: dict) -> None:
        ctx = self.ctx
        own = language_code(ctx.lang) or ""
        parsed = self.options.parsed_languages if self.options.parsed_languages is not None else (own,)
        self.parsed = frozenset(filter(None, (language_code(p) for p in parsed)))
        self.page_term = self.options.page_term if self.options.page_term is not None else ctx.text("page-abbrev")
        self.languages = {
            key: code for key, entry in ctx.bibliography.items() if (code := language_code(entry.fields.get("langid")))
        }

    def hooks(self):
        return {"Cite": self.localise} if self.languages else {}

    def localise(self, node: dict, _path: list) -> None:
        for citation in node["c"][0]:
            language = self.languages.get(citation["citationId"])
            if language is not None:
                rewrite_suffix(citation["citationSuffix"], language in self.parsed, self.page_term)


FILTER = Citations
