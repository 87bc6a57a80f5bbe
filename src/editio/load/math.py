"""Formulas that pandoc cannot convert from TeX (a command from a LaTeX preamble such as ``\\argmin``, or one
texmath does not know): every format would print their TeX source, so the load stage says so, with the line
(SRC013, a warning), instead of letting the PDF show ``$$\\begin{aligned}…`` silently."""

from __future__ import annotations

from ..ast import iter_nodes
from ..errors import DiagnosticLog


def warn_unconvertible_math(blocks: list, text: str, shown: str, session, log: DiagnosticLog) -> None:
    """SRC013 for each formula of one manuscript file that pandoc's converter refuses."""
    formulas = [(node["c"][1], node["c"][0]["t"] == "DisplayMath") for node in iter_nodes(blocks, ("Math",))]
    if session is None or not formulas:
        return
    for index in session.unconvertible_math(formulas, shown):
        tex = formulas[index][0]
        first = next((ln.strip() for ln in tex.splitlines() if ln.strip()), tex)
        at = text.find(first)
        line = text.count("\n", 0, at) + 1 if at >= 0 else None
        shown_tex = " ".join(tex.split())
        shown_tex = shown_tex if len(shown_tex) <= 40 else shown_tex[:39] + "…"
        log.add(
            "SRC013",
            f"the formula {shown_tex!r} cannot be converted from TeX (an unknown command or "
            "construct, e.g. one from a LaTeX preamble): every format shows its TeX source; write it with "
            "standard commands (\\operatorname{argmin} for \\argmin)",
            shown,
            line,
            severity="warning",
        )
