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

from sovdiag.errors import FrameworkError, Problem, SovdiagError, ValidationFailed
from sovdiag.messages import translate as t
from sovdiag.models import RESERVED_ANSWERS, Criterion, DomainChecklist, Framework, Reference, WeightProfile
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

    @cached_property
    def fingerprints(self) -> dict[str, dict[str, object]]:
        """What makes a criterion's answers comparable between two versions of the framework: its
        axis, weight, options (id, value, cap) and applicability; not its wording, so that a reworded
        question stays comparable while a changed scale does not."""
        out: dict[str, dict[str, object]] = {}
        for axis in self.model.axes:
            for c in axis.criteria:
                meaning = {
                    "axis": axis.id,
                    "weight": c.weight,
                    "options": [[o.id, o.value, o.cap] for o in c.options],
                    "applies_when": [cond.model_dump(by_alias=True, exclude_none=True) for cond in c.applies_when],
                }
                out[c.id] = {"axis": axis.id, "weight": c.weight, "fingerprint": _digest(meaning)}
        return out

    @cached_property
    def part_fingerprints(self) -> dict[str, str]:
        """Fingerprints of the sections that turn answers into targets, risks and indicators."""
        m = self.model
        return {
            "targets": _digest([rule.model_dump(mode="json") for rule in m.targets]),
            "risk": _digest(m.risk.model_dump(mode="json") if m.risk else None),
            "indicators": _digest(m.indicators.model_dump(mode="json") if m.indicators else None),
        }

    def worst_value(self, criterion_id: str) -> float:
        """The value of a criterion's worst option (options are ordered worst first)."""
        return self.criteria[criterion_id].options[0].value

    def axis_for_objective(self, objective: str) -> str | None:
        return next((a.id for a in self.model.axes if a.objective == objective), None)

    def profile(self, profile_id: str | None = None) -> tuple[str, dict[str, float]]:
        """Weights by axis: a profile of the framework, or a YAML file holding one profile."""
        if profile_id is not None and profile_id.endswith((".yaml", ".yml")):
            return self._profile_file(Path(profile_id))
        wanted = profile_id or self.model.default_profile
        for profile in self.model.weight_profiles:
            if profile.id == wanted:
                return profile.id, dict(profile.weights)
        choices = ", ".join(p.id for p in self.model.weight_profiles)
        raise SovdiagError("error.unknown_profile", profile=wanted, choices=choices)

    def _profile_file(self, path: Path) -> tuple[str, dict[str, float]]:
        text = read_text(path)
        file = str(path)
        profile = validate_model(WeightProfile, load_yaml(text, file, "weights"), text, file, "weights")
        message = weights_problem(profile.weights, [a.id for a in self.model.axes])
        if message is not None:
            problem = Problem(file, message, path="weights", line=LineLocator(text).line_of(["weights"]))
            raise ValidationFailed(file, [problem], "weights")
        return profile.id, dict(profile.weights)


def weights_problem(weights: dict[str, float], axis_ids: list[str]) -> str | None:
    """What is wrong with a profile's weights: axes missing or unknown, or nothing to weigh."""
    missing = [a for a in axis_ids if a not in weights]
    extra = [k for k in weights if k not in axis_ids]
    if missing or extra:
        return t(
            "problem.weights_axes",
            axes=", ".join(axis_ids),
            missing=", ".join(missing) or "—",
            extra=", ".join(extra) or "—",
        )
    if sum(weights.values()) <= 0:
        return t("problem.weights_zero")
    return None


def _digest(data: object) -> str:
    import json

    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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
        message = weights_problem(profile.weights, axis_ids)
        if message is not None:
            problems.append(([*where, "weights"], message))
        check_refs(profile.references, [*where, "references"])
    if fw.default_profile not in profile_ids:
        problems.append((["default_profile"], t("problem.unknown_default_profile", profile=fw.default_profile)))
    problems += _check_demand_side(fw, axis_ids, seen_criteria, max_level)
    return problems


def _check_demand_side(
    fw: Framework, axis_ids: list[str], criteria: dict[str, Criterion], max_level: int
) -> list[tuple[Sequence[PathPart], str]]:
    """Targets, risk model and indicators must name axes, criteria, options and levels that exist."""
    problems: list[tuple[Sequence[PathPart], str]] = []

    def check_answer(where: list[PathPart], criterion_id: str, options: list[str]) -> None:
        target = criteria.get(criterion_id)
        if target is None:
            problems.append(([*where, "criterion"], t("problem.unknown_criterion_ref", criterion=criterion_id)))
            return
        valid = {o.id for o in target.options} | set(RESERVED_ANSWERS)
        for option in options:
            if option not in valid:
                problems.append(
                    ([*where, "in"], t("problem.condition_unknown_option", option=option, criterion=criterion_id))
                )

    _unique([r.id for r in fw.targets], ["targets"], problems)
    for i, rule in enumerate(fw.targets):
        where: list[PathPart] = ["targets", i]
        if rule.level > max_level:
            problems.append(([*where, "level"], t("problem.cap_out_of_range", cap=rule.level, max=max_level)))
        for axis in rule.axes:
            if axis not in axis_ids:
                problems.append(([*where, "axes"], t("problem.unknown_axis", axis=axis)))
        if rule.when.answer is not None:
            check_answer([*where, "when", "answer"], rule.when.answer.criterion, rule.when.answer.in_)

    risk = fw.risk
    if risk is not None:
        gravity = [g.value for g in risk.gravity_levels]
        likelihood = [v.value for v in risk.likelihood_levels]
        levels = {r.value for r in risk.risk_levels}
        for key, values in (("gravity_levels", gravity), ("likelihood_levels", likelihood)):
            if values != list(range(1, len(values) + 1)):
                problems.append((["risk", key], t("problem.scale_not_sequential")))
        for i, gravity_rule in enumerate(risk.gravity_rules):
            if gravity_rule.level not in gravity:
                problems.append(
                    (["risk", "gravity_rules", i, "level"], t("problem.unknown_scale_value", value=gravity_rule.level))
                )
        for i, criterion_id in enumerate(risk.likelihood_criteria):
            if criterion_id not in criteria:
                problems.append(
                    (["risk", "likelihood_criteria", i], t("problem.unknown_criterion_ref", criterion=criterion_id))
                )
        thresholds = risk.likelihood_thresholds
        if len(thresholds) != len(likelihood) - 1 or thresholds != sorted(thresholds):
            problems.append((["risk", "likelihood_thresholds"], t("problem.thresholds", count=len(likelihood) - 1)))
        if len(risk.matrix) != len(gravity) or any(len(row) != len(likelihood) for row in risk.matrix):
            problems.append((["risk", "matrix"], t("problem.matrix_shape", rows=len(gravity), columns=len(likelihood))))
        elif any(cell not in levels for row in risk.matrix for cell in row):
            problems.append((["risk", "matrix"], t("problem.matrix_values")))
        if risk.threat_zones.get("danger", 0) < risk.threat_zones.get("control", 0) or len(risk.threat_zones) != 2:
            problems.append((["risk", "threat_zones"], t("problem.threat_zones")))

    for i, catalog_rule in enumerate(fw.catalog_rules):
        known = criteria.get(catalog_rule.criterion)
        at: list[PathPart] = ["catalog_rules", i]
        if known is None:
            problems.append(([*at, "criterion"], t("problem.unknown_criterion_ref", criterion=catalog_rule.criterion)))
        elif catalog_rule.answer not in {o.id for o in known.options}:
            message = t("problem.catalog_rule_answer", answer=catalog_rule.answer, criterion=catalog_rule.criterion)
            problems.append(([*at, "answer"], message))
    if fw.indicators is not None:
        for key in ("foreign_control", "alternative_identified", "exit_plan", "hard_to_replace", "data_outside_eu"):
            condition = getattr(fw.indicators, key)
            if condition is not None:
                check_answer(["indicators", key], condition.criterion, condition.in_)
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
