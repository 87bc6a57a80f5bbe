"""Faction chart: each ``::: faction-chart`` Div becomes a numbered figure of the organisations on a time axis
(an SVG drawn by ``editio.chart`` from the data file) followed by the same data as structured text.

Options (edition.yaml key ``faction-chart``):

``data``
    The organisations file, relative to the manuscript folder; default ``factions.yaml`` (schema:
    ``editio.factions``; its ``chart:`` map sets the time axis, bands and words, and its ``chart: words`` win over
    the catalogue's ``chart-*`` messages).

The Div's content is the caption, printed «Рис. N. caption» (the catalogue's ``figure-label`` and
``caption-separator``; N counts the document's figures in order). Per-element option ``layout=wide|narrow``
(default wide): the drawing the figure shows; a bad value is FAC021 at its line.

Neutral marks: a pandoc ``Figure#<Div id or fig-faction-chart-N>.faction-chart`` whose content is
``Plain([Image.faction-chart{narrow=media/faction-chart-narrow.svg}])`` pointing at
``media/faction-chart-<layout>.svg``, its alt text from the catalogue (``chart-alt``); then
``Div.chart-alt`` (the ``chart-text-intro`` sentence and one bullet per organisation: name, original name,
years, relations in words). Both drawings go into ``ctx.media`` (the build writes them to ``media/``). Lowering:
print a ``#figure`` sized by the template to fit its page; HTML a ``<picture>`` that gives phones the narrow
drawing; EPUB the plain image. Data errors (FAC001…) are reported with the data file's line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..ast import (
    BulletList,
    Div,
    Emph,
    Para,
    Plain,
    Space,
    Str,
    Strong,
    attr,
    get,
    has_class,
    identifier,
    stringify,
    text_inlines,
)
from ..chart import LAYOUTS, faction_chart_svg, faction_chart_table
from ..errors import EditionError
from ..factions import RELATION_TYPES, FactionData, load_factions
from .base import Filter

CHART_CLASS = "faction-chart"
ALT_CLASS = "chart-alt"
MEDIA = "media/"


@dataclass(frozen=True)
class Options:
    data: str = "factions.yaml"


def media_name(variant: str) -> str:
    return f"faction-chart-{variant}.svg"


# The chart's word keys (editio.factions.DEFAULT_WORDS) that the message catalogue says in the document's
# language: chart key → (catalogue key, the catalogue's fields filled with the chart's own placeholders).
CATALOGUE_WORDS: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "title": ("chart-title", {}),
    "legend.no-tie": ("chart-no-affiliation", {}),
    "legend.uncertain": ("chart-date-uncertain", {}),
    "legend.continues": ("chart-continues-after", {"year": "{year}"}),
    "relation.split-from": ("chart-legend-split-from", {}),
    "relation.renamed-to": ("chart-legend-renamed-to", {}),
    "relation.merged-into": ("chart-legend-merged-into", {}),
    "relation.entered": ("chart-legend-entered", {}),
    "relation.faction-of": ("chart-legend-faction-of", {}),
    "relation.organ-of": ("chart-legend-organ-of", {}),
    "relation.affiliated-with": ("chart-legend-affiliated-with", {}),
    "relation.recognised-by": ("chart-legend-recognised-by", {}),
    "axis.compressed": ("chart-axis-compressed", {}),
    "period.since": ("chart-since", {"year": "{start}"}),
    "period.until": ("chart-until", {"year": "{end}"}),
    "period.none": ("chart-year-unknown", {}),
    "date.approx": ("date-approx", {"year": "{year}"}),
    "date.between": ("date-between", {"after": "{after}", "before": "{before}"}),
    "date.not-before": ("date-not-before", {"year": "{after}"}),
    "date.not-after": ("date-not-after", {"year": "{before}"}),
    "date.unknown": ("date-unknown", {}),
    **{
        f"table.{kind}.{side}": (f"chart-relation-{kind}-{side}", {"other": "{other}"})
        for kind in RELATION_TYPES
        for side in ("from", "to")
    },
}


def catalogue_words(data: FactionData, text: Callable[..., str], plural: Callable[..., str]) -> dict[str, str]:
    """The chart's words from the message catalogue (the data file's ``chart: words`` still win in editio.chart).
    The description's counts are said with the catalogue's plural forms («23 организации»)."""
    words = {key: text(message, **fields) for key, (message, fields) in CATALOGUE_WORDS.items()}
    words["description"] = text(
        "chart-description",
        first="{first}",
        last="{last}",
        groups="{bands}",
        organisations=plural("organisations", len(data.organisations)),
        relations=plural("relations", len(data.relations)),
    )
    return words


def alt_text(data: FactionData, text: Callable[..., str], plural: Callable[..., str]) -> str:
    return text(
        "chart-alt",
        organisations=plural("organisations", len(data.organisations)),
        relations=plural("relations", len(data.relations)),
    )


def text_alternative(data: FactionData, words: Mapping[str, str], intro: str) -> dict:
    """``Div.chart-alt``: a sentence and one bullet per organisation (name, original name, years, relations)."""
    items = []
    for row in faction_chart_table(data, words):
        inlines = [Strong(text_inlines(row.name))]
        if row.original:
            inlines += [Space(), Str("("), Emph(text_inlines(row.original)), Str("),")]
        else:
            inlines.append(Str(","))
        inlines += [Space(), *text_inlines(row.years + ("." if not row.relations else ";"))]
        if row.relations:
            inlines += [Space(), *text_inlines("; ".join(row.relations) + ".")]
        items.append([Plain(inlines)])
    return Div([Para(text_inlines(intro)), BulletList(items)], classes=[ALT_CLASS])


def figure(ident: str, src: str, narrow: str, alt: str, caption: list) -> dict:
    """A pandoc Figure holding the chart's Image (alt text as its content) and the numbered caption."""
    image = {"t": "Image", "c": [attr("", [CHART_CLASS], {"narrow": narrow}), text_inlines(alt), [src, ""]]}
    return {"t": "Figure", "c": [attr(ident, [CHART_CLASS]), [None, [Plain(caption)]], [Plain([image])]]}


class FactionChart(Filter):
    name = "faction_chart"
    key = "faction-chart"
    Options = Options

    def prepare(self, doc: dict) -> None:
        self.figures = 0
        self.data: FactionData | None = None
        self.failed = False

    def hooks(self):
        return {"Figure": self.count_figure, "Div": self.chart}

    def count_figure(self, node: dict, _path: list) -> None:
        self.figures += 1

    def load(self) -> FactionData | None:
        """The data file, read once and only when the document has a chart; its errors go to the log."""
        if self.data is None and not self.failed:
            ctx = self.ctx
            try:
                path, shown = ctx.data_file(self.options.data, "faction-chart.data")
                self.data = load_factions(path, display=shown)
            except EditionError as problem:
                self.failed = True
                for diagnostic in problem.diagnostics:
                    ctx.log.add(diagnostic.code, diagnostic.message, diagnostic.file, diagnostic.line)
        return self.data

    def chart(self, node: dict, _path: list) -> list | None:
        if not has_class(node, CHART_CLASS):
            return None
        ctx = self.ctx
        variant = get(node, "layout", "wide")
        if variant not in LAYOUTS:
            file, line = ctx.sources.locate(f"layout={variant}")
            ctx.log.add(
                "FAC021", f"faction-chart layout {variant!r} is not one of {', '.join(sorted(LAYOUTS))}", file, line
            )
            return None
        data = self.load()
        if data is None:
            return None
        self.figures += 1
        number = self.figures
        caption: list = []
        for block in node["c"][1]:
            if caption:
                caption.append(Space())
            caption.extend(block["c"] if block["t"] in ("Para", "Plain") else text_inlines(stringify(block)))
        plural = ctx.messages.plural
        words = catalogue_words(data, ctx.text, plural)
        title = stringify(caption)
        for drawing in LAYOUTS:
            ctx.media[media_name(drawing)] = faction_chart_svg(data, drawing, title, words).encode("utf-8")
        label = ctx.text("figure-label", n=number) + ctx.text("caption-separator").rstrip()
        ident = identifier(node) or f"fig-faction-chart-{number}"
        shown = figure(
            ident,
            MEDIA + media_name(variant),
            MEDIA + media_name("narrow"),
            alt_text(data, ctx.text, plural),
            [*text_inlines(label), Space(), *caption],
        )
        return [shown, text_alternative(data, words, ctx.text("chart-text-intro", n=number))]


FILTER = FactionChart
