"""The catalogue of diagnostic codes (src/editio/diagnostics.yaml, editio.diagnostics): the catalogue and the
source name the same codes with the same severities, docs/diagnostics.md is what the generator makes now, and
every code is triggered by a tiny project through the real load → filters → build path (or the real command
line), printed as `file:line: severity CODE: message` with the file and line where the problem is.

A code that no input can trigger is in NOT_TRIGGERABLE with the reason; a code without a case and without a
reason fails `test_every_code_has_a_case`. Warnings reaching the build report (also from the forked format
children) are checked at the end.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import MINI, ROOT
from helpers import make_project

from editio import diagnostics
from editio.errors import Diagnostic, EditionError

CATALOGUE = diagnostics.catalogue()

# Codes no input can trigger through the build, each with the reason.
NOT_TRIGGERABLE = {
    # The sanitiser (editio.sanitize) is not wired into the build yet (docs/security.md: "wiring (lead)");
    # tests/test_sanitize.py triggers every SAN code on the sanitiser itself.
    **{f"SAN00{n}": "the sanitiser is not called by the build yet" for n in range(1, 8)},
    # config.py refuses a bad `lang` first (CFG017); i18n.catalogue's own check only answers callers outside
    # the build (the same problem under two codes: one of them should go).
    "I18N002": "the build checks `lang` as CFG017 before the catalogue sees it",
    # The files pandoc's writers read themselves (cover-image, css, …) are checked at load (CFG004, SAF010-017);
    # what is left is a defect of pandoc or of the lowering.
    "PDC002": "a pandoc writer fails only on a bug once the load stage has checked its input files",
}


# --- the catalogue against the source ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def uses() -> list[diagnostics.Use]:
    return diagnostics.uses()


def test_every_code_in_the_source_is_in_the_catalogue(uses):
    missing = sorted({(u.code, f"{u.file}:{u.line}") for u in uses if u.code not in CATALOGUE.codes})
    assert not missing, f"codes used in src/editio but not in diagnostics.yaml: {missing}"


def test_every_catalogue_code_is_used(uses):
    used = {u.code for u in uses}
    assert not sorted(set(CATALOGUE.codes) - used), "codes in diagnostics.yaml that nothing emits"


def test_the_source_emits_each_code_with_its_catalogue_severity(uses):
    wrong = [
        f"{u.file}:{u.line}: {u.code} emitted as {u.severity}, catalogued as {CATALOGUE.codes[u.code].severity}"
        for u in uses
        if u.code in CATALOGUE.codes and u.severity and u.severity not in CATALOGUE.codes[u.code].severities
    ]
    assert not wrong, "\n".join(wrong)


def test_the_scanner_finds_codes_in_every_form_the_source_uses(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text(
        '"""ABC001 in a docstring is no use."""\n'
        'NAME = "ABC002"\n'
        "def f(log, ctx, flag):\n"
        '    """ABC009 neither."""\n'
        '    log.add("ABC003", "m", severity="warning")\n'
        '    ctx.warn("ABC004", "m")\n'
        '    raise error(NAME, "m")\n'
        '    p.err("ABC005" if flag else "ABC006", "m")\n'
        '    return f"ABC007 something {flag}"  # ABC008 in a comment is no use\n',
        encoding="utf-8",
    )
    found = {(u.code, u.severity) for u in diagnostics.uses(package)}
    assert found == {
        ("ABC002", None),
        ("ABC002", "error"),
        ("ABC003", "warning"),
        ("ABC004", "warning"),
        ("ABC005", "error"),
        ("ABC006", "error"),
        ("ABC007", None),
    }


def test_docs_page_is_generated_from_the_catalogue():
    page = ROOT / "docs" / "diagnostics.md"
    assert page.read_text(encoding="utf-8") == diagnostics.markdown(), (
        "docs/diagnostics.md is stale: run `python -m editio.diagnostics --write docs/diagnostics.md`"
    )
    rows = [line for line in page.read_text(encoding="utf-8").splitlines() if re.match(r"\| [A-Z0-9]+ \|", line)]
    assert [row.split(" | ")[0][2:] for row in rows] == [
        c for s in CATALOGUE.stages for c in sorted(CATALOGUE.codes) if CATALOGUE.codes[c].stage == s
    ]


def test_the_generator_writes_the_page(tmp_path):
    target = tmp_path / "diagnostics.md"
    proc = subprocess.run(
        [sys.executable, "-m", "editio.diagnostics", "--write", str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert proc.returncode == 0, proc.stderr
    assert target.read_text(encoding="utf-8") == diagnostics.markdown()


# --- one case per code ------------------------------------------------------------------------------------------

TEXT = "# Глава\n\nТекст главы.\n"
BIB = """@book{lora1978,
  author = {Lora, Guillermo},
  title = {Obras completas},
  year = {1978},
  publisher = {Masas},
  address = {La Paz}
}
"""
GLOSSARY = """entries:
  - id: cob
    term: COB
    forms: ["COB"]
    definition: Боливийский рабочий центр.
"""
PERSONS = """persons:
  - id: lora-guillermo
    heading: Лора Г.
    forms: ["Лора"]
"""
CHRONOLOGY = """events:
  - date: "1952"
    precision: year
    text: Революция.
    anchor: "Текст главы"
    source: article
"""
EMENDATIONS = """- id: e1
  source: тектс
  edition: текст
  kind: typo
  why: Опечатка.
"""
EDNOTES = """- id: n1
  anchor: "Текст главы"
  text: Пояснение [@lora1978, p. 3].
  source: book
"""
# An edition's own filter (filters: [filters/step.py]) doing what the case needs at the filter stage.
PROJECT_FILTER = """from editio.filters.base import Filter


class Step(Filter):
    name = "step"

    def prepare(self, doc):
{body}


FILTER = Step
"""
FACTIONS = (MINI / "factions.yaml").read_text(encoding="utf-8")
GLOSSARY_DIV = "\n\n::: glossary\n:::\n"


@dataclass
class Case:
    """A tiny project and where its diagnostic must point: ``at`` is (file as shown, line) where the line is
    a number, a text whose first line in that file is meant, or None; ``at=None`` means no file."""

    text: str | dict[str, str] = TEXT
    config: dict = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    at: tuple[str, int | str | None] | None = ("manuscript/01-text.md", None)
    setup: Callable[[Path], None] | None = None  # changes the project (root) before the build
    via: str = "prepare"  # "prepare" (load + filters), "build" (+ writers, in-process), or "cli"
    cli: Callable[[Path], list[str]] | None = None  # arguments of `python -m editio` (via="cli")
    formats: tuple[str, ...] = ("html",)
    preexec: Callable[[], None] | None = None  # run in the command line's process before it starts (via="cli")
    env: dict[str, str] = field(default_factory=dict)  # the command line's environment besides the usual
    interrupt: bool = False  # send SIGTERM once the project's filter has written `started` (via="cli")
    known: str = ""  # a known defect in where the diagnostic points: the case is a strict xfail until it is fixed


def edition_yaml(line: str | int | None = None) -> tuple[str, int | str | None]:
    return ("manuscript/edition.yaml", line)


def text_at(needle: str | int | None, name: str = "01-text.md") -> tuple[str, int | str | None]:
    return (f"manuscript/{name}", needle)


def write(relative: str, data: str | bytes) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    return setup


def edit(relative: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        path = root / relative
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    return setup


def gls(data: str = GLOSSARY, text: str = "COB бастует." + GLOSSARY_DIV, **config) -> dict:
    return dict(
        text=text,
        config={"filters": ["glossary"], "glossary": {"data": "glossary.yaml", **config}},
        files={"manuscript/glossary.yaml": data},
    )


def nam(data: str = PERSONS, text: str = "Лора писал.\n\n::: name-index\n:::\n") -> dict:
    return dict(text=text, config={"filters": ["name_index"]}, files={"manuscript/persons.yaml": data})


def chr_(data: str = CHRONOLOGY, text: str = TEXT + "\n::: chronology\n:::\n") -> dict:
    return dict(text=text, config={"filters": ["chronology"]}, files={"manuscript/chronology.yaml": data})


def emd(data: str = EMENDATIONS, text: str = "Это [текст]{.emendation key=e1}.\n\n::: emendations\n:::\n") -> dict:
    return dict(text=text, config={"filters": ["emendations"]}, files={"manuscript/emendations.yaml": data})


def edn(data: str = EDNOTES, text: str = TEXT) -> dict:
    return dict(
        text=text,
        config={"filters": ["editorial_notes", "citations", "citeproc"], "bibliography": "references.bib"},
        files={"manuscript/editorial-notes.yaml": data, "manuscript/references.bib": BIB},
    )


def fac(change: Callable[[str], str] = lambda s: s, text: str = "::: faction-chart\nСхема\n:::\n", **options) -> dict:
    return dict(
        text=text,
        config={"filters": ["faction_chart"], "faction-chart": {"data": "factions.yaml", **options}},
        files={"manuscript/factions.yaml": change(FACTIONS)},
    )


def sub(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return change


G, NM, CH, EM, ED, FA = (
    "manuscript/glossary.yaml",
    "manuscript/persons.yaml",
    "manuscript/chronology.yaml",
    "manuscript/emendations.yaml",
    "manuscript/editorial-notes.yaml",
    "manuscript/factions.yaml",
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32

CASES: dict[str, Case] = {
    # --- command line
    "CLI001": Case(
        via="cli", cli=lambda root: ["build", str(root / "empty")], at=None, setup=lambda root: (root / "empty").mkdir()
    ),
    "CLI002": Case(via="cli", cli=lambda root: ["new", str(root / "manuscript")], at=None),
    "SIG001": Case(
        via="cli",
        cli=lambda root: ["build", str(root), "--format", "html"],
        interrupt=True,
        at=None,
        config={"filters": ["filters/step.py"]},
        files={
            "filters/step.py": PROJECT_FILTER.format(
                body="        import time\n"
                "        (self.ctx.project.root / 'started').write_text('yes')\n        time.sleep(60)"
            )
        },
    ),
    "SYS001": Case(
        via="cli",
        cli=lambda root: ["build", str(root), "--format", "html"],
        at=None,
        preexec=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (10, 10)),
    ),  # too many open files
    "SYS002": Case(
        via="cli",
        cli=lambda root: ["build", str(root), "--format", "html"],
        at=None,
        config={"filters": ["filters/step.py"]},
        files={
            "filters/step.py": PROJECT_FILTER.format(
                body="        import resource\n"
                "        resource.setrlimit(resource.RLIMIT_AS, (4 * 2 ** 30, resource.RLIM_INFINITY))\n"
                "        bytearray(8 * 2 ** 30)"
            )
        },
    ),
    "CCH001": Case(
        via="cli",
        cli=lambda root: ["build", str(root), "--format", "html"],
        env={"EDITIO_NO_CACHE": ""},
        setup=write(".cache", "a file where the cache folder should be\n"),
        at=(".cache/editio", None),
    ),
    "CLI003": Case(via="cli", cli=lambda root: ["new", str(root / "fresh"), "--lang", "not a tag"], at=None),
    # --- edition.yaml
    "CFG001": Case(setup=write("manuscript/edition.yaml", "- a list\n- not a mapping\n"), at=edition_yaml(1)),
    "CFG002": Case(config={"files": "01-text.md"}, at=edition_yaml("files:")),
    "CFG003": Case(config={"filters": ["../outside.py"]}, at=edition_yaml("outside.py")),
    "CFG004": Case(config={"files": ["01-text.md", "02-missing.md"]}, at=edition_yaml("02-missing.md")),
    "CFG005": Case(config={"filters": "typography"}, at=edition_yaml("filters:")),
    "CFG006": Case(config={"filters": ["no_such_filter"]}, at=edition_yaml("no_such_filter")),
    "CFG007": Case(config={"bibliography": 5}, at=edition_yaml("bibliography:")),
    "CFG008": Case(config={"csl": "no-such-style"}, at=edition_yaml("csl:")),
    "CFG009": Case(config={"output-name": "dist/book"}, at=edition_yaml("output-name:")),
    "CFG010": Case(
        setup=edit("manuscript/edition.yaml", lambda t: re.sub(r"(?m)^identifier:.*\n", "", t)), at=edition_yaml(1)
    ),
    "CFG011": Case(
        setup=edit("manuscript/edition.yaml", lambda t: re.sub(r"(?m)^title:.*\n", "", t)), at=edition_yaml(1)
    ),
    "CFG012": Case(
        config={"filters": ["glossary"], "glossary": {"data": "g.yaml", "colour": "red"}}, at=edition_yaml("colour:")
    ),
    "CFG013": Case(config={"filters": ["citeproc", "citations"]}, at=edition_yaml("filters:")),
    "CFG014": Case(config={"messages": ["not", "a", "map"]}, at=edition_yaml("messages:")),
    "CFG015": Case(text="---\n- a list\n---\n\nТекст.\n", at=text_at(1)),
    # --- sources and paths
    "CFG016": Case(config={"header-includes": "<script>x()</script>"}, at=edition_yaml("header-includes:")),
    "CFG018": Case(
        config={"css": "own.css"}, files={"manuscript/own.css": "p { margin: 0 }\n"}, at=edition_yaml("css:")
    ),
    "CFG017": Case(config={"lang": "not a tag"}, at=edition_yaml("lang:")),
    "CFG019": Case(config={"chapter-start": "left"}, at=edition_yaml("chapter-start:")),
    "SRC001": Case(
        setup=write("manuscript/01-text.md", "# Глава\n\nТекст \xff\n".encode()[:-3] + b"\xff\n"), at=text_at(3)
    ),
    "SRC002": Case(**chr_(), setup=lambda root: (root / CH).unlink(), at=(CH, None)),
    "SRC003": Case(text="\n\n", at=edition_yaml("files:")),
    "SRC004": Case(text="# Глава\n\n![Схема](nope.png)\n", at=text_at("nope.png")),
    "SRC005": Case(
        text="# Глава\n\n![Схема](pic.png)\n",
        setup=write("manuscript/pic.png", "not an image\n"),
        at=text_at("pic.png"),
    ),
    "SRC006": Case(
        text="# Глава\n\n![Схема](pic.pdf)\n",
        setup=write("manuscript/pic.pdf", b"%PDF-1.4\n%%EOF\n"),
        at=text_at("pic.pdf"),
    ),
    "SRC007": Case(
        text="# Глава\n\nТекст `\\foo{x}`{=latex} здесь.\n", config={"allow-raw": True}, at=text_at("{=latex}")
    ),
    "SRC008": Case(
        text="# Глава\n\nТекст.\n\n<script>x</script>\n", config={"allow-raw": True}, at=text_at("<script>")
    ),
    "SRC009": Case(text="# Глава\n\n" + "> " * 60 + "Глубоко.\n", at=text_at("Глубоко")),
    "SRC010": Case(text="# Глава\n\nСм. [приложение](appendix.pdf).\n", at=text_at("appendix.pdf")),
    "SRC011": Case(
        text="# Глава\n\n![Схема](pic.pdf)\n",
        config={"pdf-standards": ["ua-1"]},
        setup=write("manuscript/pic.pdf", b"%PDF-1.4\n%%EOF\n"),
        at=text_at("pic.pdf"),
    ),
    "SRC012": Case(text="# Глава\n\nТекст^[Сноска^[внутренняя] конец.] дальше.\n", at=text_at("внутренняя")),
    "SRC013": Case(text="# Глава\n\nФормула $\\argmin_x f$ здесь.\n", at=text_at("argmin")),
    "SAF001": Case(text="# Глава\n\nТекст `<b>x</b>`{=html} здесь.\n", at=text_at("{=html}")),
    "SAF010": Case(text="# Глава\n\n![Схема](https://example.org/x.png)\n", at=text_at("https://")),
    "SAF011": Case(text="# Глава\n\n![Схема](/etc/x.png)\n", at=text_at("/etc/x.png")),
    "SAF012": Case(text="# Глава\n\n![Схема](../../x.png)\n", at=text_at("../../x.png")),
    "SAF013": Case(
        text="# Глава\n\n![Схема](link.png)\n",
        at=text_at("link.png"),
        setup=lambda root: (root / "manuscript" / "link.png").symlink_to("/etc/hostname"),
    ),
    "SAF014": Case(
        text="# Глава\n\n![Схема](folder.png)\n",
        at=text_at("folder.png"),
        setup=lambda root: (root / "manuscript" / "folder.png").mkdir(),
    ),
    "SAF015": Case(
        text="# Глава\n\n![Схема](huge.png)\n",
        at=text_at("huge.png"),
        setup=lambda root: (
            os.truncate(root / "manuscript" / "huge.png", 65 * 2**20)
            if (root / "manuscript" / "huge.png").write_bytes(PNG)
            else None
        ),
    ),
    "SAF016": Case(
        **gls(),
        at=edition_yaml("glossary.yaml"),
        setup=lambda root: (
            (root / G).unlink()
            or (root / G).symlink_to("loop.yaml")
            or (root / "manuscript" / "loop.yaml").symlink_to("glossary.yaml")
        ),
    ),
    "SAF017": Case(text="# Глава\n\n![Схема](a%01b.png)\n", at=text_at("a%01b.png")),
    # --- YAML data files
    "YML001": Case(**gls("entries: [\n"), at=(G, 2)),
    "YML002": Case(**gls(), setup=write(G, GLOSSARY + "# " + "x" * 4_100_000 + "\n"), at=(G, None)),
    "YML003": Case(
        **gls(
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(7))
        ),
        at=(G, None),
    ),
    "YML004": Case(**gls("a: &a x\nb: [" + ", ".join(["*a"] * 20000) + "]\n"), at=(G, None)),
    "YML005": Case(**gls("a: " + "[" * 200 + "]" * 200 + "\n"), at=(G, None)),
    "YML006": Case(**gls("a: &a [1, *a]\n"), at=(G, 1)),
    # --- language and messages
    "I18N001": Case(config={"messages": {"no-such-message": "x"}}, at=edition_yaml("no-such-message")),
    "I18N003": Case(config={"messages": {"toc-title": "Оглавление {nope}"}}, at=edition_yaml("toc-title")),
    # --- bibliography
    "BIB001": Case(
        text="Текст [@lora1978].\n",
        config={"bibliography": "references.bib"},
        files={"manuscript/references.bib": BIB + "\n@book{broken,\n  title = {Open\n"},
        at=("manuscript/references.bib", "@book{broken"),
    ),
    "BIB002": Case(
        text="Текст [@lora1978].\n",
        config={"bibliography": "references.bib"},
        files={"manuscript/references.bib": BIB + "\n" + BIB},
        at=("manuscript/references.bib", 9),
    ),
    "BIB003": Case(
        text="Текст [@nodate].\n",
        config={"bibliography": "references.bib"},
        files={"manuscript/references.bib": "@book{nodate,\n  title = {Без автора}\n}\n"},
        at=("manuscript/references.bib", "@book{nodate"),
    ),
    "BIB004": Case(
        text="# Глава\n\nТекст [@nobody].\n",
        config={"bibliography": "references.bib"},
        files={"manuscript/references.bib": BIB},
        at=text_at("@nobody"),
    ),
    "BIB005": Case(
        text="Текст.\n",
        config={"bibliography": "references.bib"},
        files={"manuscript/references.bib": BIB},
        at=("manuscript/references.bib", "@book{lora1978"),
    ),
    "BIB006": Case(
        text="Текст [@lora1978].\n",
        config={"bibliography": "references.bib"},
        files={"manuscript/references.bib": BIB.replace("year = {1978},", "year = {1978},\n  verified = {maybe},")},
        at=("manuscript/references.bib", "@book{lora1978"),
    ),  # the entry's line
    "BIB007": Case(
        text="Текст [@lora1978].\n",
        config={"bibliography": "references.bib"},
        files={"manuscript/references.bib": BIB + "\n" + BIB.replace("lora1978", "Lora1978")},
        at=("manuscript/references.bib", "@book{Lora1978"),
    ),
    # --- glossary
    "GLS001": Case(**gls(GLOSSARY.replace("    definition: Боливийский рабочий центр.\n", "")), at=(G, "- id: cob")),
    "GLS002": Case(**gls(GLOSSARY + GLOSSARY.replace("entries:\n", "").replace('["COB"]', '["КОБ"]')), at=(G, 6)),
    "GLS003": Case(**gls(GLOSSARY + GLOSSARY.replace("entries:\n", "").replace("id: cob", "id: cob2")), at=(G, 6)),
    "GLS004": Case(**gls(text="[COB]{.gls key=nope} бастует." + GLOSSARY_DIV), at=text_at("key=nope")),
    "GLS005": Case(**gls(text="[нечто]{.gls} бастует, COB." + GLOSSARY_DIV), at=text_at("[нечто]")),
    "GLS006": Case(**gls(text="Никого." + GLOSSARY_DIV), at=(G, "- id: cob")),
    "GLS007": Case(**gls(link="sometimes"), at=edition_yaml("link:")),
    "GLS008": Case(**gls(text="COB бастует.\n"), at=None),  # a Div that is missing has no line
    # --- index of names
    "NAM001": Case(**nam("- just a list\n"), at=(NM, 1)),
    "NAM002": Case(**nam(PERSONS.replace("    heading: Лора Г.\n", "")), at=(NM, "- id: lora")),
    "NAM003": Case(**nam(PERSONS + PERSONS.replace("persons:\n", "").replace('["Лора"]', '["Лоры"]')), at=(NM, 5)),
    "NAM004": Case(
        **nam(PERSONS + PERSONS.replace("persons:\n", "").replace("lora-guillermo", "lora-other")), at=(NM, 5)
    ),
    "NAM005": Case(**nam(PERSONS + "    born: 1950\n    died: 1900\n    dates-source: book\n"), at=(NM, "- id: lora")),
    "NAM006": Case(**nam(PERSONS + "    born: 1921\n"), at=(NM, "- id: lora")),
    "NAM007": Case(**nam(text="Никого.\n\n::: name-index\n:::\n"), at=(NM, "- id: lora")),
    "NAM008": Case(**nam(PERSONS.replace("lora-guillermo", "Lora Guillermo")), at=(NM, "- id: Lora")),
    "NAM009": Case(**nam(PERSONS + "    colour: red\n"), at=(NM, "- id: lora")),
    "NAM010": Case(**nam(PERSONS + "    born: early\n    dates-source: book\n"), at=(NM, "- id: lora")),
    # --- chronology
    "CHR001": Case(**chr_("- 1952\n"), at=(CH, 1)),
    "CHR002": Case(**chr_(CHRONOLOGY.replace("    text: Революция.\n", "")), at=(CH, "- date")),
    "CHR003": Case(**chr_(CHRONOLOGY.replace('"1952"', '"1952-13"').replace("year\n", "month\n")), at=(CH, "- date")),
    "CHR004": Case(**chr_(CHRONOLOGY.replace("precision: year", "precision: decade")), at=(CH, "- date")),
    "CHR005": Case(**chr_(CHRONOLOGY.replace('"Текст главы"', '"нет такого"')), at=(CH, "- date")),
    "CHR006": Case(**chr_(text="Текст главы. Текст главы.\n\n::: chronology\n:::\n"), at=(CH, "- date")),
    "CHR007": Case(
        **chr_(
            CHRONOLOGY
            + CHRONOLOGY.replace("events:\n", "")
            .replace('"1952"', '"1950"')
            .replace('"Текст главы"', '"Другой текст"'),
            text="Текст главы. Другой текст.\n\n::: chronology\n:::\n",
        ),
        at=(CH, 7),
    ),
    "CHR008": Case(**chr_(text=TEXT), at=None),
    "CHR009": Case(**chr_(CHRONOLOGY + "    colour: red\n"), at=(CH, "- date")),
    # --- emendations
    "EMD001": Case(**emd(text="Это [текст]{.emendation key=nope}.\n\n::: emendations\n:::\n"), at=text_at("key=nope")),
    "EMD002": Case(**emd(text="Это текст.\n\n::: emendations\n:::\n"), at=(EM, "- id: e1")),
    "EMD003": Case(**emd(EMENDATIONS.replace("  why: Опечатка.\n", "")), at=(EM, "- id: e1")),
    "EMD004": Case(**emd(text="Это [текст]{.emendation key=e1}.\n"), at=None),
    # --- editor's notes
    "EDN001": Case(**edn(EDNOTES.replace('"Текст главы"', '"нет такого"')), at=(ED, "- id: n1")),
    "EDN002": Case(**edn(EDNOTES.replace("  source: book\n", "")), at=(ED, "- id: n1")),
    "EDN003": Case(
        **edn(
            EDNOTES.replace(" [@lora1978, p. 3]", "")
            + "- id: n2\n  anchor: Глава\n  text: Цит. [@lora1978].\n  source: book\n"
        ),
        at=(ED, "- id: n1"),
    ),
    # --- faction chart
    "FAC001": Case(**fac(sub("name: Рабочая партия", "name: [Рабочая партия")), at=(FA, "abbreviation: RP")),
    "FAC002": Case(**fac(sub("founded: {year: 1940,", "founded: {year: sometime,")), at=(FA, "year: sometime")),
    "FAC003": Case(**fac(sub("    name: Рабочая партия\n", "")), at=(FA, "- id: party")),
    "FAC004": Case(
        **fac(sub("kind: party\n    founded: {year: 1940", "kind: club\n    founded: {year: 1940")),
        at=(FA, "kind: club"),
    ),
    "FAC005": Case(**fac(sub("  - id: split\n", "  - id: party\n")), at=(FA, ("- id: party", 2))),
    "FAC006": Case(**fac(sub("from: party, to: intl", "from: party, to: nope")), at=(FA, "to: nope")),
    "FAC007": Case(**fac(sub("    source: note:1\n", "")), at=(FA, "- id: party")),
    "FAC008": Case(
        **fac(sub("ended: {year: 1954, precision: year}", "ended: {year: 1930, precision: year}")),
        at=(FA, "year: 1930"),
    ),
    "FAC009": Case(
        **fac(sub("period: {start: 1946, end: 1954}", "period: {start: 1930, end: 1954}")), at=(FA, "start: 1930")
    ),
    "FAC010": Case(
        **fac(
            sub(
                "relations:\n",
                "relations:\n  - {type: split-from, from: party, to: split, period: {start: 1954}, source: note:4}\n",
            )
        ),
        at=(FA, "from: split, to: party"),
    ),
    "FAC011": Case(**fac(sub("date: 1954-11", "date: 1955-11")), at=(FA, "date: 1955-11")),
    "FAC012": Case(
        **fac(sub("    name: Рабочая партия\n", "    name: Рабочая партия\n    colour: red\n")), at=(FA, "colour: red")
    ),
    "FAC013": Case(**fac(), setup=lambda root: (root / FA).unlink(), at=(FA, None)),
    "FAC014": Case(
        **fac(
            sub(
                "relations:\n",
                "chart:\n  years: [1930, 1970]\n  axis:\n"
                "    - {from: 1930, to: 1950, share: 0.5}\n    - {from: 1950, to: 1970, share: 0.6}\n"
                "relations:\n",
            )
        ),
        at=(FA, "axis:"),
    ),
    "FAC021": Case(**fac(text="::: {.faction-chart layout=sideways}\nСхема\n:::\n"), at=text_at("layout=sideways")),
    # --- cross-references
    "XRF001": Case(text="# Глава\n\nСм. @fig:nowhere.\n", config={"lang": "en"}, at=text_at("@fig:nowhere")),
    "XRF002": Case(
        text="# Глава\n\n![A](a.png){#fig:a}\n\n![B](a.png){#fig:a}\n\nSee @fig:a.\n",
        setup=write("manuscript/a.png", PNG),
        at=text_at("{#fig:a}"),
    ),  # the first use
    # --- pagination
    "PAG001": Case(
        text="# Глава\n\nТекст []{.page n=x} дальше.\n", config={"filters": ["pagination"]}, at=text_at("n=x")
    ),
    "PAG002": Case(
        text="# Глава\n\n[]{.page n=5} Текст []{.page n=4} дальше.\n",
        config={"filters": ["pagination"]},
        at=text_at("n=4"),
    ),
    # --- writers and output
    "PDF001": Case(
        text='# Глава\n\nТекст `#panic("stop")`{=typst}.\n',
        config={"allow-raw": True},
        via="build",
        formats=("pdf",),
        at=("test.typ", None),
    ),
    "OUT001": Case(
        via="cli",
        cli=lambda root: ["build", str(root), "--format", "html", "--out", str(root / "a-file" / "dist")],
        setup=write("a-file", "a file where the output's parent folder should be\n"),
        at=None,
    ),
    "PDC001": Case(
        text="Текст [@lora1978].\n",
        config={"bibliography": "references.bib", "csl": "bad.csl", "filters": ["citations", "citeproc"]},
        files={"manuscript/references.bib": BIB, "manuscript/bad.csl": "<style not xml\n"},
        at=("manuscript/bad.csl", None),
    ),
}


def _expected_line(root: Path, file: str, where: int | str | tuple | None) -> int | None:
    if where is None or isinstance(where, int):
        return where
    needle, nth = where if isinstance(where, tuple) else (where, 1)
    lines = [
        n
        for n, line in enumerate((root / file).read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if needle in line
    ]
    assert len(lines) >= nth, f"{needle!r} not in {file}"
    return lines[nth - 1]


def _python_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update({"PYTHONPATH": str(ROOT / "src"), "SOURCE_DATE_EPOCH": "1700000000", "EDITIO_NO_CACHE": "1"})
    return env


def trigger(case: Case, root: Path) -> list[tuple[Diagnostic | None, str]]:
    """Run the case; every diagnostic it produced, each with the line the user sees (object None for the
    command line, where only the printed line exists)."""
    from editio.build import build, prepare

    manuscript = make_project(root, case.text, case.config, case.files)
    if case.setup:
        case.setup(root)
    if case.via == "cli":
        proc = subprocess.Popen(
            [sys.executable, "-m", "editio", *case.cli(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**_python_env(), **case.env},
            cwd=root,
            preexec_fn=case.preexec,
        )
        if case.interrupt:
            deadline = time.monotonic() + 60
            while not (root / "started").exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, out + err
        return [(None, line.strip()) for line in (out + err).splitlines()]
    try:
        if case.via == "build":
            report = build(manuscript, root / "dist", case.formats, root)
            return [(None, w) for w in report.warnings]
        edition = prepare(manuscript, root)
    except EditionError as exc:
        return [(d, str(d)) for d in exc.diagnostics]
    return [(d, str(d)) for d in edition.loaded.ctx.log.items]


@pytest.mark.parametrize("code", sorted(CATALOGUE.codes))
def test_every_code_has_a_case(code):
    assert (code in CASES) != (code in NOT_TRIGGERABLE), (
        f"{code}: add a case to CASES, or its reason to NOT_TRIGGERABLE (not both)"
    )


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_is_triggered_by_input(code, tmp_path):
    case = CASES[code]
    entry = CATALOGUE.codes[code]
    root = tmp_path / "project"
    root.mkdir()
    try:
        found = trigger(case, root)
    except Exception as exc:  # noqa: BLE001 - a crash is only expected where a known defect says so
        if case.known:
            pytest.xfail(f"{case.known}: {exc!r}")
        raise
    mine = [(d, line) for d, line in found if re.search(rf"(^|: )(error|warning) {code}: ", line)]
    assert mine, f"{code} not reported; the build reported:\n" + "\n".join(line for _, line in found)
    diagnostic, line = mine[0]
    if case.at is None:
        where = "<build>"
    else:
        file, spot = case.at
        expected = _expected_line(root, file, spot)
        where = file + (f":{expected}" if expected is not None else "")
    severities = "|".join(entry.severities)
    shape = re.fullmatch(rf"{re.escape(where)}(:\d+)?: ({severities}) {code}: \S.*", line, re.S)
    if case.known:  # reported, but not yet where it should be
        assert not shape, f"{code} now points where it should: remove `known` from its case"
        pytest.xfail(case.known)
    assert shape, f"expected {where}: {severities} {code}: …, got\n{line}"
    if diagnostic is not None:
        assert diagnostic.code == code and diagnostic.severity in entry.severities


# --- warnings reach the build report -----------------------------------------------------------------------------


def test_warnings_of_load_and_filters_are_in_the_printed_report(tmp_path):
    root = tmp_path / "project"
    case = Case(**gls(text="Никого." + GLOSSARY_DIV))
    make_project(
        root,
        "Текст.\n",
        {**case.config, "bibliography": "references.bib"},
        {**case.files, "manuscript/references.bib": BIB},
    )
    proc = subprocess.run(
        [sys.executable, "-m", "editio", "build", str(root), "--format", "html"],
        cwd=root,
        capture_output=True,
        text=True,
        env=_python_env(),
    )
    assert proc.returncode == 0, proc.stderr
    warnings = [line.strip() for line in proc.stdout.splitlines() if " warning " in line]
    assert [w.split(": ")[1] for w in warnings] == ["warning BIB005", "warning GLS006"]
    assert warnings[0].startswith("manuscript/references.bib:1: ") and warnings[1].startswith(G + ":2: ")


@pytest.mark.parametrize("jobs", ["1", "3"])  # one process, or the EPUB and HTML in forked children
def test_warnings_of_every_format_come_back_to_the_report(jobs, tmp_path, monkeypatch):
    from editio import build as pipeline

    writer = pipeline._build_format

    def warning_per_format(edition, fmt, stage):
        edition.loaded.ctx.warn("TST001", f"from the {fmt} writer in process {os.getpid()}", "manuscript/01-text.md", 1)
        return writer(edition, fmt, stage)

    monkeypatch.setattr(pipeline, "_build_format", warning_per_format)
    monkeypatch.setenv("EDITIO_JOBS", jobs)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = tmp_path / "project"
    manuscript = make_project(root, "Текст.\n", {"bibliography": "references.bib"}, {"manuscript/references.bib": BIB})
    report = pipeline.build(manuscript, root / "dist", ("pdf", "epub", "html"), root)
    mine = [w for w in report.warnings if "TST001" in w]
    assert [w.split(" writer")[0].rsplit(" ", 1)[1] for w in mine] == ["pdf", "epub", "html"]
    processes = {w.rsplit(" ", 1)[1] for w in mine}
    assert len(processes) == (1 if jobs == "1" else 3)  # the children's warnings really crossed the pipe
    assert report.warnings[0].startswith("manuscript/references.bib:1: warning BIB005")  # load first
    assert report.format_warnings == {fmt: [w] for fmt, w in zip(("pdf", "epub", "html"), mine, strict=False)}
    assert all(f"  {w}" in report.text().splitlines() for w in report.warnings)


def test_a_language_tag_typst_cannot_use_is_refused_at_load():
    """«abcde» is a well-formed BCP 47 tag (5–8 letters are reserved for registered languages) that no PDF can
    name: refused with the line of `lang`, before any writer runs."""
    from helpers import prepare

    with pytest.raises(EditionError) as caught:
        prepare("Text.\n", {"lang": "abcde"})
    (problem,) = caught.value.diagnostics
    assert problem.code == "CFG017" and problem.file == "manuscript/edition.yaml" and problem.line
