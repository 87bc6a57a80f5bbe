"""Turn the seed text (a PDF text extraction of the 2025 article) into the edition's Markdown manuscript.

Reads the seed file, removes page furniture, rejoins hyphenated words and page-split paragraphs, places
page markers, note calls and note definitions, applies the recorded emendations and silent normalisations,
and writes `manuscript/NN-*.md`, `manuscript/emendations.yaml` and `manuscript/normalisations.yaml`.
Every editorial decision lives in the tables below, each tied to a seed line, so a reviewer can check it.

Usage: python tools/seed_to_md.py SEED_FILE MANUSCRIPT_DIR [--abstracts]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# --- Layout of the seed --------------------------------------------------------------------------

BODY_FIRST_LINE = 56
# Seed lines (1-based) where a printed page begins, and the page number (p. 138 is printed in the running
# head above line 719; the others are counted from it).
PAGE_STARTS = [
    56,
    73,
    113,
    153,
    191,
    231,
    272,
    313,
    353,
    393,
    433,
    471,
    509,
    549,
    589,
    628,
    669,
    719,
    757,
    797,
    837,
    877,
    917,
    958,
    1000,
]
PAGE_OF_LINE = {line: 121 + i for i, line in enumerate(PAGE_STARTS)}
# Running head, page number and the blank lines around them, above p. 138.
FURNITURE = range(708, 719)
RUNNING_HEAD = "ЛАТИНОАМЕРИКАНСКИЙ ИСТОРИЧЕСКИЙ АЛЬМАНАХ № 47. 2025"
# Blank lines that the extraction put after the first line of a block; they do not end a paragraph.
SPURIOUS_BLANKS = {57, 978}
# Page starts that also start a new paragraph (otherwise the paragraph runs on from the previous page).
NEW_PARAGRAPH_AT = {153, 509, 719, 757}
# A line holding a single space inside the text of p. 144: the break before the concluding part.
SECTION_BREAK = 976
# Line-end hyphens that are real hyphens (seed line of the hyphen). All other line-end hyphens are
# soft breaks and are removed when the word is joined.
KEEP_HYPHEN = {
    60: "буржуазно-демократической",
    76: "1-й",
    264: "50-начале",
    275: "со-правления",  # the author writes «со-правление» mid-line six times, «соправление» three times
    529: "Троцкист-марофист",
    562: "рабоче-крестьянского",
    589: "Obrero-Leninista",
    620: "рабоче-крестьянское",
    902: "какими-либо",
    934: "со-правлением",
}
# Files of the manuscript: (file name, first seed line of the first paragraph).
FILES = [
    ("01-before-1952.md", 56),
    ("02-revolution-1952-1953.md", 170),
    ("03-split-and-entrism.md", 566),
    ("04-1956-1964.md", 757),
    ("05-conclusion.md", 977),
]
NOTE_COUNT_IN_SOURCE = 78
NOTE_CALLS = 79
MISSING_NOTES = {
    79: "[Текст примечания 79 в источнике отсутствует: последняя страница примечаний не сохранилась "
    "в доступном тексте.]{.editorial}",
}

# --- Editorial decisions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Emendation:
    id: str
    seed_line: int
    source: str  # exact source reading (hyphenation joined), as found in the joined text
    edition: str  # the edition's reading
    kind: str
    why: str
    context: str = ""  # source text around `source`, to make the match unique; must contain `source`
    markup: str = ""  # what replaces `source` in the Markdown (default: the span with `edition`)

    def rendered(self) -> str:
        return self.markup or f"[{self.edition}]{{.emendation key={self.id}}}"


EMENDATIONS = [
    Emendation(
        "kratkoj",
        113,
        "кратrой",
        "краткой",
        "typo",
        "Латинская r набрана вместо кириллической к: «краткой гражданской войны».",
    ),
    Emendation(
        "na-pervyj-plan",
        171,
        "не",
        "на",
        "typo",
        "«выдвинуло на первый план»: «не» здесь лишено смысла.",
        context="выдвинуло не первый план",
    ),
    Emendation(
        "bolivijcem",
        234,
        "боливийцев",
        "боливийцем",
        "grammar",
        "Творительный падеж единственного числа после «с несговорчивым», как требует «который».",
        context="с несговорчивым боливийцев",
    ),
    Emendation(
        "dlya-sozdaniya",
        434,
        "создание",
        "создания",
        "grammar",
        "Родительный падеж после «для».",
        context="для создание",
    ),
    Emendation(
        "agrarnoj-reformy",
        473,
        "реформе",
        "реформы",
        "grammar",
        "Родительный падеж: «комиссию по разработке аграрной реформы».",
        context="разработке аграрной реформе",
    ),
    Emendation(
        "programmu-reformy",
        568,
        "реформу",
        "реформы",
        "grammar",
        "Родительный падеж: «программу реформы, никак не соответствующей…»; причастие согласовано с «реформы».",
        context="программу реформу",
    ),
    Emendation(
        "ukazaniyam",
        608,
        "указаниями",
        "указаниям",
        "grammar",
        "Дательный падеж после «доверявшей».",
        context="доверявшей указаниями",
    ),
    Emendation(
        "partiej",
        656,
        "партий",
        "партией",
        "typo",
        "Творительный падеж: «следовать за всей партией».",
        context="за всей партий",
    ),
    Emendation(
        "posle-uhoda",
        730,
        "уходя",
        "ухода",
        "grammar",
        "После «После» нужен родительный падеж существительного; «уходя» — деепричастие.",
        context="После уходя",
    ),
    Emendation(
        "bolshinstvo-vyskazalos",
        732,
        "высказалась",
        "высказалось",
        "grammar",
        "Согласование со словом среднего рода «большинство».",
        context="большинство высказалась",
    ),
    Emendation(
        "trockizmom",
        739,
        "троцкистом",
        "троцкизмом",
        "typo",
        "Речь о признании международным троцкистским движением (Парижским секретариатом), а не одним троцкистом.",
        context="международным троцкистом",
    ),
    Emendation(
        "argentinskimi",
        821,
        "аргентинским",
        "аргентинскими",
        "grammar",
        "Творительный падеж множественного числа, согласование с «паблистами».",
        context="аргентинским паблистами",
    ),
    Emendation("por-lo", 851, "POT-LO", "POR-LO", "typo", "Партия — POR-LO (Lucha Obrera); T — опечатка вместо R."),
    Emendation(
        "revolyucionerami",
        903,
        "революционерам-энтузиастами",
        "революционерами-энтузиастами",
        "grammar",
        "Творительный падеж множественного числа после «какими-либо», как в «энтузиастами».",
    ),
    Emendation(
        "rukovodstvo",
        908,
        "руководства",
        "руководство",
        "grammar",
        "Винительный падеж, параллельно «военное руководство»: «различать … и политическое руководство партизанами».",
        context="политическое руководства партизанами",
    ),
    Emendation(
        "mnr-zapyataya",
        958,
        "MNRб",
        "MNR,",
        "punctuation",
        "«б» — клавиша рядом с «,» на русской раскладке; перед деепричастием «дав» нужна запятая.",
    ),
    Emendation("odnu-iz", 985, "их", "из", "typo", "«одну из старейших».", context="одну их старейших"),
    Emendation(
        "vozglavivshej-revolyuciyu",
        994,
        "революции",
        "революцию",
        "grammar",
        "Винительный падеж дополнения при «возглавившей».",
        context="возглавившей революции",
    ),
    Emendation("sami", 1008, "само", "сами", "grammar", "Согласование с «они».", context="они само осуждали"),
    Emendation(
        "mnr-nazvanie",
        70,
        "Revolucionario Nacionalista",
        "Nacionalista Revolucionario",
        "name",
        "Название партии — Movimiento Nacionalista Revolucionario (так в английской аннотации и в "
        "русском переводе «Националистическое революционное движение»).",
        context="Movimiento Revolucionario Nacionalista",
    ),
    Emendation(
        "probel-posle-46",
        615,
        ".Идея",
        ". Идея",
        "punctuation",
        "Пропущен пробел после знака сноски и точки перед следующим предложением.",
    ),
    Emendation(
        "lora-1978",
        831,
        "Lora, T. 3, 1078. P. 102-103",
        "Lora, T. 3, 1978. P. 102-103",
        "date",
        "Год третьего тома Лоры — 1978, как в примечаниях 3, 13, 22, 45 и 78; 1078 — опечатка.",
        markup="[[@lora1978t3, p. 102-103]]{.emendation key=lora-1978}",
    ),
]


@dataclass(frozen=True)
class Normalisation:
    pattern: str  # regular expression on the joined text
    edition: str
    kind: str
    note: str
    source_label: str = ""
    where: str = "body"  # body | notes | both


_C = r"(?<![A-Za-zА-Яа-яЁё0-9])"  # start of a word
_E = r"(?![A-Za-zА-Яа-яЁё])"  # end of a word (a note call may follow)
NORMALISATIONS = [
    Normalisation(
        _C + "СОВ" + _E,
        "COB",
        "abbreviation",
        "Central Obrera Boliviana written in Cyrillic letters (С, О, В); the text also writes COB.",
        "СОВ (Cyrillic)",
        "both",
    ),
    Normalisation(_C + "CОВ" + _E, "COB", "mixed-script", "Latin C with Cyrillic О, В.", "CОВ (Latin C)", "both"),
    Normalisation(
        _C + "МНР" + _E,
        "MNR",
        "abbreviation",
        "Movimiento Nacionalista Revolucionario in Cyrillic letters; the text mostly writes MNR.",
        "МНР (Cyrillic)",
        "both",
    ),
    Normalisation(
        _C + "ПОР" + _E,
        "POR",
        "abbreviation",
        "Partido Obrero Revolucionario in Cyrillic letters; the text otherwise writes POR.",
        "ПОР (Cyrillic)",
        "both",
    ),
    Normalisation(
        _C + "ФСТМБ" + _E,
        "FSTMB",
        "abbreviation",
        "Federación Sindical de los Trabajadores Mineros de Bolivia in Cyrillic letters; the text "
        "otherwise writes FSTMB.",
        "ФСТМБ (Cyrillic)",
        "both",
    ),
    Normalisation("cвязана", "связана", "mixed-script", "Latin c in a Russian word.", "cвязана (Latin c)"),
    Normalisation(
        r"(?<= )c(?= аргентинским)",
        "с",
        "mixed-script",
        "The preposition «с» typed with a Latin c.",
        "c (Latin c, preposition)",
    ),
    Normalisation(
        "портунизмe",
        "портунизме",
        "mixed-script",
        "Latin e at the end of «оппортунизме» (seed: «оп-портунизмe»).",
        "портунизмe (Latin e)",
    ),
    Normalisation(
        "Маsas", "Masas", "mixed-script", "Cyrillic М and а in the Spanish name of the paper.", "Маsas (Cyrillic М, а)"
    ),
    Normalisation(
        r"Р\.(?= ?\d)",
        "P.",
        "mixed-script",
        "Cyrillic Р in the Latin page abbreviation of a Latin-script reference (absorbed into the citation's locator).",
        "Р. (Cyrillic, page)",
        "notes",
    ),
    Normalisation(
        r"(?<=2016, )C\.(?= ?\d)",
        "С.",
        "mixed-script",
        "Latin C as the Russian page abbreviation «С.» in a Russian reference (absorbed into the citation's locator).",
        "C. (Latin, page)",
        "notes",
    ),
]


@dataclass(frozen=True)
class Citation:
    note: int
    source: str  # the reference as the note writes it (after normalisation and joining)
    markup: str


def cite(note: int, source: str, key: str, locator: str | None = None, end: str = "") -> Citation:
    """`end` restores a full stop that the cited reference (e.g. a trailing URL) swallowed."""
    return Citation(note, source, (f"[@{key}, p. {locator}]" if locator else f"[@{key}]") + end)


CITATIONS = [
    cite(1, "Щелчков, 2016, С. 280–305", "shchelchkov2016", "280–305"),
    cite(2, "Cornejo, 1949. P. 315–318", "cornejo1949", "315–318"),
    cite(3, "Lora, T. 3, 1978. P. 20–21", "lora1978t3", "20–21"),
    cite(4, "Lora, T. 2, 1978. P. 209", "lora1978t2", "209"),
    cite(6, "Entrevista a Carlos Salazar Mostajo, 1988. P. 148–150", "salazar1988", "148–150"),
    cite(7, "John, 2021. P. 112", "john2021", "112"),
    cite(8, "Barcelli, 1957. P. 220", "barcelli1957", "220"),
    cite(9, "Cajias, 1994. P.164", "cajias1994", "164"),
    cite(
        10,
        "Insurrección en Bolivia // Cuarta Internacional, vol. 2-4, febrero-abril de 1952. P. 15–16",
        "insurreccion1952",
        "15–16",
    ),
    cite(
        11,
        "Le coupe d`Etat c`est transformé en insurrection révolutionnaire // La Verité. No. 294. "
        "17 avril-7 mai, 1952. P.3. (http://www.bibnumcermtri.fr/IMG/pdf/no_294.pdf)",
        "verite1952",
        "3",
        end=".",
    ),
    cite(13, "Lora, T. 3, 1978. P. 27", "lora1978t3", "27"),
    cite(14, "Lazarte, 1989. P. 8", "lazarte1989", "8"),
    cite(15, "Zavaleta Mercado, 1974. P. 91", "zavaleta1974", "91"),
    cite(16, "Antezana, T. 8, 1992. P. 2138 – 2140", "antezana1992", "2138–2140"),
    cite(17, "Lowy, 2000. P. 103", "lowy2000", "103"),
    cite(18, "John, 2016. P. 187-188", "john2016", "187-188"),
    cite(19, "John, 2016. P. 181", "john2016", "181"),
    cite(20, "Lima, 1978. P. 11", "lima1978", "11"),
    cite(21, "Zelaya Medina, 2021. P. 216", "zelaya2021", "216"),
    cite(22, "Lora, T. 3, 1978. P. 47", "lora1978t3", "47"),
    cite(23, "John, 2016. P. 172-173", "john2016", "172-173"),
    cite(24, "Ibid. P.141", "john2016", "141"),
    cite(
        25,
        "Informe de 5 de junio de 1952 – Secretaría de Relaciones Exteriores (SER). Archivo Histórico "
        "Genaro Estrada (AHGE). Embajada de México en Bolivia. Informes políticos reglamentarios. 1952. "
        "F. III, l. 1259, exp. 7",
        "sre1952a",
    ),
    cite(
        26,
        "Informe de 6 de octubre de 1952 – SRE. AHGE. Embajada de México en Bolivia. Informes políticos "
        "reglamentarios. 1952. F. III, l, 1259, exp. 7",
        "sre1952b",
    ),
    cite(27, "Bensaid, 2008. P. 91", "bensaid2008", "91"),
    cite(28, "John, 2020. P. 113", "john2020", "113"),
    cite(
        29,
        "Bolivia – Draft Resolution // International Information Bulletin. NY. SWP. January 1953. P. 26-27",
        "draftresolution1953",
        "26-27",
    ),
    cite(30, "Lazarte, 1989. P. 123", "lazarte1989", "123"),
    cite(
        31,
        "Carta de Mendoza Tejada a Ñuflo Chávez de 9 de octubre de 1952 – Archivo Nacional de Bolivia "
        "(ANB). MP. MAC.1952. C.71, l. 4., T. 765. (PG 6850)",
        "anb1952",
    ),
    cite(33, "Rocha Monroy, 2014. P. 238", "rocha2014", "238"),
    cite(34, "Gordillo, 2000. P. 56", "gordillo2000", "56"),
    cite(35, "Ibid., P. 69", "gordillo2000", "69"),
    cite(36, "Cárdenas, 1985. P. 22", "cardenas1985", "22"),
    cite(37, "Entrevista a Carlos Salazar Mostajo, 1988. P. 157", "salazar1988", "157"),
    cite(38, "Rocha Monroy, 2014. P. 18", "rocha2014", "18"),
    cite(39, "Alexander, 1958. P. 62 – 63", "alexander1958", "62–63"),
    cite(40, "Soria Galvarro, 2017. P. 162", "soria2017", "162"),
    cite(41, "El Diario. La Paz, 24.07.1953", "eldiario1953"),
    cite(42, "John, 2016. P. 198", "john2016", "198"),
    cite(43, "Ibid., P. 202", "john2016", "202"),
    cite(44, "Lima, 1978. P. 12-13", "lima1978", "12-13"),
    cite(45, "Lora, T. 3, 1978. P. 38-39", "lora1978t3", "38-39"),
    cite(46, "Lowy, 2000. P. 104", "lowy2000", "104"),
    cite(47, "Cajias, 1994. P. 183-184", "cajias1994", "183-184"),
    cite(48, "John, 2020. P. 117", "john2020", "117"),
    cite(49, "Lowy, 2000. P. 104", "lowy2000", "104"),
    cite(50, "Coggiola, 2006. P. 430", "coggiola2006", "430"),
    cite(51, "John, 2016. P. 202", "john2016", "202"),
    cite(52, "Zelaya Medina, 2021. P. 18", "zelaya2021", "18"),
    cite(53, "John, 2016. P. 211", "john2016", "211"),
    cite(54, "Lora, T. 3, 2016. P. 48", "lora2016t3", "48"),
    cite(55, "Ibid., P. 79", "lora2016t3", "79"),
    cite(56, "John, 2016. P. 213-214", "john2016", "213-214"),
    cite(58, "John, 2016. P. 229", "john2016", "229"),
    cite(59, "Justo, 2007. P. 361", "justo2007", "361"),
    cite(60, "Voz proletaria, Buenos Aires. No.136. 27 de septiembre de 1957. P. 7", "vozproletaria1957", "7"),
    cite(61, "González Moscoso, 1957. P. 66-67", "gonzalezmoscoso1957", "66-67"),
    cite(62, "Molina, 1957. P. 48", "molina1957", "48"),
    cite(
        63,
        "Resoluciones de la XIV Conferencia del P.O.R. El desarrollo de las fuerzas de la revolución "
        "boliviana, el gobierno de la C.O.B, y la construcción del Partido Obrero Revolucionario // "
        "Revista marxista latinoamericana, Montevideo, No.7, abril-junio de 1957. P. 60-62",
        "por1957resoluciones",
        "60-62",
    ),
    cite(
        64,
        "Los trotskistas en el congreso de la C.O.B. Informe político presentado por el camarada "
        "Fernando Bravo // Revista marxista latinoamericana, Montevideo, No.7, abril-junio de 1957. "
        "P. 71-73",
        "bravo1957",
        "71-73",
    ),
    cite(65, "Zelaya Medina, 2021. P. 64", "zelaya2021", "64"),
    # note 66 is an emendation (lora-1978), see EMENDATIONS
    cite(67, "Ibid., P. 115", "lora1978t3", "115"),
    cite(68, "Delgado González, 1984. P. 288", "delgado1984", "288"),
    cite(
        70,
        "Trotskismo y lucha armada en Bolivia. Entrevista a Hugo González Moscoso. Entrevista realizada "
        "por Diego Cano. 22 de noviembre de 2009, Cochabamba, Bolivia. – Cedema.org",
        "cano2009",
    ),
    cite(71, "John, 2016. P. 242-244", "john2016", "242-244"),
    cite(72, "Mangiantini, 2014. P. 8", "mangiantini2014", "8"),
    cite(73, "Zelaya Medina, 2021. P. 158", "zelaya2021", "158"),
    cite(74, "Cano, 2011. P. 195", "cano2011", "195"),
    cite(
        75,
        "Lora G. Las guerrillas - la concepción marxista contra el golpismo aventurero, Junio de 1963 "
        "https://marxists.architexturez.net/espanol/lora/1963/jun00.htm",
        "lora1963",
    ),
    cite(76, "Ibidem", "lora1963"),
    cite(77, "John, 2016. P. 248", "john2016", "248"),
    cite(78, "Lora, T. 3, 1978. P. 146-147", "lora1978t3", "146-147"),
]
PROSE_NOTES = {5, 12, 32, 57, 69}

# A note call printed with a space before it: «стран» 27,» (seed line 407).
SPACED_NOTE_CALLS = {27}

# --- Reading the seed ------------------------------------------------------------------------------


@dataclass
class Page:
    number: int
    first_line: int
    text: list[tuple[int, str]] = field(default_factory=list)  # (seed line, raw line)
    notes: list[tuple[int, str]] = field(default_factory=list)


def read_pages(lines: list[str]) -> list[Page]:
    """Split the body (from BODY_FIRST_LINE) into printed pages of text lines and note lines."""
    for n in FURNITURE:
        stripped = lines[n - 1].strip()
        assert stripped in ("", RUNNING_HEAD, "138"), (n, stripped)
    pages = []
    bounds = PAGE_STARTS + [len(lines) + 1]
    for start, end in zip(bounds, bounds[1:], strict=False):
        numbered = [(n, lines[n - 1]) for n in range(start, end) if n not in FURNITURE]
        separators = [i for i, (n, raw) in enumerate(numbered) if raw == " " and n != SECTION_BREAK]
        page = Page(PAGE_OF_LINE[start], start)
        if separators:
            cut = separators[-1]
            page.text, page.notes = numbered[:cut], numbered[cut + 1 :]
        else:
            page.text = numbered
        pages.append(page)
    return pages


def join_lines(parts: list[tuple[int, str]]) -> str:
    """Join extraction lines into running text, removing soft line-end hyphens."""
    out = ""
    pending_hyphen_line = None
    for n, raw in parts:
        text = raw.strip()
        if not text:
            continue
        if pending_hyphen_line is not None:
            keep = pending_hyphen_line in KEEP_HYPHEN
            out = out + ("-" if keep else "") + text
            if keep:
                assert KEEP_HYPHEN[pending_hyphen_line] in out[-len(text) - 40 :], (pending_hyphen_line, out[-60:])
        else:
            out = (out + " " + text) if out else text
        if out.endswith("-") and not out.endswith(" -"):
            out = out[:-1]
            pending_hyphen_line = n
        else:
            pending_hyphen_line = None
    assert pending_hyphen_line is None, pending_hyphen_line
    return out


# Page markers travel through the text as private-use characters without digits, so that note-call
# detection and the other regular expressions cannot mistake them for text.
MARK_OPEN = "\ue000"


def page_mark(n: int) -> str:
    return MARK_OPEN + chr(0xE100 + n)


def render_page_marks(text: str) -> str:
    return re.sub(MARK_OPEN + "(.)", lambda m: f"[]{{.page n={ord(m.group(1)) - 0xE100}}}", text)


@dataclass
class Paragraph:
    first_line: int
    lines: list[tuple[int, str]]  # raw lines; a page mark is a (line, mark) entry placed before that line
    text: str = ""
    section_break_before: bool = False


def paragraphs(pages: list[Page]) -> list[Paragraph]:
    """Rejoin the text of all pages into paragraphs, with page marks at the page starts."""
    paras: list[Paragraph] = []
    current: Paragraph | None = None
    pending_break = False
    for page in pages:
        lines = list(page.text)
        while lines and not lines[-1][1].strip():
            lines.pop()
        for i, (n, raw) in enumerate(lines):
            if n == SECTION_BREAK:
                pending_break = True
                current = None
                continue
            if not raw.strip():
                if n not in SPURIOUS_BLANKS:
                    current = None
                continue
            if i == 0 and n in NEW_PARAGRAPH_AT:
                current = None
            if current is None:
                current = Paragraph(n, [], section_break_before=pending_break)
                pending_break = False
                paras.append(current)
            if i == 0:
                current.lines.append((n, page_mark(page.number)))
            current.lines.append((n, raw))
    for p in paras:
        p.text = join_with_marks(p.lines)
    return paras


def join_with_marks(parts: list[tuple[int, str]]) -> str:
    """Join lines; a page mark that falls inside a word (after a soft or kept hyphen) moves after that word."""
    text_parts: list[tuple[int, str]] = []
    deferred = ""
    for n, raw in parts:
        if raw.startswith(MARK_OPEN):
            deferred = raw
            continue
        if deferred:
            prev = text_parts[-1][1].rstrip() if text_parts else ""
            if prev.endswith("-") and not prev.endswith(" -"):
                m = re.match(r"\s*([\w-]+)(.*)$", raw, re.S)
                raw = m.group(1) + deferred + m.group(2)
            else:
                raw = deferred + raw.strip()
            deferred = ""
        text_parts.append((n, raw))
    return join_lines(text_parts)


def notes_by_number(pages: list[Page]) -> dict[int, tuple[int, str]]:
    """Collect the note texts; a note line starts with the next expected number and a space."""
    notes: dict[int, list[tuple[int, str]]] = {}
    expected = 1
    for page in pages:
        for n, raw in page.notes:
            if not raw.strip():
                continue
            m = re.match(r"(\d+) (.*)$", raw)
            if m and int(m.group(1)) == expected:
                notes[expected] = [(n, m.group(2))]
                expected += 1
            else:
                notes[expected - 1].append((n, raw))
    assert expected - 1 == NOTE_COUNT_IN_SOURCE, expected
    return {k: (v[0][0], join_lines(v)) for k, v in notes.items()}


# --- Editorial operations on the joined text --------------------------------------------------------


def apply_normalisations(text: str, where: str, counts: dict[str, int]) -> str:
    for norm in NORMALISATIONS:
        if norm.where not in (where, "both"):
            continue
        text, k = re.subn(norm.pattern, norm.edition, text)
        counts[norm.source_label] = counts.get(norm.source_label, 0) + k
    return text


def apply_emendation(text: str, em: Emendation) -> tuple[str, bool]:
    context = em.context or em.source
    if context not in text:
        return text, False
    assert text.count(context) == 1, (em.id, text.count(context))
    replaced = context.replace(em.source, em.rendered(), 1)
    return text.replace(context, replaced, 1), True


NOTE_CALL_BEFORE = r"[A-Za-zА-Яа-яЁё»).!?]"


def place_note_calls(paras: list[Paragraph]) -> dict[int, int]:
    """Replace the numbers glued to words with `[^N]`, in order 1..NOTE_CALLS; returns note → paragraph."""
    where: dict[int, int] = {}
    pi, pos = 0, 0
    for number in range(1, NOTE_CALLS + 1):
        space = " ?" if number in SPACED_NOTE_CALLS else ""
        pattern = re.compile(f"(?<={NOTE_CALL_BEFORE}){space}{number}(?!\\d)")
        while True:
            m = pattern.search(paras[pi].text, pos)
            if m:
                break
            pi, pos = pi + 1, 0
            assert pi < len(paras), f"note call {number} not found"
        t = paras[pi].text
        paras[pi].text = t[: m.start()] + f"[^{number}]" + t[m.end() :]
        pos = m.start() + len(f"[^{number}]")
        where[number] = pi
    return where


def convert_citations(number: int, text: str) -> str:
    for c in CITATIONS:
        if c.note == number:
            assert c.source in text, (number, c.source, text)
            text = text.replace(c.source, c.markup, 1)
    return text


# --- Output -----------------------------------------------------------------------------------------


def emendations_yaml(found: dict[str, int]) -> str:
    entries = []
    for em in sorted(EMENDATIONS, key=lambda e: e.seed_line):
        entries.append(
            {
                "id": em.id,
                "source": em.source,
                "edition": em.edition,
                "kind": em.kind,
                "why": em.why,
                "seed-line": em.seed_line,
            }
        )
    header = (
        "# Emendations: real errors of the source corrected in the edition. Generated by\n"
        "# tools/seed_to_md.py from its EMENDATIONS table; edit the table, not this file.\n"
    )
    return header + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)


def normalisations_yaml(counts: dict[str, int], extra: list[dict]) -> str:
    merged: dict[tuple[str, str], dict] = {}
    for norm in NORMALISATIONS:
        key = (norm.source_label, norm.edition)
        merged.setdefault(
            key,
            {"source": norm.source_label, "edition": norm.edition, "kind": norm.kind, "count": 0, "note": norm.note},
        )
        merged[key]["count"] += counts.get(norm.source_label, 0)
    entries = [e for e in merged.values() if e["count"]] + extra
    header = (
        "# Silent normalisations (described once in the preface). Generated by tools/seed_to_md.py;\n"
        "# counts are occurrences in the source text (body and notes).\n"
    )
    return header + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)


def abstracts(lines: list[str]) -> dict[str, str]:
    def block(a: int, b: int, prefix: str) -> str:
        text = join_lines([(n, lines[n - 1]) for n in range(a, b + 1)])
        assert text.startswith(prefix), text[:40]
        return text[len(prefix) :].strip()

    return {
        "abstract": block(1, 25, "Аннотация:"),
        "keywords": block(27, 29, "Ключевые слова:"),
        "abstract-en": block(31, 52, "Abstract:"),
        "keywords-en": block(54, 55, "Keywords:"),
    }


def build(seed: Path, out_dir: Path) -> None:
    lines = seed.read_text(encoding="utf-8").split("\n")
    pages = read_pages(lines)
    paras = paragraphs(pages)
    notes = notes_by_number(pages)
    counts: dict[str, int] = {}
    found: dict[str, int] = {}

    for p in paras:
        p.text = apply_normalisations(p.text, "body", counts)
    for em in EMENDATIONS:
        if em.markup:
            continue
        for p in paras:
            p.text, ok = apply_emendation(p.text, em)
            if ok:
                found[em.id] = found.get(em.id, 0) + 1
    where = place_note_calls(paras)

    note_md: dict[int, str] = {}
    for number, (_, text) in notes.items():
        text = apply_normalisations(text, "notes", counts)
        for em in EMENDATIONS:
            if em.markup and em.source in text:
                text = text.replace(em.source, em.markup, 1)
                found[em.id] = found.get(em.id, 0) + 1
        note_md[number] = convert_citations(number, text)
    note_md.update(MISSING_NOTES)
    missing = [em.id for em in EMENDATIONS if found.get(em.id) != 1]
    assert not missing, missing

    by_para: dict[int, list[int]] = {}
    for number, pi in where.items():
        by_para.setdefault(pi, []).append(number)

    starts = [start for _, start in FILES]
    file_of = []
    for p in paras:
        file_of.append(max(i for i, s in enumerate(starts) if s <= p.first_line))
    assert all(any(p.first_line == s for p in paras) for s in starts), "a file must start at a paragraph"

    out_dir.mkdir(parents=True, exist_ok=True)
    for fi, (name, _) in enumerate(FILES):
        chunks = []
        for pi, p in enumerate(paras):
            if file_of[pi] != fi:
                continue
            chunks.append(render_page_marks(p.text))
            defs = [f"[^{n}]: {render_page_marks(note_md[n])}" for n in by_para.get(pi, [])]
            if defs:
                chunks.append("\n".join(defs))
        (out_dir / name).write_text("\n\n".join(chunks) + "\n", encoding="utf-8")

    extra = [
        {
            "source": "«стран» 27,» (space before the note call, seed line 407)",
            "edition": "стран»[^27],",
            "kind": "spacing",
            "count": 1,
            "note": "The space between the closing quote and the note call is dropped.",
        },
        {
            "source": "line-end hyphenation of the extraction",
            "edition": "joined words",
            "kind": "hyphenation",
            "count": count_soft_hyphens(lines),
            "note": "Soft line-end hyphens removed; real hyphens kept: "
            + ", ".join(sorted(set(KEEP_HYPHEN.values())))
            + ". «со-правление» keeps its hyphen at line ends "
            "because the author writes it so mid-line.",
        },
    ]
    (out_dir / "emendations.yaml").write_text(emendations_yaml(found), encoding="utf-8")
    (out_dir / "normalisations.yaml").write_text(normalisations_yaml(counts, extra), encoding="utf-8")


def count_soft_hyphens(lines: list[str]) -> int:
    n = 0
    for i, raw in enumerate(lines, 1):
        if i < BODY_FIRST_LINE or i in FURNITURE:
            continue
        s = raw.rstrip()
        if s.endswith("-") and not s.endswith(" -") and i not in KEEP_HYPHEN:
            n += 1
    return n


def main(argv: list[str]) -> int:
    seed, out_dir = Path(argv[1]), Path(argv[2])
    if "--abstracts" in argv:
        lines = seed.read_text(encoding="utf-8").split("\n")
        print(yaml.safe_dump(abstracts(lines), allow_unicode=True, sort_keys=False, width=100))
        return 0
    build(seed, out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
