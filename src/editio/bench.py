"""Benchmark of the build: `python -m editio.bench` (or `nox -s bench`).

Measures, on a copy of the project in a temporary folder:

- clean builds (cache off), in total and per format, median of ``--runs`` runs, each in its own process;
- peak RSS of a build, children included (``os.wait4`` of the build process reports the maximum over it and
  every process it waited for: pandoc runs, typst);
- the floor, in the same run: bare pandoc + typst on the same manuscript files with no filters (Markdown →
  typst with the edition's template → typst.compile; Markdown → EPUB 3; Markdown → HTML5; all with
  --citeproc, the CSL and the bibliography; fenced divs read as text, since without the filters the
  back matter's divs would put headings where typst forbids page breaks), so every figure has the floor
  beside it;
- CPU time (user + system, children included) against the floor's, and pandoc processes started per build
  (a wrapper named by PYPANDOC_PANDOC counts them) against the floor's three;
- an HTML-only build (what `nox -s preview` rebuilds) against the 1 s target;
- a rebuild with no change (cache on) against the 0.2 s target;
- a 10× manuscript (the body files repeated 10 times with unique note labels, page numbers and ids) against
  the same manuscript 1× with the same filters, to show how cost grows.

Targets are printed with PASS/MISS; the exit status is 0 whatever they say (exit 1 only if a build fails).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

TARGET_RATIO = 1.5
TARGET_RSS_MB = 250
TARGET_NOCHANGE_S = 0.2
TARGET_GROWTH = 10.0
TARGET_PANDOC = 8
TARGET_HTML_S = 1.0
REPEAT = 10
# Filters that require an anchor phrase to occur exactly once in the text: impossible when the body is
# repeated, so the 10× comparison runs without them (at 1× and at 10×, so both sides do the same work).
ONCE_ONLY_FILTERS = ("chronology", "editorial_notes")
EXT_FORMAT = {".pdf": "pdf", ".epub": "epub", ".html": "html"}
ARTEFACT = re.compile(r"^\s+(\S+)\s+[\d,]+ B\s+([\d.]+) s\s+sha256")


# --- measuring one process -------------------------------------------------------------------------------


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str, float]:
    """Run ``cmd``; return wall seconds, peak RSS in MB (the process and all it waited for), stdout and CPU
    seconds (user + system of the process and every process it waited for)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{stdout}\n{stderr}")
    return seconds, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime


def pandoc_counter(folder: Path) -> tuple[Path, Path]:
    """A wrapper that logs every pandoc start and runs the real pandoc (pypandoc honours PYPANDOC_PANDOC)."""
    from pypandoc import get_pandoc_path

    log = folder / "pandoc-starts.log"
    wrapper = folder / "pandoc"
    wrapper.write_text(f'#!/bin/sh\necho x >> "{log}"\nexec "{get_pandoc_path()}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper, log


def count_lines(path: Path) -> int:
    try:
        return len(path.read_text(encoding="utf-8").splitlines())
    except OSError:
        return 0


def environment() -> dict[str, str]:
    import editio

    env = dict(os.environ)
    package_parent = str(Path(editio.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH", "")) if p)
    env.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    env.pop("EDITIO_NO_CACHE", None)
    return env


def per_format(report: str) -> dict[str, float]:
    """The seconds the build report gives each format (render + write, without loading the manuscript)."""
    times = {}
    for line in report.splitlines():
        match = ARTEFACT.match(line)
        if match and Path(match.group(1)).suffix in EXT_FORMAT:
            times[EXT_FORMAT[Path(match.group(1)).suffix]] = float(match.group(2))
    return times


# --- the project copies ----------------------------------------------------------------------------------


def copy_project(root: Path, manuscript: Path, target: Path) -> Path:
    """The manuscript folder, the filters and the project's top-level files, copied to ``target``."""
    target.mkdir(parents=True)
    for path in root.iterdir():
        if path.is_file():
            shutil.copy2(path, target / path.name)
    shutil.copytree(manuscript, target / manuscript.name, ignore=shutil.ignore_patterns("__pycache__"))
    if (root / "filters").is_dir():
        shutil.copytree(root / "filters", target / "filters", ignore=shutil.ignore_patterns("__pycache__"))
    return target / manuscript.name


def without_filters(manuscript: Path, names: tuple[str, ...]) -> list[str]:
    """Remove ``names`` from the copy's `filters` list (rewrites only that line of edition.yaml) and the
    fenced divs those filters fill (class = the name with `-`), which without them would stay unprocessed."""
    config = manuscript / "edition.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    kept = [f for f in data.get("filters", []) if f not in names]
    removed = [f for f in data.get("filters", []) if f in names]
    lines = config.read_text(encoding="utf-8").splitlines()
    lines = [f"filters: [{', '.join(kept)}]" if line.startswith("filters:") else line for line in lines]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    classes = "|".join(re.escape(name.replace("_", "-")) for name in removed)
    if classes:
        div = re.compile(
            rf"^:::+ *(?:\{{[^}}]*\.(?:{classes})\b[^}}]*\}}|(?:{classes})) *\n.*?^:::+ *$\n?", re.M | re.S
        )
        for name in data.get("files", []):
            path = manuscript / name
            text = path.read_text(encoding="utf-8")
            if div.search(text):
                path.write_text(div.sub("", text), encoding="utf-8")
    return removed


def body_files(manuscript: Path) -> list[str]:
    """The listed files that carry the author's notes or page markers (the article's body)."""
    data = yaml.safe_load((manuscript / "edition.yaml").read_text(encoding="utf-8"))
    return [f for f in data["files"] if re.search(r"\[\^[^\]]+\]|\{\.page ", (manuscript / f).read_text("utf-8"))]


def repeat_text(text: str, k: int, step: int) -> str:
    """Repeat ``k`` of a body file: note labels `[^N]` → `[^rK-N]`, page numbers + k·step, ids suffixed,
    emendation markup reduced to its reading."""
    text = re.sub(r"\[\^([^\]\s]+)\]", lambda m: f"[^r{k}-{m.group(1)}]", text)
    text = re.sub(r"(\{[^}]*\.page[^}]*\bn=)(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + k * step}", text)
    text = re.sub(r"\{#([\w:.-]+)", lambda m: f"{{#{m.group(1)}-r{k}", text)
    # An emendation is listed once in the apparatus with one back-link: repeats carry the corrected reading
    # as plain text.
    text = re.sub(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\{\.emendation[^}]*\}", r"\1", text)
    return text


def make_repeated(manuscript: Path, times: int) -> list[str]:
    """Turn the copy's body into ``times`` repeats (new files listed right after the originals)."""
    config = manuscript / "edition.yaml"
    body = body_files(manuscript)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    step = 1000
    new_files = []
    for k in range(1, times):
        for name in body:
            copy = f"r{k:02d}-{name}"
            (manuscript / copy).write_text(repeat_text((manuscript / name).read_text("utf-8"), k, step), "utf-8")
            new_files.append(copy)
    files = list(data["files"])
    last = max(files.index(name) for name in body)
    files[last + 1 : last + 1] = new_files
    lines = config.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("files:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("  - "):
        end += 1
    lines[start:end] = ["files:", *[f"  - {f}" for f in files]]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return body


# --- the floor -------------------------------------------------------------------------------------------


def floor(manuscript: Path, out: Path) -> dict[str, float]:
    """Bare pandoc + typst on the manuscript's files, no filters; seconds per format."""
    import typst

    from .build import pdf_strings
    from .config import load_config
    from .i18n import catalogue
    from .load.manuscript import plain
    from .load.pandoc import MARKDOWN
    from .load.pandoc import run as run_pandoc
    from .writers.epub import TEMPLATES
    from .writers.pdf import INFO_FILE, TEMPLATE, UI_FILE, document_info

    config = load_config(manuscript, manuscript.parent)
    out.mkdir(parents=True, exist_ok=True)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "1700000000")
    # Without fenced divs: the edition's divs hold headings that only the filters take out of containers
    # (typst forbids the template's page breaks inside a block); the text stays the same.
    common = [
        "-f",
        MARKDOWN + "-fenced_divs",
        "--citeproc",
        f"--csl={config.csl.resolve()}",
        f"--metadata-file={config.config_file.resolve()}",
        "--wrap=preserve",
    ]
    if config.bibliography is not None:
        common.append(f"--bibliography={config.bibliography.resolve()}")
    files = [str(p.resolve()) for p in config.files]
    times = {}
    t0 = time.perf_counter()
    source = out / "floor.typ"
    # the template reads its document info and interface words from two JSON files beside the source
    lang = str(config.metadata.get("lang", "en"))
    (out / INFO_FILE).write_text(json.dumps(document_info(plain(config.metadata))), encoding="utf-8")
    (out / UI_FILE).write_text(json.dumps(pdf_strings(catalogue(lang))), encoding="utf-8")
    source.write_text(
        run_pandoc(
            [*common, "-t", "typst", "--standalone", f"--template={TEMPLATE}", *files],
            cwd=manuscript,
            what="floor typst",
        ),
        encoding="utf-8",
    )
    (out / "floor.pdf").write_bytes(
        typst.compile(str(source), root=str(out), ignore_system_fonts=True, font_paths=[], timestamp=int(epoch))
    )
    times["pdf"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_pandoc(
        [
            *common,
            "-t",
            "epub3",
            "-o",
            str(out / "floor.epub"),
            "--toc",
            "--split-level=1",
            f"--css={TEMPLATES / 'epub.css'}",
            *files,
        ],
        env={"SOURCE_DATE_EPOCH": epoch},
        cwd=manuscript,
        what="floor epub",
    )
    times["epub"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    run_pandoc(
        [*common, "-t", "html5", "--standalone", "--toc", "-o", str(out / "floor.html"), *files],
        cwd=manuscript,
        what="floor html",
    )
    times["html"] = time.perf_counter() - t0
    return times


# --- the report ------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def run_series(label: str, runs: int, cmd_for, cwd: Path, env: dict[str, str]) -> list[tuple[float, float, str, float]]:
    results = []
    for i in range(runs):
        results.append(measure(cmd_for(i), cwd, env))
        print(f"  {label} run {i + 1}/{runs}: {results[-1][0]:.2f} s, peak RSS {results[-1][1]:.0f} MB", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m editio.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--manuscript", type=Path, default=Path("manuscript"))
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median is reported)")
    parser.add_argument("--runs-10x", type=int, default=1, help="runs of the 10x and its 1x comparison")
    parser.add_argument("--skip-10x", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    parser.add_argument("--floor", nargs=2, metavar=("MANUSCRIPT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor:
        print(json.dumps(floor(Path(args.floor[0]), Path(args.floor[1]))))
        return 0

    root = Path.cwd()
    env = environment()
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="editio-bench-"))
    try:
        print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}, Python {sys.version.split()[0]}; runs: {args.runs}")
        manuscript = copy_project(root, args.manuscript.resolve(), tmp / "p1")
        project = manuscript.parent

        def build_cmd(out: Path, *extra: str):
            return lambda i: [
                py,
                "-m",
                "editio",
                "build",
                "--manuscript",
                str(manuscript),
                "--out",
                str(out) + (f"-{i}" if "--no-cache" in extra else ""),
                *extra,
            ]

        wrapper, starts = pandoc_counter(tmp)
        counted = {**env, "PYPANDOC_PANDOC": str(wrapper)}
        print("clean builds (cache off):", flush=True)
        clean = run_series("build", args.runs, build_cmd(tmp / "dist", "--no-cache"), project, counted)
        build_starts = count_lines(starts) / args.runs
        starts.unlink(missing_ok=True)
        print("floor (bare pandoc + typst, no filters):", flush=True)
        floors = run_series(
            "floor",
            args.runs,
            lambda i: [py, "-m", "editio.bench", "--floor", str(manuscript), str(tmp / f"floor-{i}")],
            project,
            counted,
        )
        floor_starts = count_lines(starts) / args.runs
        print("HTML only (what the preview rebuilds), cache off:", flush=True)
        html_only = run_series(
            "html",
            args.runs,
            lambda i: [
                py,
                "-m",
                "editio",
                "build",
                "--no-cache",
                "--format",
                "html",
                "--manuscript",
                str(manuscript),
                "--out",
                str(tmp / f"html-{i}"),
            ],
            project,
            env,
        )
        print("no-change rebuild (cache on):", flush=True)
        measure(build_cmd(tmp / "cached")(0), project, env)  # fills the cache
        cached = run_series("rebuild", args.runs, build_cmd(tmp / "cached"), project, env)
        served = all("up to date" in r[2] for r in cached)

        total = statistics.median(r[0] for r in clean)
        floor_total = statistics.median(r[0] for r in floors)
        cpu = statistics.median(r[3] for r in clean)
        floor_cpu = statistics.median(r[3] for r in floors)
        rss = max(r[1] for r in clean)
        floor_rss = max(r[1] for r in floors)
        fmt_build = {f: statistics.median(per_format(r[2])[f] for r in clean) for f in EXT_FORMAT.values()}
        fmt_floor = {f: statistics.median(json.loads(r[2])[f] for r in floors) for f in EXT_FORMAT.values()}
        nochange = statistics.median(r[0] for r in cached)
        html_s = statistics.median(r[0] for r in html_only)

        lines = ["", f"== results (median of {args.runs} runs; floor measured in the same run) =="]
        for f in EXT_FORMAT.values():
            lines.append(
                f"  {f:<5} build {fmt_build[f]:6.2f} s   floor {fmt_floor[f]:6.2f} s   "
                f"ratio {fmt_build[f] / fmt_floor[f]:5.2f}x   (lowering + writer, in its process)"
            )
        ratio = total / floor_total
        lines.append(
            f"  total build {total:6.2f} s   floor {floor_total:6.2f} s   ratio {ratio:5.2f}x   "
            f"target <= {TARGET_RATIO}x: {verdict(ratio <= TARGET_RATIO)}"
        )
        lines.append(f"  CPU time    {cpu:6.2f} s   floor {floor_cpu:6.2f} s   ratio {cpu / floor_cpu:5.2f}x")
        lines.append(
            f"  pandoc processes per clean build {build_starts:4.0f}   floor {floor_starts:4.0f}   "
            f"target <= {TARGET_PANDOC}: {verdict(build_starts <= TARGET_PANDOC)}"
        )
        lines.append(
            f"  HTML-only build {html_s:6.2f} s (whole process, as the preview rebuilds)   "
            f"target <= {TARGET_HTML_S} s: {verdict(html_s <= TARGET_HTML_S)}"
        )
        lines.append(
            f"  peak RSS build {rss:6.0f} MB   floor {floor_rss:6.0f} MB   target <= {TARGET_RSS_MB} MB: "
            f"{verdict(rss <= TARGET_RSS_MB)}"
        )
        lines.append(
            f"  no-change rebuild {nochange:6.2f} s (served from cache: {'yes' if served else 'NO'})   "
            f"floor {floor_total:6.2f} s   target <= {TARGET_NOCHANGE_S} s: "
            f"{verdict(served and nochange <= TARGET_NOCHANGE_S)}"
        )
        lines.append(wheel_check(root, tmp, py))
        if not args.skip_10x:
            lines += growth(root, args, tmp, env, py)
        print("\n".join(lines))
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def growth(root: Path, args, tmp: Path, env: dict[str, str], py: str) -> list[str]:
    """The 10x manuscript against 1x, both without the filters that need unique anchors."""
    results = {}
    removed: list[str] = []
    body: list[str] = []
    for times in (1, REPEAT):
        manuscript = copy_project(root, args.manuscript.resolve(), tmp / f"g{times}")
        removed = without_filters(manuscript, ONCE_ONLY_FILTERS)
        if times > 1:
            body = make_repeated(manuscript, times)
        print(f"{times}x manuscript (without {', '.join(removed) or 'no filter'}):", flush=True)
        build = run_series(
            f"{times}x build",
            args.runs_10x,
            lambda i, manuscript=manuscript, times=times: [
                py,
                "-m",
                "editio",
                "build",
                "--no-cache",
                "--manuscript",
                str(manuscript),
                "--out",
                str(tmp / f"g{times}-dist-{i}"),
            ],
            manuscript.parent,
            env,
        )
        fl = run_series(
            f"{times}x floor",
            args.runs_10x,
            lambda i, manuscript=manuscript, times=times: [
                py,
                "-m",
                "editio.bench",
                "--floor",
                str(manuscript),
                str(tmp / f"g{times}-floor-{i}"),
            ],
            manuscript.parent,
            env,
        )
        results[times] = (
            statistics.median(r[0] for r in build),
            statistics.median(r[0] for r in fl),
            max(r[1] for r in build),
        )
    (b1, f1, _), (b10, f10, rss10) = results[1], results[REPEAT]
    growth_ratio = b10 / b1
    return [
        f"  {REPEAT}x manuscript: body files {', '.join(body)} repeated {REPEAT} times (note labels [^rK-N], page "
        f"numbers +1000*K, ids -rK, emendations of the repeats as plain readings);",
        f"    filters {', '.join(removed)} (and the divs they fill) left out at 1x and {REPEAT}x: they require each "
        f"anchor phrase to occur exactly once; median of {args.runs_10x} run(s)",
        f"    1x  build {b1:6.2f} s   floor {f1:6.2f} s",
        f"    {REPEAT}x build {b10:6.2f} s   floor {f10:6.2f} s   peak RSS {rss10:.0f} MB",
        f"    growth: build {growth_ratio:5.2f}x   floor {f10 / f1:5.2f}x   target build <= {TARGET_GROWTH:.0f}x: "
        f"{verdict(growth_ratio <= TARGET_GROWTH)}",
    ]


def wheel_check(root: Path, tmp: Path, py: str) -> str:
    """`pip wheel .`, installed on its own (dependencies from this environment), builds tests/fixtures/mini in a
    folder with no `filters/` and no source tree."""
    wheels = tmp / "wheel"
    site = tmp / "wheel-site"
    proc = subprocess.run(
        [py, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(root)], capture_output=True, text=True
    )
    if proc.returncode == 0:
        wheel = next(wheels.glob("editio-*.whl"))
        proc = subprocess.run(
            [py, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
            capture_output=True,
            text=True,
        )
    project = tmp / "wheel-project"
    if proc.returncode == 0:
        shutil.copytree(root / "tests" / "fixtures" / "mini", project)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PYTHONPATH"] = str(site)
        proc = subprocess.run(
            [py, "-m", "editio", "build", "--no-cache", "--manuscript", "manuscript", "--out", "dist"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
    ok = proc.returncode == 0 and not (project / "filters").exists() and (project / "dist" / "mini.pdf").is_file()
    detail = "" if ok else f" ({(proc.stderr or proc.stdout).strip().splitlines()[-1:]})"
    return f"  wheel (pip wheel . → installed alone) builds tests/fixtures/mini without filters/: {verdict(ok)}{detail}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
