"""The HTML edition in a real browser (Playwright driving Debian's chromium): nothing scrolls sideways on a phone,
every text reaches 4.5:1 in both colour schemes, notes open in place on a phone and stand in the margin on a wide
screen (and read without script), the editorial marks differ by shape, the book's face loads, the chart stays
legible, every internal link resolves. Built once per session from the mini fixture and the flagship."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="PyPI playwright is not installed (test extra)")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCHEMES = ("light", "dark")
MIN_CONTRAST = 4.5
MIN_LABEL_PX = 10.0

# Every rendered element with text of its own: its text colour over the backgrounds it stands on, composited.
CONTRAST_JS = r"""
() => {
  const rgba = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat(1); };
  const lum = c => { const ch = c.slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]; };
  const background = el => { const layers = []; for (let n = el; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor); if (c && c[3] > 0) layers.push(c); }
    let bg = [255, 255, 255, 1]; for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg); return bg; };
  const skip = new Set(["SCRIPT", "STYLE", "TEMPLATE", "TITLE", "NOSCRIPT", "HEAD"]);
  const failures = []; let checked = 0;
  for (const el of document.body.querySelectorAll("*")) {
    if (skip.has(el.tagName) || el.closest("svg")) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const st = getComputedStyle(el);
    if (st.visibility !== "visible" || st.display === "none") continue;
    const bg = background(el); const fg = over(rgba(st.color), bg);
    const [a, b] = [lum(fg), lum(bg)]; const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    checked++;
    if (ratio < %MIN%) failures.push({tag: el.tagName, cls: el.className, text: el.textContent.trim().slice(0, 40),
                                      ratio: Math.round(ratio * 100) / 100, color: st.color});
  }
  return {checked, failures};
}
""".replace("%MIN%", str(MIN_CONTRAST))


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", params=["mini", "edition"])
def page_path(request) -> Path:
    dist = request.getfixturevalue("mini_dist" if request.param == "mini" else "edition_dist")
    pages = sorted(dist.glob("*.html"))
    assert len(pages) == 1, pages
    return pages[0]


def open_page(browser, path: Path, viewport: dict, scheme: str = "light", script: bool = True):
    context = browser.new_context(viewport=viewport, color_scheme=scheme, java_script_enabled=script)
    page = context.new_page()
    page.goto(path.as_uri())
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


def visible(page, selector: str) -> bool:
    return page.evaluate(
        "s => { const e = document.querySelector(s); if (!e) return false;"
        " const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0"
        " && getComputedStyle(e).visibility === 'visible'; }",
        selector,
    )


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_nothing_scrolls_sideways(browser, page_path, viewport, scheme):
    page = open_page(browser, page_path, viewport, scheme)
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    wide = page.evaluate("""() => [...document.body.querySelectorAll('*')].filter(e => {
        const r = e.getBoundingClientRect();
        return r.width && r.right > innerWidth + 1 && !e.closest('figure, .table-scroll')
        && getComputedStyle(e).position !== 'fixed'; }).slice(0, 5).map(e => e.tagName + '.' + e.className + ': '
        + e.textContent.slice(0, 50))""")
    page.context.close()
    assert width <= inner, f"page is {width}px wide in a {inner}px window; widest: {wide}"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_every_text_has_contrast(browser, page_path, viewport, scheme):
    page = open_page(browser, page_path, viewport, scheme)
    if viewport is PHONE and page.locator("a[aria-controls]").count():
        page.locator("a[aria-controls]").first.click()  # an opened note is text too
    result = page.evaluate(CONTRAST_JS)
    page.context.close()
    assert result["checked"] > 20
    assert not result["failures"], f"{len(result['failures'])} texts under {MIN_CONTRAST}:1: {result['failures'][:8]}"


def note_pairs(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('.sidenote')].map(s => {
        const ref = s.previousElementSibling; const note = document.getElementById(ref.getAttribute('href').slice(1));
        const text = e => { const c = e.cloneNode(true); c.querySelectorAll('[role=doc-backlink], .sidenote-mark')
            .forEach(x => x.remove()); return c.textContent.replace(/\\s+/g, ' ').trim(); };
        return {sidenote: s.id, ref: ref.id, same: text(s) === text(note) || text(note).startsWith(text(s))}; })""")


def test_every_note_reference_has_its_sidenote(browser, page_path):
    page = open_page(browser, page_path, DESKTOP)
    refs = page.locator('a[role="doc-noteref"]:not(nav a):not([role="doc-endnotes"] a)').count()
    pairs = note_pairs(page)
    page.context.close()
    assert refs > 0 and len(pairs) == refs
    assert all(p["same"] for p in pairs), [p for p in pairs if not p["same"]][:3]


def test_sidenotes_stand_in_the_margin_on_a_wide_screen(browser, page_path):
    for script in (True, False):
        page = open_page(browser, page_path, DESKTOP, script=script)
        boxes = page.evaluate("""() => [...document.querySelectorAll('.sidenote')].slice(0, 5).map(s => {
            const r = s.getBoundingClientRect(), p = s.closest('p, li, dd, h1, h2, h3, figcaption') || document.body;
            return {width: r.width, left: r.left, textRight: p.getBoundingClientRect().right}; })""")
        page.context.close()
        assert boxes, "no sidenotes"
        for box in boxes:
            assert box["width"] > 150, box
            assert box["left"] >= box["textRight"], f"sidenote overlaps the text column: {box}"


def test_a_note_opens_in_place_on_a_phone(browser, page_path):
    page = open_page(browser, page_path, PHONE)
    ref = page.locator("a[aria-controls]").first
    note = "#" + ref.get_attribute("aria-controls")
    assert not visible(page, note), "a sidenote shows on a phone before it is opened"
    assert ref.get_attribute("aria-expanded") == "false"
    ref.click()
    assert visible(page, note), "tapping the reference did not open its note"
    assert ref.get_attribute("aria-expanded") == "true"
    assert page.get_attribute(note, "aria-hidden") == "false"
    assert page.evaluate("location.hash") == "", "the page jumped away instead of opening the note in place"
    ref.click()
    assert not visible(page, note)
    page.context.close()


def test_a_note_reads_without_script_on_a_phone(browser, page_path):
    page = open_page(browser, page_path, PHONE, script=False)
    ref = page.locator('a[role="doc-noteref"]').first
    target = ref.get_attribute("href")
    ref.click()
    assert page.evaluate("location.hash") == target
    top = page.evaluate("s => document.getElementById(s.slice(1)).getBoundingClientRect().top", target)
    # the browser scrolls the target to the top edge, give or take a fraction of a pixel
    assert -1 < top < PHONE["height"] / 2, "the note list entry is not in view after following the reference"
    page.context.close()


def test_note_references_are_24px_targets(browser, page_path):
    page = open_page(browser, page_path, PHONE)
    misses = page.evaluate("""() => [...document.querySelectorAll('a[role="doc-noteref"]')].slice(0, 20).flatMap(a => {
        a.scrollIntoView({block: 'center'}); const r = a.getBoundingClientRect(), x = r.left + r.width / 2,
        y = r.top + r.height / 2;
        return [[-11.5, -11.5], [11.5, -11.5], [-11.5, 11.5], [11.5, 11.5]].filter(([dx, dy]) => {
            const hit = document.elementFromPoint(x + dx, y + dy); return !hit || !(hit === a || a.contains(hit)); })
            .map(d => a.id + ' ' + d); })""")
    page.context.close()
    assert not misses, f"points inside a 23 px square around the reference miss it: {misses[:6]}"


def test_notes_list_has_a_heading_in_the_contents(browser, page_path):
    page = open_page(browser, page_path, DESKTOP)
    heading = page.evaluate("""() => { const s = document.querySelector('[role=doc-endnotes]');
        const h = s && s.querySelector('h1, h2, h3'); const toc = s && document.querySelector(
        'nav[role=doc-toc] a[href="#' + s.id + '"]'); return {heading: h && h.textContent.trim(),
        toc: toc && toc.textContent.trim(), labelled: s && s.getAttribute('aria-labelledby') === (h && h.id)}; }""")
    page.context.close()
    assert heading["heading"], "the notes list has no heading: the build must set the metadata field notes-title"
    assert heading["toc"] == heading["heading"] and heading["labelled"]


def test_editorial_marks_differ_in_shape_not_only_colour(browser, edition_dist):
    """Glossary links, emendation links, page markers and note references each have their own non-colour style."""
    page = open_page(browser, next(edition_dist.glob("*.html")), DESKTOP)
    shapes = page.evaluate("""() => Object.fromEntries(['a.gls', 'a.emendation', 'span.page', 'a.footnote-ref']
        .map(sel => { const e = document.querySelector(sel); if (!e) return [sel, null]; const s = getComputedStyle(e);
        return [sel, [s.textDecorationLine, s.textDecorationStyle, s.borderTopStyle, s.verticalAlign,
                      s.fontSize === getComputedStyle(e.parentElement).fontSize ? 'same size' : 'own size']
                     .join(' ')]; }))""")
    page.context.close()
    assert all(shapes.values()), f"a kind of mark is missing from the page: {shapes}"
    assert len(set(shapes.values())) == len(shapes), f"marks that look alike apart from colour: {shapes}"


def test_every_internal_link_resolves_and_ids_are_unique(browser, page_path):
    page = open_page(browser, page_path, DESKTOP)
    broken = page.evaluate("""() => [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href'))
        .filter(h => !document.getElementById(decodeURIComponent(h.slice(1))))""")
    duplicates = page.evaluate("""() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => {
        seen[e.id] = (seen[e.id] || 0) + 1; }); return Object.keys(seen).filter(k => seen[k] > 1); }""")
    page.context.close()
    assert not broken, f"{len(broken)} links to nowhere: {broken[:8]}"
    assert not duplicates, duplicates[:8]


def test_the_books_face_is_loaded(browser, page_path):
    page = open_page(browser, page_path, DESKTOP)
    loaded = page.evaluate("""() => [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'Libertinus Serif'
        && f.status === 'loaded').map(f => f.style + ' ' + f.weight)""")
    page.context.close()
    assert any(face.startswith("normal 400") for face in loaded), loaded


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_chart_fills_the_column_and_its_labels_stay_legible(browser, page_path, viewport):
    page = open_page(browser, page_path, viewport)
    charts = page.evaluate("""() => [...document.querySelectorAll('figure img')]
        .filter(i => /\\.svg$/.test(i.currentSrc))
        .map(i => ({src: i.currentSrc, width: i.getBoundingClientRect().width,
                    column: i.closest('figure').parentElement.getBoundingClientRect().width}))""")
    page.context.close()
    assert charts, "no SVG chart in the page"
    for chart in charts:
        svg = Path(page_path.parent, re.sub(r"^file://.*?/(media/)", r"\1", chart["src"])).read_text(encoding="utf-8")
        view_width = float(re.search(r'viewBox="[\d.\-]+ [\d.\-]+ ([\d.]+)', svg).group(1))
        smallest = min(float(s) for s in re.findall(r'font-size="([\d.]+)"', svg))
        label_px = smallest * chart["width"] / view_width
        assert label_px >= MIN_LABEL_PX, f"{chart['src']}: smallest label {label_px:.1f}px at {chart['width']:.0f}px"
        if viewport is DESKTOP:
            assert chart["width"] >= chart["column"] - 1, f"chart {chart['width']}px in a {chart['column']}px column"
