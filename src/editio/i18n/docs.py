"""The page `docs/messages.md`, generated from the catalogues: every message key with its fields and its text in
each language, and how an edition overrides one. ``python -m editio.i18n.docs --write docs/messages.md``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import FALLBACK, available_languages, fields_of, load_file

HEAD = """# Messages

Every word editio prints itself (headings, labels, the colophon, the EPUB's landmarks, the PDF's interface words)
comes from the message catalogue of the document's `lang`: `src/editio/i18n/<lang>.yaml`. A language without a
catalogue uses the nearest one (`pt-BR` → `pt` → `en`). An edition overrides any message in `edition.yaml`:

```yaml
messages:
  toc-title: "Table of Contents"
  notes.one: "{n} endnote"        # a plural form: key.category (the categories of the language's plural rule)
```

An override must name a key below (else I18N001) and may use only the fields the key has (else I18N003).
This page is generated: `python -m editio.i18n.docs --write docs/messages.md`.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip() or "—"


def page() -> str:
    languages = [FALLBACK, *[lang for lang in available_languages() if lang != FALLBACK]]
    files = {lang: load_file(lang) for lang in languages}
    base = files[FALLBACK]
    lines = [
        HEAD,
        "## Messages",
        "",
        "| key | fields | " + " | ".join(languages) + " |",
        "|---|---|" + "---|" * len(languages),
    ]
    for key in sorted(base.messages):
        fields = ", ".join(f"`{{{f}}}`" for f in sorted(fields_of(base.messages[key])))
        texts = [_cell(files[lang].messages.get(key, "")) for lang in languages]
        lines.append(f"| `{key}` | {fields or '—'} | " + " | ".join(texts) + " |")
    lines += [
        "",
        "## Plurals",
        "",
        "Each language gives the forms of its plural rule "
        "(" + ", ".join(f"{lang}: `{files[lang].plural_rule}`" for lang in languages) + "); `{n}` is the number.",
        "",
        "| key | " + " | ".join(languages) + " |",
        "|---|" + "---|" * len(languages),
    ]
    for key in sorted(base.plurals):
        cells = [
            "<br>".join(f"{category}: {_cell(form)}" for category, form in files[lang].plurals.get(key, {}).items())
            for lang in languages
        ]
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m editio.i18n.docs", description=__doc__)
    parser.add_argument("--write", type=Path, help="write the page here (else print it)")
    args = parser.parse_args(argv)
    text = page()
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
