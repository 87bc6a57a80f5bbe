"""Math: `$…$` and `$$…$$` are math, never raw TeX, in safe mode; typst math with the TeX source as alt text
(PDF/UA-1 refuses an equation without it), numbered displays, MathML in HTML and EPUB."""

from __future__ import annotations

import pytest
from helpers import prepare, render

from editio.errors import EditionError

EN = {"lang": "en"}
TEXT = (
    "Inline $a^2 + b^2 = c^2$ and a display:\n\n$$ \\sum_{i=1}^n i = \\frac{n(n+1)}{2} $$ {#eq:sum}\n\nSee @eq:sum.\n"
)


def test_math_is_not_raw_tex_in_safe_mode():
    edition = prepare(TEXT, EN)  # would raise SAF001 if math were taken for raw TeX
    assert edition.loaded.ctx.log.items == []


def test_raw_tex_is_still_refused():
    with pytest.raises(EditionError) as caught:
        prepare("Text.\n\n\\newpage\n", EN)
    assert [(d.code, d.line) for d in caught.value.diagnostics] == [("SAF001", 3)]


def test_typst_equations_carry_their_tex_as_alt_text():
    typst = render(prepare(TEXT, EN), "typst")
    assert '#[#set math.equation(alt: "a^2 + b^2 = c^2"); $a^2 + b^2 = c^2$]' in typst
    assert '#[#set math.equation(alt: "\\\\sum_{i=1}^n i = \\\\frac{n(n+1)}{2}", numbering: _ => "(1)"); ' in typst
    assert "<eq:sum>]" in typst


def test_typst_output_passes_pdf_ua_1():
    """The lowered equations compile under PDF/UA-1; the same body without the alt text does not."""
    import typst

    body = render(prepare(TEXT, EN), "typst")
    head = '#set document(title: "Math")\n#set text(lang: "en")\n'
    typst.compile((head + body).encode(), pdf_standards=["ua-1"], ignore_system_fonts=True, font_paths=[])
    bare = body.replace('#[#set math.equation(alt: "a^2 + b^2 = c^2"); ', "#[")
    with pytest.raises(Exception, match="alt"):
        typst.compile((head + bare).encode(), pdf_standards=["ua-1"], ignore_system_fonts=True, font_paths=[])


def test_mathml_in_html_and_epub_writers():
    from editio.build import lowered
    from editio.load.pandoc import write

    edition = prepare(TEXT, EN)
    for fmt in ("html", "epub"):
        page = write(lowered(edition, fmt), "html5", ["--mathml", "--wrap=none"], what="test")
        assert '<math display="inline"' in page and '<math display="block"' in page
        assert '<span class="equation-number">(1)</span>' in page
        assert 'id="eq:sum" class="equation"' in page


def test_unlabelled_display_is_not_numbered():
    typst = render(prepare("$$ x = 1 $$\n", EN), "typst")
    assert "numbering" not in typst
