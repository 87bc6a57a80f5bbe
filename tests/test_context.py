"""The load stage's Context: Markdown from data files parsed in one request gives what one request each gives."""

from __future__ import annotations

from pathlib import Path

from editio.load.context import Context, Project
from editio.load.pandoc import PandocSession

TEXTS = [
    "A note with *emphasis* and a [link](https://example.org).",
    "Two paragraphs.\n\nThe second, with `code`.",
    "- a list\n- of two",
    "A citation [@key, p. 5] and «quotes».",
]


def context(tmp_path: Path, session: PandocSession) -> Context:
    return Context(project=Project(tmp_path, tmp_path, tmp_path / "edition.yaml"), lang="en", session=session)


def test_prefetched_texts_parse_as_one_by_one(tmp_path: Path):
    with PandocSession() as session:
        one_by_one = [context(tmp_path, session).markdown(t, "test") for t in TEXTS]
        ctx = context(tmp_path, session)
        ctx.prefetch_markdown(TEXTS, "test")
        assert set(ctx._parsed) == set(TEXTS)
        assert [ctx.markdown(t, "test") for t in TEXTS] == one_by_one
        # each caller gets its own copy: filters change what they are given
        ctx.markdown(TEXTS[0], "test")[0]["c"].clear()
        assert ctx.markdown(TEXTS[0], "test") == one_by_one[0]


def test_texts_that_could_reach_into_each_other_are_not_batched(tmp_path: Path):
    with PandocSession() as session:
        ctx = context(tmp_path, session)
        ctx.prefetch_markdown(["A note[^1].\n\n[^1]: Its footnote.", "Another."], "test")
        assert ctx._parsed == {}
