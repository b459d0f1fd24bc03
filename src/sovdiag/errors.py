"""One exception hierarchy for every problem a user can fix.

Why: the command line prints ``SovdiagError`` messages without a traceback and exits with their
``exit_code``; anything else is a bug and keeps its traceback. Messages are stored as a key of
``sovdiag.messages`` and its parameters, so the same error reads in French or in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from sovdiag.messages import translate


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # the input is invalid or the diagnostic could not be produced
    USAGE = 2  # bad options or arguments (Typer's own code)
    INTERRUPTED = 130


@dataclass(frozen=True)
class Problem:
    """One problem found in a data file: where it is and what is wrong.

    ``path`` is the key path inside the document (``services[3].contract.end``), ``line`` is
    1-based, ``expected``/``found`` are already translated phrases.
    """

    file: str
    message: str
    path: str = ""
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.path:
            return f"{where}: {self.path}: {self.message}"
        return f"{where}: {self.message}"


class SovdiagError(Exception):
    """A problem the user can fix: a bad file, an unknown id, a missing answer."""

    exit_code: int = ExitCode.ERROR

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def __str__(self) -> str:
        return translate(self.key, **self.params)


class InputFileError(SovdiagError):
    """A file cannot be read: missing, a directory, too big, not text."""


class ValidationFailed(SovdiagError):
    """A data file was read but its content is invalid; carries every problem found."""

    def __init__(self, file: str, problems: list[Problem], kind: str = "inventory") -> None:
        self.file = file
        self.problems = problems
        self.kind = kind
        super().__init__("error.validation_failed", file=file, count=len(problems))

    def __str__(self) -> str:
        head = translate("error.validation_failed", file=self.file, count=len(self.problems))
        return "\n".join([head, *("  - " + p.render() for p in self.problems)])


class FrameworkError(ValidationFailed):
    """The reference framework is inconsistent."""


class ReportError(SovdiagError):
    """The report could not be produced."""
