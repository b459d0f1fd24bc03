"""Turn pydantic's validation errors into problems a person can act on.

Each problem names the file, the line, the key path (``services[3].contract.end``), what was
expected and what was found, in the user's language.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sovdiag.errors import Problem, ValidationFailed
from sovdiag.messages import translate as t
from sovdiag.models import COUNTRY
from sovdiag.yamlio import LineLocator, shorten

M = TypeVar("M", bound=BaseModel)

PathPart = str | int


def render_path(path: Sequence[PathPart]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + shorten(str(part))
    return out


def describe_found(value: Any) -> str:
    if value is None:
        return t("found.nothing")
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    text = repr(value) if not isinstance(value, str) else f"« {value} »"
    return text if len(text) <= 80 else text[:77] + "…"


def _field_names(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    stack = [model]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, field in current.model_fields.items():
            names.add(field.alias or name)
            for arg in _model_args(field.annotation):
                stack.append(arg)
    return names


def _model_args(annotation: Any) -> Iterable[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _model_args(arg)
    origin = getattr(annotation, "__origin__", None)
    if isinstance(origin, type) and issubclass(origin, BaseModel):
        yield origin


_PATTERN_KEYS = {"id": "expected.identifier", "siren": "expected.siren", "departement": "expected.departement"}


def _number(value: Any) -> Any:
    """1.0 -> 1, so that limits read as people write them."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _expected(error: ErrorDetails, field: str) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "string_type":
        return t("expected.string_quoted" if isinstance(value, int | float | bool) else "expected.string")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return t("expected.integer")
    if kind in {"float_type", "float_parsing", "finite_number"}:
        return t("expected.number")
    if kind in {"bool_type", "bool_parsing"}:
        return t("expected.boolean")
    if kind.startswith("date"):
        return t("expected.date")
    if kind in {"list_type", "tuple_type", "set_type"}:
        return t("expected.list")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return t("expected.mapping")
    if kind in {"enum", "literal_error"}:
        # pydantic writes "'a', 'b' or 'c'": list the values the same way in every language.
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", ""))) or [str(ctx.get("expected", ""))]
        return t("expected.one_of", choices=", ".join(choices))
    if kind in {"string_too_short", "too_short"}:
        return t("expected.min_length", min=ctx.get("min_length", 1))
    if kind in {"string_too_long", "too_long"}:
        return t("expected.max_length", max=ctx.get("max_length", ""))
    if kind == "greater_than_equal":
        return t("expected.ge", limit=_number(ctx.get("ge")))
    if kind == "less_than_equal":
        return t("expected.le", limit=_number(ctx.get("le")))
    if kind == "greater_than":
        return t("expected.gt", limit=_number(ctx.get("gt")))
    if kind == "string_pattern_mismatch":
        key = "expected.country" if ctx.get("pattern") == COUNTRY else _PATTERN_KEYS.get(field)
        return t(key) if key else t("expected.pattern", pattern=ctx.get("pattern", ""))
    return t("expected.value", detail=error.get("msg", kind))


def problems_from(err: ValidationError, model: type[BaseModel], file: str, locator: LineLocator) -> list[Problem]:
    return problems_from_errors(err, sorted(_field_names(model)), file, locator)


def problems_from_errors(
    err: ValidationError, known: list[str], file: str, locator: LineLocator | None
) -> list[Problem]:
    """Every error of ``err`` as a located problem; ``known`` field names feed the "did you mean"."""
    problems: list[Problem] = []
    for error in err.errors(include_url=False):
        path: list[PathPart] = [p for p in error["loc"] if p != "[key]"]
        # A tagged shorthand (answers given as a plain string) adds no path part worth showing.
        field = str(path[-1]) if path else ""
        if error["type"] == "missing":
            message = t("problem.missing")
        elif error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(field, known, n=1, cutoff=0.75)
            hint = t("problem.extra_hint", suggestion=close[0]) if close else ""
            message = t("problem.extra", hint=hint)
        else:
            message = t(
                "problem.expected_found", expected=_expected(error, field), found=describe_found(error.get("input"))
            )
        line = locator.line_of(path) if locator is not None else None
        problems.append(Problem(file, message, path=render_path(path), line=line))
    return problems


def collect_model_problems(
    model: type[M], data: Any, file: str, locator: LineLocator
) -> tuple[M | None, list[Problem]]:
    """Validate ``data`` as ``model``: the model, or None and every problem located."""
    if not isinstance(data, dict):
        found = describe_found(data) if not isinstance(data, list) else t("expected.list")
        return None, [Problem(file, t("problem.not_mapping", found=found), line=1)]
    try:
        return model.model_validate(data), []
    except ValidationError as err:
        return None, problems_from(err, model, file, locator)


def validate_model(model: type[M], data: Any, text: str, file: str, kind: str) -> M:
    """Validate ``data`` (parsed from ``text``) as ``model``, or raise with every problem located."""
    result, problems = collect_model_problems(model, data, file, LineLocator(text))
    if result is None:
        raise ValidationFailed(file, problems, kind)
    return result
