"""docs/messages.md is what the catalogues say now (the page the I18N001/I18N003 messages send an editor to)."""

from __future__ import annotations

from pathlib import Path

from editio.i18n import load_file
from editio.i18n.docs import page

ROOT = Path(__file__).resolve().parent.parent


def test_messages_page_is_up_to_date():
    written = (ROOT / "docs" / "messages.md").read_text(encoding="utf-8")
    assert written == page(), "docs/messages.md is stale: python -m editio.i18n.docs --write docs/messages.md"


def test_messages_page_names_every_key():
    text = page()
    english = load_file("en")
    assert all(f"| `{key}` |" in text for key in [*english.messages, *english.plurals])
