"""Write output files safely: never over an input, never half-written.

A report or results file is written to a temporary file beside its destination, flushed and
renamed, so that an interrupted run leaves either the old file or the new one, not a truncated one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sovdiag.errors import SovdiagError


def check_not_input(output: Path, inputs: Iterable[Path]) -> None:
    """Refuse an output path that names one of the input files (it would destroy the inventory)."""
    target = output.resolve()
    for path in inputs:
        if path.resolve() == target:
            raise SovdiagError("cli.output_is_input", file=str(output))


def _default_mode() -> int:
    """The permissions a plain ``open()`` would give (mkstemp's are owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, data: bytes | str) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = path.resolve().parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise SovdiagError("error.write_failed", file=str(path), reason=err.strerror or str(err)) from err
    try:
        os.fchmod(fd, _default_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as err:
        Path(tmp_name).unlink(missing_ok=True)
        raise SovdiagError("error.write_failed", file=str(path), reason=err.strerror or str(err)) from err
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
