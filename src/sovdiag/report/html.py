"""Render the report's HTML with Jinja2.

Autoescaping is on for every template whatever its extension (``select_autoescape`` would leave
``.html.j2`` unescaped), so a supplier named ``<img src=…>`` prints as text. ``StrictUndefined``
makes a missing key an error instead of an empty spot in a report an elected official reads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from sovdiag.errors import ReportError

MAIN_TEMPLATE = "report.html.j2"
STRINGS_FILE = "strings.yaml"


NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


def french_spacing(value: Any) -> Any:
    """French typography on printed text: a narrow no-break space before ; : ! ? and inside « »,
    so that punctuation never starts a line. Applied to values, before escaping (no markup added)."""
    if not isinstance(value, str) or not value:
        return value
    text = value
    for mark in (";", "!", "?"):
        text = text.replace(f" {mark}", f"{NARROW_NBSP}{mark}")
    text = text.replace(" :", f"{NBSP}:")
    return text.replace("« ", f"«{NARROW_NBSP}").replace(" »", f"{NARROW_NBSP}»")


def make_environment(folder: Path, lang: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=french_spacing if lang == "fr" else None,
    )


def load_strings(folder: Path, lang: str) -> dict[str, str]:
    """The report's wording in ``lang``, from the template folder's ``strings.yaml``."""
    from sovdiag.yamlio import load_yaml_file

    _, data = load_yaml_file(folder / STRINGS_FILE, kind="strings")
    if not isinstance(data, dict) or not isinstance(data.get(lang), dict):
        raise ReportError("error.render_failed", reason=f"{folder / STRINGS_FILE}: no section « {lang} »")
    return {str(k): str(v) for k, v in data[lang].items()}


def load_glossary(folder: Path, lang: str) -> list[dict[str, str]]:
    from sovdiag.yamlio import load_yaml_file

    path = folder / "glossary.yaml"
    if not path.is_file():
        return []
    _, data = load_yaml_file(path, kind="glossary")
    entries = data.get(lang, []) if isinstance(data, dict) else []
    return sorted(
        (
            {"term": str(e["term"]), "definition": str(e["definition"]), "expand": str(e.get("expand", ""))}
            for e in entries
        ),
        key=lambda e: e["term"].casefold(),
    )


def spell_out(texts: list[str], glossary: list[dict[str, str]]) -> list[str]:
    """Spell out each acronym of the glossary at its first use in ``texts`` (read in order), for
    readers who do not have the glossary at hand: « HDS » -> « HDS (hébergement de données de santé) »."""
    seen: set[str] = set()
    out = []
    for text in texts:
        for entry in glossary:
            term, expand = entry["term"], entry["expand"]
            if not expand or term in seen:
                continue
            pattern = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])")
            if pattern.search(text):
                spelt = f"{term} ({expand})"
                text = pattern.sub(lambda _match: spelt, text, count=1)  # noqa: B023 - used at once
                seen.add(term)
        out.append(text)
    return out


def render_html(context: dict[str, Any], folder: Path) -> str:
    lang = str(context["lang"])
    env = make_environment(folder, lang)
    strings = load_strings(folder, lang)
    glossary = load_glossary(folder, lang)
    decisions = context.get("decisions") or []
    titles = spell_out([d["title"] for d in decisions], glossary)
    context = {**context, "decisions": [{**d, "title": title} for d, title in zip(decisions, titles, strict=True)]}
    return render_template(env, MAIN_TEMPLATE, {**context, "s": strings, "glossary": glossary})


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one template; any way it can fail becomes a ReportError that says why."""
    try:
        return env.get_template(name).render(**context)
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError, IndexError) as err:
        # A template brought with --templates may be wrong in any of these ways: say so, plainly.
        raise ReportError("error.render_failed", reason=f"{type(err).__name__}: {err}") from err
