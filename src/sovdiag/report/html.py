"""Render the report's HTML with Jinja2.

Autoescaping is on for every template whatever its extension (``select_autoescape`` would leave
``.html.j2`` unescaped), so a supplier named ``<img src=…>`` prints as text. ``StrictUndefined``
makes a missing key an error instead of an empty spot in a report an elected official reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from sovdiag.errors import ReportError

MAIN_TEMPLATE = "report.html.j2"
STRINGS_FILE = "strings.yaml"


def make_environment(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def load_strings(folder: Path, lang: str) -> dict[str, str]:
    """The report's wording in ``lang``, from the template folder's ``strings.yaml``."""
    from sovdiag.yamlio import load_yaml_file

    _, data = load_yaml_file(folder / STRINGS_FILE, kind="strings")
    if not isinstance(data, dict) or not isinstance(data.get(lang), dict):
        raise ReportError("error.render_failed", reason=f"{folder / STRINGS_FILE}: no section « {lang} »")
    return {str(k): str(v) for k, v in data[lang].items()}


def render_html(context: dict[str, Any], folder: Path) -> str:
    env = make_environment(folder)
    strings = load_strings(folder, str(context["lang"]))
    try:
        return env.get_template(MAIN_TEMPLATE).render(**context, s=strings)
    except jinja2.TemplateError as err:
        raise ReportError("error.render_failed", reason=f"{type(err).__name__}: {err}") from err
