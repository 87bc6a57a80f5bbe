"""The HTML writer's finishing steps on small pages: sidenotes copied beside their references, the notes list headed,
moved after the text that calls it and listed in the contents, charts with a narrow drawing, tables in scroll boxes."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from editio.writers.html import chart_pictures, reading_edition, scroll_tables
from editio.writers.html_notes import add_sidenotes, parse, place_endnotes, sidenote_body

PAGE = """<!DOCTYPE html>
<html lang="xx"><body>
<nav id="TOC" role="doc-toc"><ul>
<li><a href="#intro" id="toc-intro">Intro</a></li>
<li><a href="#text" id="toc-text">Text</a><ul><li><a href="#sub" id="toc-sub">Sub</a></li></ul></li>
<li><a href="#index" id="toc-index">Index</a></li>
</ul></nav>
<section id="intro" class="level1"><h1>Intro</h1><p>No notes here.</p></section>
<section id="text" class="level1"><h1>Text</h1>
<p>One<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a> and
<a href="#ed-a" id="ed-ref-a" class="ednote-ref" role="doc-noteref"><sup>a</sup></a> and
two<a href="#fn2" class="footnote-ref" id="fnref2" role="doc-noteref"><sup>2</sup></a>.</p>
<section id="sub" class="level2"><h2>Sub</h2>
<p>Three<a href="#fn3" class="footnote-ref" id="fnref3" role="doc-noteref"><sup>3</sup></a>.</p></section>
</section>
<section id="index" class="level1"><h1>Index</h1>
<div id="ed-a" class="ednote"><p><strong>a)</strong> Editor &amp; <span id="name-x-1">X</span>.
<a href="#ed-ref-a" role="doc-backlink">↩︎</a></p></div>
</section>
<template id="editio-notes-title">Notes &amp; <em>comments</em></template>
<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes">
<hr />
<ol>
<li id="fn1"><p>First <a href="https://example.org/a/very/long/address" class="uri">link</a> with
<span id="name-y-1" class="name-ref">Y</span>.<a href="#fnref1" class="footnote-back"
 role="doc-backlink">↩︎</a></p></li>
<li id="fn2"><p>Para one.</p><p>Para two.<a href="#fnref2" class="footnote-back" role="doc-backlink">↩︎</a></p></li>
<li id="fn3"><ul><li>a list</li></ul><a href="#fnref3" class="footnote-back" role="doc-backlink">↩︎</a></li>
</ol>
</section>
</body></html>
"""


def ids(page: str) -> Counter:
    return Counter(node.attrs["id"] for node in parse(page).elements if "id" in node.attrs)


def test_parse_finds_each_element_with_its_extent():
    tree = parse(PAGE)
    by_id = {n.attrs["id"]: n for n in tree.elements if "id" in n.attrs}
    fn2 = by_id["fn2"]
    assert PAGE[fn2.start : fn2.end].startswith('<li id="fn2">') and PAGE[fn2.start : fn2.end].endswith("</li>")
    assert (
        PAGE[fn2.inner_start : fn2.inner_end] == "<p>Para one.</p><p>Para two."
        '<a href="#fnref2" class="footnote-back" role="doc-backlink">↩︎</a></p>'
    )
    assert by_id["sub"].parent is by_id["text"]


def test_sidenote_body_is_phrasing_without_ids_back_link_or_tab_stops():
    body = sidenote_body(
        '<p>First <a href="#x" id="a1">x</a> <span id="s">Y</span>.'
        '<a href="#fnref1" role="doc-backlink">↩︎</a></p><p>Two &amp; &lt;three&gt;</p>'
    )
    assert body == (
        '<span class="sidenote-para">First <a href="#x" tabindex="-1">x</a> <span>Y</span>.</span>'
        '<span class="sidenote-para">Two &amp; &lt;three&gt;</span>'
    )


def test_a_note_holding_blocks_gets_no_sidenote():
    assert sidenote_body("<ul><li>a list</li></ul>") is None


def test_each_called_note_is_copied_after_its_reference():
    page = add_sidenotes(PAGE)
    assert ids(page).most_common(1)[0][1] == 1, "an id was copied"
    first = re.search(r'role="doc-noteref"><sup>1</sup></a>(<span class="sidenote[^"]*" id="sn-fn1"[^>]*>)', page)
    assert first and 'aria-hidden="true"' in first.group(1) and "sidenote-footnote-ref" in first.group(1)
    assert '<span class="sidenote-mark">1</span> <span class="sidenote-para">First' in page
    # the editor's note already begins with its mark: no second one
    editor = page[page.index('id="sn-ed-a"') :]
    assert editor.split("</span>", 1)[0].endswith("<strong>a)</strong> Editor &amp; <span>X")
    assert 'id="sn-fn2"' in page and 'id="sn-fn3"' not in page  # fn3 holds a list
    # the notes themselves are untouched
    assert page[page.index('<section id="footnotes"') :] == PAGE[PAGE.index('<section id="footnotes"') :]


def test_sidenote_ids_do_not_collide_with_existing_ones():
    page = add_sidenotes(PAGE.replace("<p>No notes here.</p>", '<p id="sn-fn1">No notes here.</p>'))
    assert 'id="sn-fn1-2"' in page and ids(page)["sn-fn1"] == 1


def test_notes_list_gets_its_heading_place_and_contents_entry():
    page = place_endnotes(PAGE)
    assert "editio-notes-title" not in page
    notes = page.index('<section id="footnotes"')
    # right after the section that calls the last note, before the next one
    assert page.index('<section id="text"') < notes < page.index('<section id="index"')
    assert page.count('<section id="footnotes"') == 1
    opening = page[notes : page.index("<ol>", notes)]
    assert '<h1 id="footnotes-title" class="notes-title">Notes &amp; <em>comments</em></h1>' in opening
    assert 'aria-labelledby="footnotes-title"' in opening and "<hr" not in opening
    toc = page[page.index("<nav") : page.index("</nav>")]
    assert re.search(
        r'href="#text".*?</ul></li>\n<li><a href="#footnotes" id="toc-footnotes">Notes &amp; comments</a>'
        r'</li>\n<li><a href="#index"',
        toc,
        re.S,
    )


def test_without_a_title_the_list_moves_but_gets_no_heading():
    untitled = PAGE.replace('<template id="editio-notes-title">Notes &amp; <em>comments</em></template>', "")
    page = place_endnotes(untitled)
    assert "notes-title" not in page and "toc-footnotes" not in page
    assert page.index('<section id="text"') < page.index('<section id="footnotes"') < page.index('<section id="index"')


def test_a_page_without_notes_is_unchanged():
    plain = "<html><body><section id='a' class='level1'><h1>A</h1><p>x</p></section></body></html>"
    assert place_endnotes(plain) == plain and add_sidenotes(plain) == plain


def test_chart_with_a_narrow_drawing_becomes_a_picture(tmp_path: Path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "chart-narrow.svg").write_text("<svg/>")
    page = '<figure><img src="media/chart-wide.svg" alt="A" /></figure><img src="media/other-wide.svg" alt="B" />'
    out = chart_pictures(page, tmp_path)
    assert out.startswith(
        '<figure><picture><source media="(max-width: 40em)" srcset="media/chart-narrow.svg" '
        'type="image/svg+xml" /><img src="media/chart-wide.svg" alt="A" /></picture></figure>'
    )
    assert out.endswith('<img src="media/other-wide.svg" alt="B" />')
    assert chart_pictures(out, tmp_path) == out


def test_outer_tables_scroll_in_their_own_box():
    page = "<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>\n<table></table>"
    out = scroll_tables(page)
    assert out.count('<div class="table-scroll" tabindex="0">') == 2
    assert out.startswith('<div class="table-scroll" tabindex="0"><table><tr><td><table>')
    assert scroll_tables(out) == out


def test_reading_edition_keeps_ids_unique_and_links_resolving(tmp_path: Path):
    page = reading_edition(PAGE, tmp_path)
    counts = ids(page)
    assert max(counts.values()) == 1
    for href in re.findall(r'href="#([^"]+)"', page):
        assert href in counts, href
