"""Publishing the output folder as a whole: the new artefacts and their SHA256SUMS are put together in a
folder beside the output, which then takes the output's place (two renames). A reader sees the old set or the
new set, never a mix; artefacts of formats not built this time do not linger unlisted in SHA256SUMS.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import EditionError

SUMS = "SHA256SUMS"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sums_text(digests: dict[str, str]) -> str:
    """SHA256SUMS: `<sha256>  <path>`, sorted by path."""
    return "".join(f"{digests[path]}  {path}\n" for path in sorted(digests))


def staging(out: Path, kind: str = "stage") -> tempfile.TemporaryDirectory[str]:
    """A temporary folder beside ``out`` (same file system, so the final rename is atomic)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=f".{out.name}.{kind}-", dir=out.parent)


def publish(files: Iterable[tuple[str, Path]], out: Path, move: bool = True) -> dict[str, str]:
    """Make ``out`` hold exactly ``files`` (relative path, source file) and their SHA256SUMS; return the sums.
    Sources are moved (or copied with ``move=False``). On any failure ``out`` is as it was (OUT001)."""
    try:
        with staging(out, "publish") as tmp:
            folder = Path(tmp) / out.name
            folder.mkdir()
            digests: dict[str, str] = {}
            for relative, source in files:
                if relative in digests:
                    continue
                target = folder / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                if move:
                    os.replace(source, target)
                else:
                    shutil.copyfile(source, target)
                digests[relative] = sha256(target)
            (folder / SUMS).write_text(sums_text(digests), encoding="utf-8")
            os.chmod(folder, 0o755)
            _swap(folder, out, Path(tmp))
            return digests
    except OSError as exc:
        raise output_error(exc, out) from None


def output_error(exc: OSError, out: Path) -> EditionError:
    """OUT001 for an OS error while writing beside or into ``out`` (read-only, full, permissions)."""
    from .safepath import printable_name

    where = printable_name(Path(os.fsdecode(exc.filename)).name) if exc.filename else out.name
    return EditionError.single(
        "OUT001",
        f"cannot write the output folder: {exc.strerror or exc} ({where}); "
        f"{out.name}/ was left as it was — check space and permissions",
        None,
    )


@contextmanager
def shielded() -> Iterator[None]:
    """SIGINT and SIGTERM held back until the block is done, then handled as they would have been: for steps
    that must not stop half-way (the two renames of a publish, ending the workers, removing the stage folder).
    The handlers are swapped rather than the signals masked: a mask is per thread, and typst's threads would
    take the signal and have the handler run here anyway."""
    held: list[int] = []
    try:
        previous = {
            signum: signal.signal(signum, lambda number, _frame: held.append(number))
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
    except ValueError:  # not the main thread, where no handler runs
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        if held:
            first = signal.Signals(held[0])
            handler = previous[first]
            if callable(handler):
                handler(first, None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), first)


def _swap(new: Path, out: Path, tmp: Path) -> None:
    """Put ``new`` where ``out`` is: the old folder goes aside first and comes back if the second rename fails;
    an interrupt waits until both renames are done (between them ``out`` does not exist)."""
    with shielded():
        _renames(new, out, tmp)


def _renames(new: Path, out: Path, tmp: Path) -> None:
    if not out.exists():
        os.replace(new, out)
        return
    old = tmp / "previous"
    os.replace(out, old)
    try:
        os.replace(new, out)
    except OSError:
        os.replace(old, out)
        raise
