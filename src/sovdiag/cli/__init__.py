"""The command line: a thin layer that parses options, calls the library and prints.

The interface language must be known before the commands are declared (their help texts are
translated), so ``main`` reads ``--lang`` from the arguments, or ``SOVDIAG_LANG``, first. Heavy
modules (pydantic models, Jinja2, WeasyPrint) are imported inside the commands that need them:
``sovdiag --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from sovdiag import __version__
from sovdiag.cli.console import Group, State, err, print_text
from sovdiag.messages import LANGUAGES, get_language, set_language
from sovdiag.messages import translate as t


def _language_from_argv(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _version(value: bool) -> None:
    if value:
        print_text(t("cli.version", version=__version__))
        raise typer.Exit()


def _set_lang(value: str | None) -> str | None:
    if value is None:
        return value
    value = value.strip().lower()
    if value not in LANGUAGES:
        raise typer.BadParameter(t("cli.unknown_language", lang=value))
    set_language(value)
    return value


def _translate_typer() -> None:
    """Typer's help screens have a few words of their own; say them in the interface language."""
    from typer import rich_utils

    rich_utils.DEFAULT_STRING = t("cli.typer.default")
    rich_utils.REQUIRED_LONG_STRING = t("cli.typer.required")
    rich_utils.ARGUMENTS_PANEL_TITLE = t("cli.typer.arguments")
    rich_utils.OPTIONS_PANEL_TITLE = t("cli.typer.options")
    rich_utils.COMMANDS_PANEL_TITLE = t("cli.typer.commands")
    rich_utils.ERRORS_PANEL_TITLE = t("cli.typer.error")
    rich_utils.ABORTED_TEXT = t("cli.typer.aborted")
    rich_utils.RICH_HELP = t("cli.typer.try_help")


def build_app() -> typer.Typer:
    """The Typer application, with help texts in the current language."""
    from sovdiag.cli import anonymize, audit, catalog, compare, framework, importer, report, schema, score, validate

    _translate_typer()
    app = typer.Typer(
        cls=Group,
        name="sovdiag",
        help=t("cli.help"),
        epilog=t("cli.epilog"),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        version: Annotated[
            bool, typer.Option("--version", help=t("cli.opt.version"), callback=_version, is_eager=True)
        ] = False,
        lang: Annotated[
            str | None, typer.Option("--lang", help=t("cli.opt.lang"), callback=_set_lang, is_eager=True)
        ] = None,
        debug: Annotated[bool, typer.Option("--debug", help=t("cli.opt.debug"))] = False,
    ) -> None:
        State.debug = debug

    for module in (audit, validate, score, report, compare, anonymize, framework, catalog, schema, importer):
        module.register(app)
    return app


def main() -> None:
    argv = sys.argv[1:]
    lang = _language_from_argv(argv)
    if lang is not None and lang.strip().lower() in LANGUAGES:
        set_language(lang.strip().lower())
    app = build_app()
    try:
        app(args=argv, prog_name="sovdiag")
    except KeyboardInterrupt:
        err.print(t("cli.interrupted"))
        sys.exit(130)


__all__ = ["build_app", "get_language", "main"]
