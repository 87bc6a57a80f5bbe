#!/usr/bin/env python3
"""Replace each `::: faction-chart` Div with the faction chart: a numbered figure (SVG) and a text alternative.

Metadata (one key, removed from the output)::

    faction-chart:
      data: factions.yaml        # path relative to metadata `manuscript-dir`, else the working directory
      media-dir: build/media     # where the SVG files are written (created if missing)
      media-prefix: media/       # optional: how the output refers to that folder; else `media-prefix` at the
                                 # top level of the metadata; else the media-dir path as given

The Div's content is the caption; it becomes «Рис. N. caption», N counting the document's figures in order.
Per-element option: `layout=wide|narrow` (default wide). For typst the figure is raw typst (pandoc's typst
writer drops alt text); for other formats a pandoc Figure with an Image carrying the alt text. After the figure
comes a Div `.chart-alt` with a short paragraph and a bullet list of the same data, one item per organisation.
Data errors (FAC001…) stop the filter: in-process they raise EditionError, as a pandoc filter they are printed
and the exit status is 1.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import panflute as pf

from editio.chart import (LAYOUTS, ORGANISATIONS, RELATIONS, faction_chart_svg, faction_chart_table,
                          plural_ru)
from editio.config import data_file
from editio.errors import error
from editio.factions import FactionData, load_factions
from editio.filterkit import run_filter

META_KEY = "faction-chart"
# panflute 2.3 predates pandoc's typst writer and rejects RawInline(format="typst") unless told about it
pf.elements.RAW_FORMATS.add("typst")


@dataclass(frozen=True)
class Config:
    data: Path
    data_display: str
    media_dir: Path
    media_prefix: str | None


def _meta_str(value: object, key: str) -> str:
    if isinstance(value, str):
        return value
    raise error("FAC020", f"metadata {META_KEY}.{key} must be a string, not {type(value).__name__}")


def configure(doc: pf.Doc) -> Config:
    """Read `faction-chart` from the metadata (then remove it) into a Config, with defaults and type checks."""
    raw = doc.get_metadata(META_KEY, default=None)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise error("FAC020", f"metadata {META_KEY} must be a mapping with data, media-dir; "
                    f"got {type(raw).__name__}")
    unknown = sorted(set(raw) - {"data", "media-dir", "media-prefix"})
    if unknown:
        raise error("FAC020", f"metadata {META_KEY}: unknown key(s) {', '.join(unknown)}; "
                    "allowed: data, media-dir, media-prefix")
    data = _meta_str(raw.get("data", "factions.yaml"), "data")
    path, display = data_file(doc, data, "faction-chart.data")
    media_dir = Path(_meta_str(raw.get("media-dir", doc.get_metadata("media-dir", default="build/media")), "media-dir"))
    prefix = raw.get("media-prefix", doc.get_metadata("media-prefix", default=None))
    if prefix is not None:
        prefix = _meta_str(prefix, "media-prefix")
    if META_KEY in doc.metadata.content:
        del doc.metadata[META_KEY]
    return Config(path, display, media_dir, prefix)


# ---- pure helpers ----------------------------------------------------------------------------------------

def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def alt_text(data: FactionData) -> str:
    return (f"Схема: {plural_ru(len(data.organisations), ORGANISATIONS)} на временной оси и "
            f"{plural_ru(len(data.relations), RELATIONS)} между ними; те же данные приведены текстом ниже.")


def text_alternative(data: FactionData, number: int) -> pf.Div:
    """A Div.chart-alt: a sentence and one bullet per organisation (name, years, relations in words)."""
    items = []
    for row in faction_chart_table(data):
        words = [pf.Strong(*_inlines(row.name))]
        if row.original:
            words += [pf.Space(), pf.Str("("), pf.Emph(*_inlines(row.original)), pf.Str("),")]
        else:
            words.append(pf.Str(","))
        words += [pf.Space(), *_inlines(row.years + ("." if not row.relations else ";"))]
        if row.relations:
            words += [pf.Space(), *_inlines("; ".join(row.relations) + ".")]
        items.append(pf.ListItem(pf.Plain(*words)))
    intro = pf.Para(*_inlines(f"Текстовая версия рис. {number}: организации в порядке полос схемы, "
                              "годы существования и связи."))
    return pf.Div(intro, pf.BulletList(*items), classes=["chart-alt"])


def _inlines(text: str) -> list[pf.Inline]:
    out: list[pf.Inline] = []
    for i, word in enumerate(text.split(" ")):
        if i:
            out.append(pf.Space())
        if word:
            out.append(pf.Str(word))
    return out


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def figure_blocks(fmt: str, src: str, alt: str, caption: list[pf.Inline], number: int,
                  ident: str) -> list[pf.Block]:
    """The figure for one output format: raw typst for typst, else a pandoc Figure with an Image."""
    label = [pf.Str("Рис."), pf.Space(), pf.Str(f"{number}."), pf.Space()]
    if fmt == "typst":
        head = (f"#figure(image({_typst_string(src)}, alt: {_typst_string(alt)}, width: 100%), "
                "numbering: none, caption: [")
        tail = f"]) <{ident}>"
        return [pf.Plain(pf.RawInline(head, format="typst"), *label, *caption, pf.RawInline(tail, format="typst"))]
    image = pf.Image(*_inlines(alt), url=src, title="")
    return [pf.Figure(pf.Plain(image), caption=pf.Caption(pf.Plain(*label, *caption)), identifier=ident)]


# ---- the action --------------------------------------------------------------------------------------------

def prepare(doc: pf.Doc) -> None:
    doc.faction_chart_config = configure(doc)
    doc.faction_chart_data = None
    doc.faction_chart_figures = 0


def _data(doc: pf.Doc) -> FactionData:
    if doc.faction_chart_data is None:
        cfg = doc.faction_chart_config
        doc.faction_chart_data = load_factions(cfg.data, display=cfg.data_display)
    return doc.faction_chart_data


def action(elem: pf.Element, doc: pf.Doc):
    if isinstance(elem, pf.Figure):
        doc.faction_chart_figures += 1
        return None
    if not (isinstance(elem, pf.Div) and "faction-chart" in elem.classes):
        return None
    cfg: Config = doc.faction_chart_config
    data = _data(doc)
    variant = elem.attributes.get("layout", "wide")
    if variant not in LAYOUTS:
        raise error("FAC021", f"faction-chart layout {variant!r} is not one of {', '.join(sorted(LAYOUTS))}")
    doc.faction_chart_figures += 1
    number = doc.faction_chart_figures
    caption: list[pf.Inline] = []
    for block in elem.content:
        if caption:
            caption.append(pf.Space())
        caption.extend(block.content if hasattr(block, "content") and isinstance(block, (pf.Para, pf.Plain))
                       else [pf.Str(pf.stringify(block))])
    title = pf.stringify(pf.Plain(*caption)) if caption else ""
    name = f"faction-chart-{variant}.svg"
    write_atomic(cfg.media_dir / name, faction_chart_svg(data, variant, title))
    if cfg.media_prefix is not None:
        src = cfg.media_prefix.rstrip("/") + "/" + name if cfg.media_prefix else name
    else:
        src = (cfg.media_dir / name).as_posix()
    ident = elem.identifier or f"fig-faction-chart-{number}"
    blocks = figure_blocks(doc.format, src, alt_text(data), caption, number, ident)
    return [*blocks, text_alternative(data, number)]


def main(doc: pf.Doc | None = None):
    """Run as a pandoc filter (doc=None) or in-process on a panflute Doc."""
    return run_filter(action, prepare=prepare, doc=doc)


if __name__ == "__main__":
    main()
