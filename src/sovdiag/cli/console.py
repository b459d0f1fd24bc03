"""Terminal output and the one place where errors become messages and exit codes."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from sovdiag.errors import ExitCode, SovdiagError
from sovdiag.messages import translate as t

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def safe(text: str) -> str:
    """Show control characters (ESC, bidi overrides…) coming from user files as visible codes, so
    that a value in an inventory cannot drive the terminal or reorder what the user reads."""
    return "".join(
        ch if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf") else f"\\u{ord(ch):04x}" for ch in text
    )


class State:
    debug = False


P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Print a user error without a traceback and exit with its code (``--debug`` shows it)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except SovdiagError as error:
            if State.debug:
                raise
            message = f"{t('cli.error')} : {error}" if _is_french() else f"{t('cli.error')}: {error}"
            print_error(message)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            err.print(t("cli.interrupted"), markup=False)
            raise typer.Exit(ExitCode.INTERRUPTED) from None

    return wrapper


def _is_french() -> bool:
    from sovdiag.messages import get_language

    return get_language() == "fr"


def print_text(text: str, **kwargs: Any) -> None:
    out.print(safe(text), markup=False, soft_wrap=True, **kwargs)


def print_error(text: str) -> None:
    err.print(safe(text), markup=False, soft_wrap=True)


class _TranslatedHelp:
    """Give the --help option's own text in the interface language (Click writes it in English)."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = t("cli.opt.help")
        return option


class Group(_TranslatedHelp, TyperGroup):
    pass


class Command(_TranslatedHelp, TyperCommand):
    pass
