"""Fidelity of the edition to its source: the seed's body and notes compared word by word with the built text.

Both sides are normalised the same way (documented normalisations applied to the seed; case, hyphens, dashes,
quotes, punctuation and note-call digits dropped), then compared with difflib. Every difference is returned so
a test can require it to be a listed emendation or a documented normalisation.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

RUNNING_HEAD = "ЛАТИНОАМЕРИКАНСКИЙ ИСТОРИЧЕСКИЙ АЛЬМАНАХ"
BODY_START = "Важнейшим событием"
NOTE_START = re.compile(r"^(\d{1,2}) (\S.*)$")
# A note call glued to a word or closing punctuation in the seed: «партии1 (Partido», «лась56.», «»18».
NOTE_CALL = re.compile(r"(?<=[A-Za-zА-Яа-яЁё»\)\.,:;])\d{1,2}(?=[\s.,;:)»]|$)|(?<=»)\s\d{1,2}(?=[,.;])")
WORD = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+")


@dataclass
class SeedText:
    body: str
    notes: dict[int, str] = field(default_factory=dict)


def apply_emendations(seed: str, emendations: list[dict]) -> str:
    """The seed with each listed emendation applied at its recorded line (the edition's reading)."""
    lines = seed.splitlines()
    for item in emendations:
        index = int(item["seed-line"]) - 1
        source, edition = str(item["source"]), str(item["edition"])
        for span in (1, 2, 3):
            chunk = "\n".join(lines[index : index + span])
            flat = re.sub(r"-?\n\s*", lambda m: "" if m.group(0).startswith("-") else " ", chunk)
            if source in chunk:
                lines[index : index + span] = chunk.replace(source, edition, 1).split("\n")
                break
            if source in flat:
                lines[index : index + span] = [flat.replace(source, edition, 1)] + [""] * (span - 1)
                break
    return "\n".join(lines)


def split_seed(seed: str) -> SeedText:
    """Body and notes of the seed: page-foot notes follow a line holding a single space."""
    lines = seed.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(BODY_START))
    body: list[str] = []
    notes: dict[int, list[str]] = {}
    in_notes = False
    current: int | None = None
    expect_note = False
    for line in lines[start:]:
        if line == " ":
            in_notes = expect_note = True
            continue
        if expect_note and line.strip():
            expect_note = False
            previous = notes.get(current, [""])[-1].rstrip() if current is not None else "."
            if not NOTE_START.match(line.strip()) and previous.endswith(".") and line.strip()[0].isupper():
                in_notes = False  # a blank separator inside the text (the conclusion), not a notes block
        if line.startswith(" ") and line.strip():
            in_notes = False
        stripped = line.strip()
        if RUNNING_HEAD in stripped or re.fullmatch(r"\d{3}", stripped):
            in_notes = False
            continue
        if in_notes:
            match = NOTE_START.match(stripped)
            if match and (current is None or int(match.group(1)) == current + 1):
                current = int(match.group(1))
                notes[current] = [match.group(2)]
            elif current is not None and stripped:
                notes[current].append(stripped)
        else:
            body.append(line)
    return SeedText(_join(body), {n: _join(t) for n, t in notes.items()})


def _join(lines: list[str]) -> str:
    text = "\n".join(lines)
    return re.sub(r"-\s*\n\s*", "-", text)  # line-end hyphens kept as hyphens: normalise() drops them anyway


def normalise(text: str, replacements: list[tuple[str, str]] = (), strip_calls: bool = True) -> list[str]:
    """The comparable word sequence of a text."""
    text = unicodedata.normalize("NFC", text)
    for source, edition in replacements:
        text = re.sub(rf"(?<![A-Za-zА-Яа-яЁё]){re.escape(source)}(?![A-Za-zА-Яа-яЁё])", edition, text)
    if strip_calls:
        text = NOTE_CALL.sub("", text)
    text = text.replace("\u00a0", " ").replace("ё", "е").replace("Ё", "Е")
    text = re.sub(r"(?<=\d)\s*[-‐‑–—]\s*(?=\d)", " ", text)  # number ranges: 14 – 15 = 14–15
    text = re.sub(r"[-‐‑–—]", "", text)  # «со-правление» = «соправление»; dashes are typography
    return [w.lower() for w in WORD.findall(text)]


@dataclass
class Comparison:
    kept: float
    differences: list[tuple[str, str]]


def compare(seed_words: list[str], edition_words: list[str]) -> Comparison:
    matcher = difflib.SequenceMatcher(a=seed_words, b=edition_words, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    differences = [
        (" ".join(seed_words[i1:i2]), " ".join(edition_words[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
    return Comparison(same / max(len(seed_words), 1), differences)
