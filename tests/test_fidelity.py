"""The built EPUB and PDF keep the author's text: ≥ 99.5 % of the body's words, every note's prose, and every
difference is a listed emendation or a documented normalisation."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pypdf
import pytest
import yaml
from conftest import ROOT
from fidelity import apply_emendations, compare, normalise, split_seed

SEED = ROOT.parent / "shared" / "seed" / "000_a974b76ebbe85e66.txt"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
pytestmark = pytest.mark.skipif(not SEED.is_file(), reason="the seed text (shared/seed) is not beside the repo")


def _normalisations(body: bool = False) -> list[tuple[str, str]]:
    """Seed → edition replacements the preface documents (mixed scripts), taken from normalisations.yaml.
    Page abbreviations («Р.», «C.», marked «page» in the source description) belong to the notes only."""
    data = yaml.safe_load((ROOT / "manuscript" / "normalisations.yaml").read_text(encoding="utf-8"))
    pairs = []
    for item in data:
        source, _, description = str(item["source"]).partition(" (")
        if item.get("kind") not in ("abbreviation", "mixed-script") or (body and "page" in description):
            continue
        pairs.append((source, str(item["edition"])))
    return pairs


def _emendations() -> list[dict]:
    return yaml.safe_load((ROOT / "manuscript" / "emendations.yaml").read_text(encoding="utf-8"))


def _text(element: ET.Element) -> str:
    return "".join(element.itertext())


def _remove_keeping_tail(parent: ET.Element, child: ET.Element) -> None:
    """Drop an element but keep the text that follows it."""
    siblings = list(parent)
    index = siblings.index(child)
    if child.tail:
        if index > 0:
            siblings[index - 1].tail = (siblings[index - 1].tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def _epub_parts(epub: Path) -> tuple[str, dict[int, str]]:
    """Body text (note calls, page markers removed) and the author's notes by number, from the EPUB."""
    body, notes = [], {}
    with zipfile.ZipFile(epub) as z:
        names = sorted(n for n in z.namelist() if n.startswith("EPUB/text/ch") and n.endswith(".xhtml"))
        for name in names:
            root = ET.fromstring(z.read(name))
            labels = {}
            for parent in list(root.iter()):
                for child in list(parent):
                    kind = child.get(EPUB_TYPE, "")
                    classes = child.get("class", "").split()
                    if kind == "noteref":
                        labels[child.get("href", "").lstrip("#")] = _text(child).strip()
                        _remove_keeping_tail(parent, child)
                    elif (
                        "page" in classes
                        or kind == "pagebreak"
                        or "ednote-ref" in classes
                        or ("emendation" in classes and _text(child).strip() == "*")
                        or "note-label" in classes
                    ):
                        # the editorial layer: page markers, editor's note calls, emendation marks, and a note's
                        # number at its start (the link back to its call)
                        _remove_keeping_tail(parent, child)
            for aside in root.iter("{http://www.w3.org/1999/xhtml}aside"):
                label = labels.get(aside.get("id", ""), "")
                if label.isdigit():
                    citations = 0
                    for parent in list(aside.iter()):
                        for child in list(parent):
                            if "citation" in child.get("class", "").split():
                                citations += 1
                                _remove_keeping_tail(parent, child)
                    notes[int(label)] = (_text(aside), citations)
            for section in root.iter("{http://www.w3.org/1999/xhtml}section"):
                if "footnotes" in section.get("class", ""):
                    section.clear()
            body.append(_text(root))
    return "\n".join(body), notes


@pytest.fixture(scope="module")
def seed():
    return split_seed(apply_emendations(SEED.read_text(encoding="utf-8"), _emendations()))


def _body_words(text: str, strip_calls: bool = False) -> list[str]:
    words = normalise(text, strip_calls=strip_calls)
    start = words.index("важнейшим")
    end = len(words) - words[::-1].index("троцкиствующей") + 1
    return words[start:end]


def _explained(source: str, edition: str, emendations: list[dict]) -> bool:
    for item in emendations:
        src = " ".join(normalise(str(item["source"]), strip_calls=False))
        ed = " ".join(normalise(str(item["edition"]), strip_calls=False))
        if src and src in source or ed and ed in edition and (not source or src in source or not src):
            return True
    return False


def test_epub_keeps_the_body(edition_dist: Path, seed):
    (epub,) = edition_dist.glob("*.epub")
    body, _ = _epub_parts(epub)
    result = compare(normalise(seed.body, _normalisations(body=True)), _body_words(body))
    unexplained = [d for d in result.differences if not _explained(*d, _emendations())]
    report = "\n".join(f"  seed «{a}» → edition «{b}»" for a, b in result.differences)
    print(f"body kept: {result.kept:.4%}; differences: {len(result.differences)}\n{report}")
    assert result.kept >= 0.995, report
    assert not unexplained, "differences that are neither emendations nor normalisations:\n" + "\n".join(
        f"  seed «{a}» → edition «{b}»" for a, b in unexplained
    )


def test_epub_keeps_every_notes_prose(edition_dist: Path, seed):
    """Each note's own words are kept; what the seed has beyond them must be a short citation that the edition
    renders as a citation (at most one dropped run per citation), or a listed emendation."""
    (epub,) = edition_dist.glob("*.epub")
    _, notes = _epub_parts(epub)
    assert sorted(notes) == list(range(1, 80)), "the EPUB must carry notes 1–79"
    assert "отсутствует" in notes[79][0]
    problems = []
    for number, text in seed.notes.items():
        prose, citations = notes[number]
        result = compare(normalise(text, _normalisations()), normalise(prose))
        added = [d for d in result.differences if d[1] and not _explained(*d, _emendations())]
        dropped = [d for d in result.differences if not d[1] and not _explained(*d, _emendations())]
        if added or len(dropped) > citations:
            problems.append(f"note {number}: {citations} citation(s); differences {result.differences}")
    assert not problems, "\n".join(problems)


def test_pdf_keeps_the_body(edition_dist: Path, seed):
    (pdf,) = edition_dist.glob("*.pdf")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    text = re.sub(r"[\u00ad-]\n", "", text).replace("\u00ad", "")  # typst's hyphenation at line ends
    text = re.sub(r"\|?\s*с\.\s?\d{3}\s*", " ", text)  # the reconstructed page numbers in the margin
    seed_words = normalise(seed.body, _normalisations(body=True))
    result = compare(seed_words, _body_words(text, strip_calls=True))
    # The PDF interleaves footnotes, running heads and page markers with the body: those are insertions,
    # so the measure is the share of the seed's words found in order.
    print(f"PDF body kept: {result.kept:.4%}")
    assert result.kept >= 0.995
