"""Read and check a reference framework, and the domain checklist.

A framework is data (``questionnaires/frameworks/*.yaml``): axes, criteria, ordered answer options
with a value and a level cap, applicability conditions, weight profiles and the sources behind
them. The pydantic model checks each piece; this module checks that the pieces fit together,
because an inconsistent framework would silently produce wrong scores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sovdiag.errors import FrameworkError, Problem, SovdiagError
from sovdiag.messages import translate as t
from sovdiag.models import RESERVED_ANSWERS, Criterion, DomainChecklist, Framework, Reference
from sovdiag.resources import domains_path, framework_path
from sovdiag.validation import PathPart, render_path, validate_model
from sovdiag.yamlio import LineLocator, load_yaml, read_text

OURS = "ours"


@dataclass(frozen=True)
class LoadedFramework:
    """A checked framework with the indexes the scoring engine and the validators need."""

    model: Framework
    path: Path
    sha256: str

    @cached_property
    def criteria(self) -> dict[str, Criterion]:
        return {c.id: c for axis in self.model.axes for c in axis.criteria}

    @cached_property
    def max_level(self) -> int:
        return max(level.value for level in self.model.levels)

    def profile(self, profile_id: str | None = None) -> tuple[str, dict[str, float]]:
        wanted = profile_id or self.model.default_profile
        for profile in self.model.weight_profiles:
            if profile.id == wanted:
                return profile.id, dict(profile.weights)
        choices = ", ".join(p.id for p in self.model.weight_profiles)
        raise SovdiagError("error.unknown_profile", profile=wanted, choices=choices)


def load_framework(path: Path | None = None) -> LoadedFramework:
    """Load the framework at ``path`` (the built-in one by default) and check its consistency."""
    path = path or framework_path()
    text = read_text(path)
    file = str(path)
    data = load_yaml(text, file, "framework")
    model = validate_model(Framework, data, text, file, "framework")
    problems = check_framework(model)
    if problems:
        locator = LineLocator(text)
        raise FrameworkError(
            file,
            [
                Problem(file, message, path=render_path(where), line=locator.line_of(where))
                for where, message in problems
            ],
            "framework",
        )
    return LoadedFramework(model, path, hashlib.sha256(text.encode("utf-8")).hexdigest())


def check_framework(fw: Framework) -> list[tuple[Sequence[PathPart], str]]:
    """Every inconsistency of a framework, as (key path, message) pairs."""
    problems: list[tuple[Sequence[PathPart], str]] = []
    source_ids = _unique([s.id for s in fw.sources], ["sources"], problems)
    _unique([a.id for a in fw.axes], ["axes"], problems)

    levels = [level.value for level in fw.levels]
    if levels != list(range(len(levels))):
        problems.append((["levels"], t("problem.levels_not_sequential")))
    max_level = len(levels) - 1

    def check_refs(refs: list[Reference], where: list[PathPart]) -> None:
        for i, ref in enumerate(refs):
            if ref.source == OURS:
                if not ref.note:
                    problems.append(([*where, i, "note"], t("problem.ours_without_note")))
            elif ref.source not in source_ids:
                problems.append(([*where, i, "source"], t("problem.unknown_source", source=ref.source)))

    seen_criteria: dict[str, Criterion] = {}
    for a, axis in enumerate(fw.axes):
        for c, crit in enumerate(axis.criteria):
            where: list[PathPart] = ["axes", a, "criteria", c]
            if crit.id in seen_criteria:
                problems.append(([*where, "id"], t("problem.duplicate_id", id=crit.id)))
            check_refs(crit.references, [*where, "references"])
            _unique([o.id for o in crit.options], [*where, "options"], problems)
            previous_value, previous_cap = -1.0, -1
            for o, option in enumerate(crit.options):
                at: list[PathPart] = [*where, "options", o]
                if option.id in RESERVED_ANSWERS:
                    problems.append(([*at, "id"], t("problem.reserved_option", option=option.id)))
                cap = max_level if option.cap is None else option.cap
                if option.cap is not None and option.cap > max_level:
                    problems.append(([*at, "cap"], t("problem.cap_out_of_range", cap=option.cap, max=max_level)))
                if option.value < previous_value or cap < previous_cap:
                    problems.append((at, t("problem.options_not_ordered", option=option.id)))
                previous_value, previous_cap = option.value, cap
            for k, cond in enumerate(crit.applies_when):
                at = [*where, "applies_when", k]
                if (
                    cond.deployment is None
                    and cond.data_any is None
                    and cond.criticality is None
                    and cond.answer is None
                ):
                    problems.append((at, t("problem.condition_empty")))
                if cond.answer is not None:
                    target = seen_criteria.get(cond.answer.criterion)
                    if target is None:
                        problems.append(
                            (
                                [*at, "answer", "criterion"],
                                t("problem.condition_unknown_criterion", criterion=cond.answer.criterion),
                            )
                        )
                    else:
                        valid = {opt.id for opt in target.options} | set(RESERVED_ANSWERS)
                        for option_id in cond.answer.in_:
                            if option_id not in valid:
                                problems.append(
                                    (
                                        [*at, "answer", "in"],
                                        t("problem.condition_unknown_option", option=option_id, criterion=target.id),
                                    )
                                )
            seen_criteria.setdefault(crit.id, crit)

    axis_ids = [a.id for a in fw.axes]
    profile_ids = _unique([p.id for p in fw.weight_profiles], ["weight_profiles"], problems)
    for p, profile in enumerate(fw.weight_profiles):
        where = ["weight_profiles", p]
        missing = [a for a in axis_ids if a not in profile.weights]
        extra = [k for k in profile.weights if k not in axis_ids]
        if missing or extra:
            problems.append(
                (
                    [*where, "weights"],
                    t(
                        "problem.weights_axes",
                        axes=", ".join(axis_ids),
                        missing=", ".join(missing) or "—",
                        extra=", ".join(extra) or "—",
                    ),
                )
            )
        elif sum(profile.weights.values()) <= 0:
            problems.append(([*where, "weights"], t("problem.weights_zero")))
        check_refs(profile.references, [*where, "references"])
    if fw.default_profile not in profile_ids:
        problems.append((["default_profile"], t("problem.unknown_default_profile", profile=fw.default_profile)))
    return problems


def _unique(ids: list[str], where: list[PathPart], problems: list[tuple[Sequence[PathPart], str]]) -> set[str]:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            problems.append(([*where, i, "id"], t("problem.duplicate_id", id=value)))
        seen.add(value)
    return seen


def load_domains(path: Path | None = None) -> DomainChecklist:
    path = path or domains_path()
    text = read_text(path)
    data = load_yaml(text, str(path), "domains")
    return validate_model(DomainChecklist, data, text, str(path), "domains")
