"""YAML with limits (editio.yamlfile): alias bombs, recursion, deep nesting, too many aliases and oversized files
are refused at once with their code, file and line; line tracking and ordinary YAML keep working."""

from __future__ import annotations

import signal
import tracemalloc
from pathlib import Path

import pytest

from editio.errors import EditionError
from editio.yamlfile import YamlLimits, line_of, load_yaml, parse_yaml

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

MERGE_BOMB = "a: &a {x: 1, y: 2}\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} {{<<: [{', '.join(['*' + chr(97 + i)] * 9)}]}}\n" for i in range(8)
)


@pytest.fixture(autouse=True)
def no_hang():
    def stop(*_):
        raise TimeoutError("YAML loading did not return")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def refused(text: str, **limits) -> tuple[str, int | None]:
    with pytest.raises(EditionError) as caught:
        parse_yaml(text, "manuscript/edition.yaml", limits=YamlLimits(**limits))
    [d] = caught.value.diagnostics
    assert d.file == "manuscript/edition.yaml"
    return d.code, d.line


def test_billion_laughs_is_refused_at_once_with_little_memory(tmp_path: Path):
    tracemalloc.start()
    try:
        code, line = refused(BILLION_LAUGHS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == "YML003" and line is not None and 2 <= line <= 9
    assert peak < 2_000_000  # the 9**9 strings are never built
    path = tmp_path / "edition.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    with pytest.raises(EditionError) as caught:
        load_yaml(path, "manuscript/edition.yaml")
    assert caught.value.diagnostics[0].code == "YML003"


def test_merge_key_bomb_is_refused():
    assert refused(MERGE_BOMB)[0] == "YML003"


def test_recursive_alias_is_yml006():
    assert refused("a: 1\nb: &b\n  - x\n  - *b\n") == ("YML006", 4)


def test_deep_nesting_is_yml005_without_crashing_the_parser():
    # libyaml's own composer crashes the interpreter at this depth: the check must come first
    assert refused("[" * 100_000 + "]" * 100_000) == ("YML005", 1)
    deep = "".join("  " * i + f"k{i}:\n" for i in range(70)) + "  " * 70 + "v\n"
    assert refused(deep) == ("YML005", 65)


def test_too_many_aliases_is_yml004():
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * 20) + "]\n"
    assert refused(text, max_aliases=10) == ("YML004", 2)
    assert parse_yaml(text, "x.yaml")["b"] == [1] * 20


def test_oversized_file_is_yml002(tmp_path: Path):
    path = tmp_path / "glossary.yaml"
    path.write_text("a: " + "x" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(EditionError) as caught:
        load_yaml(path, "manuscript/glossary.yaml", limits=YamlLimits(max_bytes=1000))
    [d] = caught.value.diagnostics
    assert (d.code, d.file) == ("YML002", "manuscript/glossary.yaml") and "1,000 bytes" in d.message
    assert refused("a: " + "x" * 5000, max_bytes=1000)[0] == "YML002"


def test_yaml_through_a_link_to_a_device_is_refused(tmp_path: Path):
    link = tmp_path / "data.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(EditionError) as caught:
        load_yaml(link, "manuscript/data.yaml")
    assert caught.value.diagnostics[0].code == "SAF014"


def test_ordinary_yaml_keeps_lines_merges_and_syntax_errors(tmp_path: Path):
    path = tmp_path / "persons.yaml"
    path.write_text(
        "base: &base {lang: ru}\npersons:\n  - id: a\n    <<: *base\n  - id: b\n    names: [x, y]\n", encoding="utf-8"
    )
    data = load_yaml(path, "manuscript/persons.yaml")
    assert data["persons"][0] == {"id": "a", "lang": "ru"}
    persons = data["persons"]
    assert (line_of(data), line_of(persons), line_of(persons[1]), line_of(persons[1]["names"])) == (1, 3, 5, 6)
    assert line_of("scalar", 9) == 9
    assert refused("a: 1\na: 2\n") == ("YML001", 2)
    assert refused("a: [1, 2\nb: 3\n")[0] == "YML001"
