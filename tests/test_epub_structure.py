"""The EPUB a good reader expects: pop-up notes with numbers and back-links, the full front matter, dc:rights,
front/body/back matter, EPUB Indexes semantics; small books for each post-processor, the flagship once."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from editio.i18n import catalogue
from editio.writers.epub_frontmatter import labels, package_metadata
from editio.writers.epub_index import add_index_semantics
from editio.writers.epub_matter import add_matter
from editio.writers.epub_notes import add_note_semantics
from editio.writers.epub_xhtml import EPUB_TYPE, Book, classes, epub_types, local, text_of

# --- tiny books ----------------------------------------------------------------------------------------------

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" '
    'xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">\n<head><title>t</title></head>\n'
)


def tiny_epub(bodies: dict[str, str]) -> bytes:
    """A minimal EPUB with one content document per entry of ``bodies`` (file name → body element)."""
    items = "".join(
        f'<item id="d{i}" href="text/{n}" media-type="application/xhtml+xml" />' for i, n in enumerate(bodies)
    )
    spine = "".join(f'<itemref idref="d{i}" />' for i in range(len(bodies)))
    opf = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        f"<metadata/><manifest>{items}</manifest><spine>{spine}</spine></package>"
    )
    container = (
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:'
        'container"><rootfiles><rootfile full-path="EPUB/content.opf" '
        'media-type="application/oebps-package+xml"/></rootfiles></container>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", container)
        archive.writestr("EPUB/content.opf", opf)
        for name, body in bodies.items():
            archive.writestr(f"EPUB/text/{name}", HEAD + body + "\n</html>\n")
    return buffer.getvalue()


def docs(epub: bytes) -> Book:
    return Book(epub)


def test_author_note_gets_number_and_backlink():
    book = docs(
        add_note_semantics(
            tiny_epub(
                {
                    "a.xhtml": (
                        '<body epub:type="bodymatter"><section><p>Text'
                        '<a href="#fn1" id="fnref1" epub:type="noteref">1</a>.</p></section>'
                        '<section epub:type="footnotes"><aside epub:type="footnote" id="fn1"><p>The note.</p></aside>'
                        "</section></body>"
                    )
                }
            ),
            "back",
        )
    )
    note = book.document("EPUB/text/a.xhtml").by_id()["fn1"]
    assert note.get("role") == "doc-footnote"
    first = note.find("p")[0]
    assert (local(first), first.get("role"), first.get("href"), first.text) == ("a", "doc-backlink", "#fnref1", "1")
    assert text_of(note.find("p")) == "1 The note."


def test_editor_note_div_becomes_footnote_with_one_backlink_across_files():
    book = docs(
        add_note_semantics(
            tiny_epub(
                {
                    "a.xhtml": (
                        '<body epub:type="bodymatter"><p>Name<a href="b.xhtml#ed-x" id="ed-ref-x" class="ednote-ref" '
                        'role="doc-noteref"><sup>б</sup></a> said.</p></body>'
                    ),
                    "b.xhtml": (
                        '<body epub:type="bodymatter"><section><div id="ed-x" class="ednote"><p><strong>б)</strong> '
                        'Who he was. <a href="a.xhtml#ed-ref-x" role="doc-backlink">↩︎</a></p></div></section></body>'
                    ),
                }
            )
        )
    )
    reference = book.document("EPUB/text/a.xhtml").by_id()["ed-ref-x"]
    assert "noteref" in epub_types(reference) and len(reference) == 0 and reference.text == "б"
    note = book.document("EPUB/text/b.xhtml").by_id()["ed-x"]
    assert local(note) == "aside" and epub_types(note) == ["footnote"] and note.get("role") == "doc-footnote"
    backlinks = [a for a in note.iter("a") if a.get("role") == "doc-backlink"]
    assert [(a.get("href"), a.text) for a in backlinks] == [("a.xhtml#ed-ref-x", "б")]
    assert text_of(note.find("p")) == "б Who he was."


def test_reference_to_a_missing_note_is_a_bug():
    with pytest.raises(ValueError, match="missing note"):
        add_note_semantics(tiny_epub({"a.xhtml": '<body><p>x<a href="#nope" epub:type="noteref">1</a></p></body>'}))


INDEX = (
    '<body epub:type="backmatter"><section id="names"><h1>Names</h1>'
    '<section class="name-index" epub:type="index" role="doc-index"><section epub:type="index-group"><h2>L</h2>'
    '<ul epub:type="index-entry-list"><li epub:type="index-entry" id="person-lora">'
    '<span epub:type="index-term">Lora G.</span> — <a href="a.xhtml#n1" epub:type="index-locator">12</a></li>'
    "</ul></section></section></section></body>"
)


def test_documents_holding_an_index_are_declared_in_the_package_once():
    epub = add_index_semantics(
        tiny_epub({"a.xhtml": '<body><p id="n1">a</p><p id="n2">b</p></body>', "idx.xhtml": INDEX})
    )
    book = docs(epub)
    package = book.files[book.opf].decode()
    assert re.search(r'href="text/idx.xhtml"[^>]*properties="index"', package)
    assert not re.search(r'href="text/a.xhtml"[^>]*properties=', package)
    assert add_index_semantics(epub) == epub  # declared once
    plain = tiny_epub({"a.xhtml": '<body><p id="n1">a</p></body>'})
    assert add_index_semantics(plain) == plain


def test_matter_front_body_back_and_section_types_by_id():
    epub = add_matter(
        tiny_epub(
            {
                "pre.xhtml": '<body epub:type="bodymatter"><section id="preface"><h1>P</h1></section></body>',
                "text.xhtml": '<body epub:type="bodymatter"><section id="article"><h1>T</h1></section></body>',
                "gl.xhtml": (
                    '<body epub:type="bodymatter"><section id="g"><h1>G</h1><div class="glossary"/></section></body>'
                ),
                "late.xhtml": '<body epub:type="bodymatter"><section id="late"><h1>L</h1></section></body>',
            }
        )
    )
    book = docs(epub)
    kinds = [epub_types(book.document(n).body) for n in book.spine]
    assert kinds == [["frontmatter"], ["bodymatter"], ["backmatter"], ["backmatter"]]
    assert epub_types(book.document(book.spine[0]).by_id()["preface"]) == ["preface"]


def test_package_metadata_adds_rights_from_licence_text_and_keeps_the_input():
    ast = {
        "meta": {
            "licence-text": {
                "t": "MetaInlines",
                "c": [{"t": "Str", "c": "CC"}, {"t": "Space"}, {"t": "Str", "c": "BY"}],
            }
        },
        "blocks": [],
    }
    assert package_metadata(ast)["meta"]["rights"] == {"t": "MetaString", "c": "CC BY"}
    assert "rights" not in ast["meta"]


def test_labels_come_from_the_catalogue_with_the_editions_overrides():
    for lang in ("ru", "en", "de", "es", "fr"):
        texts = labels(catalogue(lang))
        assert texts["abstract"] == catalogue(lang).text("abstract-title")
        assert all(texts[key] and texts[key] != key for key in texts), texts
    assert labels(catalogue("ru", {"cite-as-title": "Ссылка"}))["cite-as"] == "Ссылка"


# --- the flagship EPUB, built and checked once --------------------------------------------------------------


@pytest.fixture(scope="module")
def edition_epub(edition_dist: Path) -> Path:
    (epub,) = edition_dist.glob("*.epub")
    return epub


@pytest.fixture(scope="module")
def edition(edition_epub: Path) -> Book:
    return Book(edition_epub.read_bytes())


# epubcheck 5 (Java): no error and no warning for the books of the session, all checked in one JVM
# (conftest.epubcheck_reports); the flagship with its index checks.


def test_edition_passes_epubcheck_with_index_checks(epubcheck_reports):
    assert epubcheck_reports["edition"] == []


def test_mini_epub_passes_epubcheck(epubcheck_reports):
    assert epubcheck_reports["mini"] == []


def test_epubcheck_finds_a_broken_book(epubcheck_reports):
    """The harness itself: a book with a dangling link must not pass."""
    assert epubcheck_reports["broken"] != []


def _references(book: Book):
    for name in book.spine:
        for element in book.document(name).root.iter("a"):
            if "noteref" in epub_types(element):
                yield name, element


def test_every_note_reference_pops_up_a_numbered_footnote_that_links_back(edition: Book):
    references = list(_references(edition))
    kinds = {c for _, r in references for c in classes(r)}
    assert {"footnote-ref", "ednote-ref"} <= kinds, kinds  # both the author's and the editor's notes
    seen = set()
    for name, reference in references:
        assert reference.get("role") == "doc-noteref" and len(reference) == 0 and reference.text.strip()
        note_doc, note_id = edition.resolve(name, reference.get("href"))
        note = edition.document(note_doc).by_id().get(note_id)
        assert note is not None, reference.get("href")
        assert local(note) == "aside" and "footnote" in epub_types(note) and note.get("role") == "doc-footnote"
        backlinks = [a for a in note.iter("a") if a.get("role") == "doc-backlink"]
        assert len(backlinks) == 1, note_id
        assert backlinks[0].text == reference.text  # the note shows the call's number or letter
        assert edition.resolve(note_doc, backlinks[0].get("href")) == (name, reference.get("id"))
        seen.add((note_doc, note_id))
    asides = [
        (n, e.get("id"))
        for n in edition.spine
        for e in edition.document(n).root.iter("aside")
        if "footnote" in epub_types(e)
    ]
    assert sorted(asides) == sorted(seen)  # no note without its call


def test_title_page_has_the_front_matter_the_metadata_holds(edition: Book):
    meta = yaml.safe_load((ROOT / "manuscript" / "edition.yaml").read_text(encoding="utf-8"))
    (title_page,) = [
        n for n in edition.spine if any("titlepage" in epub_types(e) for e in edition.document(n).body.iter("section"))
    ]
    root = edition.document(title_page).root
    assert epub_types(edition.document(title_page).body) == ["frontmatter"]
    text = " ".join(text_of(root).split())
    abstracts = [e for e in root.iter("section") if "abstract" in epub_types(e)]
    assert [a.get("role") for a in abstracts] == ["doc-abstract", "doc-abstract"]
    assert abstracts[1].get("lang") == "en"
    for key in ("keywords", "keywords-en"):
        for word in meta[key]:
            assert word.replace("\u00a0", " ") in text.replace("\u00a0", " "), (key, word)
    for key in ("edition-statement", "cite-as", "abstract-en"):
        start = " ".join(meta[key].split()[:3])
        assert start in text.replace("\u00a0", " "), key
    headings = [text_of(h) for h in root.iter("h2")]
    assert labels(catalogue(meta["lang"]))["keywords"] in text and "Keywords:" in text
    assert not {"abstract", "keywords", "cite-as"} & set(headings), headings


def test_package_has_rights_and_the_body_is_split_into_matters(edition: Book):
    package = edition.files[edition.opf].decode()
    rights = re.search(r"<dc:rights>([^<]+)</dc:rights>", package)
    assert rights and len(rights.group(1)) > 20
    by_section = {}
    for name in edition.spine:
        body = edition.document(name).body
        for section in body.iter("section"):
            for mark in [section.get("id"), *classes(section), *[c for child in section for c in classes(child)]]:
                by_section.setdefault(mark, epub_types(body))
    assert by_section["preface"] == ["frontmatter"]
    assert by_section["article"] == ["bodymatter"]
    for mark in ("glossary", "name-index", "bibliography", "chronology", "emendations", "colophon", "editorial-notes"):
        assert by_section[mark] == ["backmatter"], mark


def test_name_index_has_epub_indexes_semantics(edition: Book):
    holders = [
        n for n in edition.spine if any("index" in epub_types(e) for e in edition.document(n).root.iter("section"))
    ]
    assert len(holders) == 1
    (name,) = holders
    assert re.search(
        rf'href="{re.escape(name.split("/", 1)[1])}"[^>]*properties="[^"]*\bindex\b',
        edition.files[edition.opf].decode(),
    )
    root = edition.document(name).root
    entries = [e for e in root.iter("li") if "index-entry" in epub_types(e)]
    assert len(entries) > 10
    for entry in entries:
        own_terms = [e for e in entry if "index-term" in epub_types(e)]
        assert len(own_terms) == 1 and text_of(own_terms[0]).strip()
        for locator in (a for a in entry.iter("a") if "index-locator" in epub_types(a)):
            target_doc, fragment = edition.resolve(name, locator.get("href"))
            assert fragment in edition.document(target_doc).by_id(), locator.get("href")
    assert any(e.get(EPUB_TYPE) == "index-group" for e in root.iter("section"))


def test_stylesheet_declares_the_epub_namespace_before_using_it():
    css = re.sub(
        r"/\*.*?\*/", "", (ROOT / "src" / "editio" / "templates" / "epub.css").read_text(encoding="utf-8"), flags=re.S
    )
    namespace = css.find('@namespace epub "http://www.idpf.org/2007/ops"')
    assert namespace != -1 and namespace < css.find("epub|type")


def test_book_face_is_embedded_with_its_licence(edition: Book):
    """Libertinus Serif travels in the EPUB as in the HTML edition: every @font-face URL of the stylesheet is a
    manifest item of type font/woff2, and the SIL OFL text is beside the fonts."""
    package = edition.files[edition.opf].decode()
    (css_name,) = [n for n in edition.files if n.endswith(".css")]
    css = edition.files[css_name].decode()
    urls = re.findall(r'url\("([^"]+\.woff2)"\)', css)
    assert len(urls) == 3 and '"Libertinus Serif", serif' in css
    for url in urls:
        name = edition.resolve(css_name, url)[0]
        assert name in edition.files, url
        href = name.split("/", 1)[1]
        assert re.search(rf'href="{re.escape(href)}" media-type="font/woff2"', package), href
    assert "SIL OPEN FONT LICENSE" in edition.files["EPUB/fonts/OFL.txt"].decode().upper()
    assert 'href="fonts/OFL.txt" media-type="text/plain"' in package
