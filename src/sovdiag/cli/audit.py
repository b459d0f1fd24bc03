"""sovdiag audit [FILE] [--service ID] [--domain ID] [--no-input]"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sovdiag.cli.console import Command, handle_errors, out, print_text
from sovdiag.cli.options import catalog_option, framework_option, inventory_argument
from sovdiag.messages import get_language
from sovdiag.messages import translate as t

if TYPE_CHECKING:
    from sovdiag.session import Progress, Question

HELP_WORDS = ("h", "aide", "help")


class ConsoleAsker:
    """Prompts in the terminal: numbered answers, words for the special replies, no meaning carried
    by colour alone (NO_COLOR is honoured by rich). With a terminal, prompt_toolkit completes names
    from the catalog (Tab); without one (a pipe, a script), plain lines are read from standard input."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive

    def show(self, text: str) -> None:
        print_text(text)

    def header(self, progress: Progress) -> None:
        line = t(
            "audit.header",
            where=progress.where,
            domains_done=progress.domains_done,
            domains=progress.domains,
            services=progress.services,
            complete=progress.services_complete,
            left=progress.questions_left,
            unknown=progress.unknown,
        )
        out.rule(style="dim")
        print_text(line)

    def _label(self, question: Question, value: str | None) -> str:
        for option in question.options:
            if option.value == value:
                return f"{option.key}. {option.label}"
        return value or ""

    def ask(self, question: Question) -> str:
        print_text("")
        print_text(question.title, style="bold")
        for option in question.options:
            mark = " ◀" if option.value == question.default else ""
            print_text(f"  {option.key:>2}. {option.label}{mark}")
        if question.default_note:
            print_text(t("audit.catalog_says") + " " + question.default_note)
        if question.default:
            print_text(t("audit.default", value=self._label(question, question.default)))
        print_text(self._keys(question), style="dim")
        while True:
            reply = self._read(question)
            if reply.strip().lower() in HELP_WORDS:
                print_text(question.help or "—")
                continue
            return reply

    @staticmethod
    def _keys(question: Question) -> str:
        """The keys this question accepts, in words (not colour) so that every terminal shows them."""
        keys = []
        if question.options:
            keys.append(t("audit.key.numbers" if question.multiple else "audit.key.number"))
        if question.allow_unknown:
            keys.append(t("audit.key.unknown"))
        if question.allow_not_applicable:
            keys.append(t("audit.key.na"))
        if question.allow_back:
            keys.append(t("audit.key.back"))
        keys.append(t("audit.key.default") if question.default else t("audit.key.later"))
        if question.help:
            keys.append(t("audit.key.help"))
        keys.append(t("audit.key.quit"))
        return " · ".join(keys)

    def _read(self, question: Question) -> str:
        if not self.interactive:
            line = sys.stdin.readline()
            if not line:  # end of input: stop, everything confirmed is saved
                return "q"
            return line.rstrip("\n")
        from prompt_toolkit import prompt
        from prompt_toolkit.completion import FuzzyWordCompleter

        completer = FuzzyWordCompleter(list(question.completions)) if question.completions else None
        return prompt("> ", completer=completer, complete_while_typing=False)


def register(app: typer.Typer) -> None:
    @app.command("audit", help=t("cli.audit.help"), cls=Command)
    @handle_errors
    def audit(
        inventory: Annotated[Path, inventory_argument("cli.audit.arg.file")] = Path("inventaire.yaml"),
        service: Annotated[
            str | None, typer.Option("--service", help=t("cli.audit.opt.service"), show_default=False)
        ] = None,
        domain: Annotated[
            str | None, typer.Option("--domain", help=t("cli.audit.opt.domain"), show_default=False)
        ] = None,
        no_input: Annotated[bool, typer.Option("--no-input", help=t("cli.audit.opt.no_input"))] = False,
        framework: Annotated[Path | None, framework_option()] = None,
        catalog: Annotated[Path | None, catalog_option()] = None,
    ) -> None:
        from sovdiag.catalog import load_catalog
        from sovdiag.framework import load_domains, load_framework
        from sovdiag.resources import inventory_schema_hint
        from sovdiag.session import AuditSession, infer_catalog_refs, missing_report
        from sovdiag.store import InventoryStore

        loaded = load_framework(framework)
        domains = load_domains()
        cat = load_catalog(catalog, {d.id for d in domains.domains})
        store = InventoryStore(inventory, schema_hint=inventory_schema_hint(inventory))
        store.open()
        with store:
            if store.replayed:
                print_text(t("audit.resume", file=str(inventory), replayed=store.replayed))
            asker = ConsoleAsker(interactive=sys.stdin.isatty() and sys.stdout.isatty())
            session = AuditSession(store, loaded, domains, cat, asker, lang=get_language())
            if no_input:
                inferred = infer_catalog_refs(session)
                print_text(t("audit.inferred", count=inferred))
                missing = missing_report(session)
                for line in missing:
                    print_text(f"  • {line}")
                if missing:
                    raise typer.Exit(1)
                print_text(t("audit.nothing_missing"))
                return
            progress = session.run(domain=domain, service_id=service)
        print_text(t("audit.saved", file=str(inventory)))
        print_text(t("audit.done", services=progress.services, left=progress.questions_left, unknown=progress.unknown))
