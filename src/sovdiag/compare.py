"""Two diagnostics of one collectivité, side by side: what changed, what got better, what is new.

Only comparable things are compared. Two diagnostics made with different versions of the framework
share the criteria whose fingerprint (axis, weight, options, applicability) is the same; an axis
whose criteria all match is compared as is, an axis that shares only some is recomputed on those
(and says so), and what cannot be compared is listed with its reason. Nothing here formats text:
``report.comparison`` and ``cli/compare.py`` present the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sovdiag.scoring import ANSWERED, UNANSWERED, UNKNOWN_STATUS, CriterionInfo, Results, ServiceResult

HIGH_RISK = 3  # risk levels from R3 (high) up are the ones a comparison follows

# How each axis is compared.
EXACT = "exact"  # every criterion of the axis is shared: the scores are compared as they are
SHARED = "shared"  # some criteria are shared: both sides recomputed on them
NONE = "none"  # nothing in common


@dataclass(slots=True)
class Compatibility:
    """What two diagnostics have in common, and what cannot be compared."""

    same_framework: bool  # identical framework file (same content hash)
    fingerprints_known: bool  # both files record criterion fingerprints (format 2), or same framework
    shared: list[str]  # criteria comparable as they are
    changed: list[str]  # same id, different meaning (options, values, caps, applicability, weight)
    added: list[str]  # only in the newer diagnostic's framework
    removed: list[str]  # only in the older one's
    axis_basis: dict[str, str]  # axis -> EXACT | SHARED | NONE
    same_weights: bool
    same_parts: dict[str, bool]  # targets, risk, indicators: same definitions on both sides

    @property
    def scores_comparable(self) -> bool:
        """Overall scores: every axis compared exactly and the same weights."""
        return self.same_weights and all(b == EXACT for b in self.axis_basis.values())


@dataclass(slots=True)
class Change:
    """One number before and after. ``better`` is True when the change is an improvement."""

    key: str
    old: float | None
    new: float | None
    unit: str  # "count", "money", "share" (0-1), "score" (0-100), "index"
    better: bool | None
    comparable: bool = True

    @property
    def delta(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old


@dataclass(slots=True)
class AxisChange:
    axis: str
    basis: str
    criteria: int  # criteria the comparison rests on
    old_score: float | None
    new_score: float | None
    old_prudent: float | None
    new_prudent: float | None


@dataclass(slots=True)
class FieldChange:
    field: str  # supplier, product, deployment, criticality, hosted_by, level, score, risk, annual_cost…
    old: Any
    new: Any
    better: bool | None = None


@dataclass(slots=True)
class ServiceChange:
    id: str
    name: str
    domain: str
    fields: list[FieldChange]
    answers: list[tuple[str, str | None, str | None]]  # criterion, old answer, new answer (shared criteria)


@dataclass(slots=True)
class ServiceBrief:
    id: str
    name: str
    domain: str
    supplier: str
    level: int | None
    risk: int | None


@dataclass(slots=True)
class Replacement:
    """A service removed and another added in the same domain: most often a migration."""

    domain: str
    old: ServiceBrief
    new: ServiceBrief


@dataclass(slots=True)
class ActionPair:
    measure: str
    service: str
    service_name: str


@dataclass(slots=True)
class Comparison:
    old: Results
    new: Results
    compatibility: Compatibility
    indicators: list[Change]
    axes: list[AxisChange]
    added: list[ServiceBrief]
    removed: list[ServiceBrief]
    replaced: list[Replacement]
    changed: list[ServiceChange]
    unchanged: int
    risks_resolved: list[tuple[ServiceBrief, ServiceBrief | None]]  # (before, after or None if removed)
    risks_new: list[tuple[ServiceBrief | None, ServiceBrief]]  # (before or None if added, after)
    actions_done: list[ActionPair]  # the service is still there and no longer calls for the measure
    actions_dropped: list[ActionPair]  # the service is gone (and not replaced)
    actions_new: list[ActionPair]
    actions_open: int
    not_compared: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # message key, params


# --------------------------------------------------------------------------- compatibility


def compatibility(old: Results, new: Results, known: Iterable[Any] = ()) -> Compatibility:
    """Which criteria, axes and sections two diagnostics share. ``known`` frameworks (loaded) give
    the fingerprints of a format-1 file made with one of them."""
    old_criteria = _criteria(old, known)
    new_criteria = _criteria(new, known)
    same_framework = old.framework_sha256 == new.framework_sha256
    fingerprints_known = same_framework or (bool(old_criteria) and bool(new_criteria))
    if same_framework and not (old_criteria and new_criteria):
        shared = sorted(set(old_criteria or new_criteria) or _criterion_ids(new))
        changed: list[str] = []
        added: list[str] = []
        removed: list[str] = []
    elif not fingerprints_known:
        shared, changed = [], []
        added = sorted(_criterion_ids(new) - _criterion_ids(old))
        removed = sorted(_criterion_ids(old) - _criterion_ids(new))
    else:
        shared = sorted(c for c in old_criteria.keys() & new_criteria.keys() if _same(old_criteria[c], new_criteria[c]))
        changed = sorted(c for c in old_criteria.keys() & new_criteria.keys() if c not in shared)
        added = sorted(new_criteria.keys() - old_criteria.keys())
        removed = sorted(old_criteria.keys() - new_criteria.keys())
    shared_set = set(shared)
    axis_basis = {}
    for axis in new.axis_ids:
        mine = _axis_criteria(new, axis) | _axis_criteria(old, axis)
        common = mine & shared_set
        axis_basis[axis] = EXACT if mine and common == mine else (SHARED if common else NONE)
    same_parts = {
        part: same_framework
        or (
            old.framework_parts.get(part) is not None and old.framework_parts.get(part) == new.framework_parts.get(part)
        )
        for part in ("targets", "risk", "indicators")
    }
    return Compatibility(
        same_framework=same_framework,
        fingerprints_known=fingerprints_known,
        shared=shared,
        changed=changed,
        added=added,
        removed=removed,
        axis_basis=axis_basis,
        same_weights=old.weights == new.weights,
        same_parts=same_parts,
    )


def _criteria(results: Results, known: Iterable[Any]) -> dict[str, CriterionInfo]:
    if results.criteria:
        return results.criteria
    for framework in known:  # a format-1 file made with a framework we have: its fingerprints are known
        if framework.sha256 == results.framework_sha256:
            return {
                cid: CriterionInfo(str(info["axis"]), float(info["weight"]), str(info["fingerprint"]), 0.0, 0)
                for cid, info in framework.fingerprints.items()
            }
    return {}


def _same(a: CriterionInfo, b: CriterionInfo) -> bool:
    return a.fingerprint == b.fingerprint


def _criterion_ids(results: Results) -> set[str]:
    return set(_axis_of(results))


def _axis_criteria(results: Results, axis: str) -> set[str]:
    return {cid for cid, a in _axis_of(results).items() if a == axis}


# --------------------------------------------------------------------------- comparison


def compare(old: Results, new: Results, known: Iterable[Any] = ()) -> Comparison:
    compat = compatibility(old, new, known)
    not_compared: list[tuple[str, dict[str, Any]]] = []
    old_id, new_id = _identity(old), _identity(new)
    if old_id != new_id:
        # Two peers side by side is a legitimate use: say it, so nobody reads the gaps as progress.
        names = {"old": old.collectivite.get("name") or "—", "new": new.collectivite.get("name") or "—"}
        not_compared.append(("compare.nc.other_collectivite", names))
    old_date, new_date = str(old.diagnostic.get("date") or ""), str(new.diagnostic.get("date") or "")
    if old_date and new_date and new_date < old_date:
        not_compared.append(("compare.nc.dates_reversed", {"old": old_date, "new": new_date}))
    if not compat.same_framework:
        not_compared.append(
            (
                "compare.nc.framework",
                {"old": old.framework_version, "new": new.framework_version, "shared": len(compat.shared)},
            )
        )
    if not compat.fingerprints_known:
        not_compared.append(("compare.nc.no_fingerprints", {}))
    for key, ids in (("changed", compat.changed), ("added", compat.added), ("removed", compat.removed)):
        if ids:
            not_compared.append((f"compare.nc.criteria_{key}", {"criteria": ", ".join(ids)}))
    if not compat.same_weights:
        not_compared.append(("compare.nc.weights", {"old": old.profile_id, "new": new.profile_id}))
    for part, same in compat.same_parts.items():
        if not same:
            not_compared.append((f"compare.nc.part_{part}", {}))
    for side, results in (("old", old), ("new", new)):
        hidden = (results.anonymized or {}).get("removed", {}).get("confidential_services")
        if hidden:
            # Their ids were replaced: they cannot be matched with the other diagnostic's services.
            not_compared.append((f"compare.nc.anonymized_{side}", {"count": hidden}))

    old_by_id = {s.id: s for s in old.services}
    new_by_id = {s.id: s for s in new.services}
    added = [_brief(s) for s in new.services if s.id not in old_by_id]
    removed = [_brief(s) for s in old.services if s.id not in new_by_id]
    replaced = _replacements(removed, added)
    changed = []
    unchanged = 0
    for service in new.services:
        before = old_by_id.get(service.id)
        if before is None:
            continue
        change = _service_change(before, service, compat)
        if change.fields or change.answers:
            changed.append(change)
        else:
            unchanged += 1
    # A replacement carries its predecessor's risks and actions: compared as one service.
    successor = {r.old.id: r.new.id for r in replaced}
    resolved, new_risks = _risks(old, new, compat, successor)
    done, dropped, fresh, still_open = _actions(old, new, successor)
    return Comparison(
        old=old,
        new=new,
        compatibility=compat,
        indicators=_indicators(old, new, compat),
        axes=_axes(old, new, compat),
        added=added,
        removed=removed,
        replaced=replaced,
        changed=changed,
        unchanged=unchanged,
        risks_resolved=resolved,
        risks_new=new_risks,
        actions_done=done,
        actions_dropped=dropped,
        actions_new=fresh,
        actions_open=still_open,
        not_compared=not_compared,
    )


def _identity(results: Results) -> str:
    """Who a diagnostic is about: its SIREN, else its name."""
    siren = results.collectivite.get("siren")
    return f"siren:{siren}" if siren else f"name:{str(results.collectivite.get('name') or '').casefold()}"


def _brief(s: ServiceResult) -> ServiceBrief:
    return ServiceBrief(s.id, s.name, s.domain, s.supplier, s.level, s.risk.level if s.risk else None)


def _replacements(removed: list[ServiceBrief], added: list[ServiceBrief]) -> list[Replacement]:
    """Pair a removed and an added service when each is the only one of its domain."""
    gone: dict[str, list[ServiceBrief]] = {}
    came: dict[str, list[ServiceBrief]] = {}
    for s in removed:
        gone.setdefault(s.domain, []).append(s)
    for s in added:
        came.setdefault(s.domain, []).append(s)
    return [
        Replacement(domain, gone[domain][0], came[domain][0])
        for domain in sorted(gone.keys() & came.keys())
        if len(gone[domain]) == 1 and len(came[domain]) == 1
    ]


def _higher_is_better(old: float | None, new: float | None) -> bool | None:
    if old is None or new is None or old == new:
        return None
    return new > old


def _lower_is_better(old: float | None, new: float | None) -> bool | None:
    better = _higher_is_better(old, new)
    return None if better is None else not better


def _service_change(old: ServiceResult, new: ServiceResult, compat: Compatibility) -> ServiceChange:
    fields: list[FieldChange] = []
    for name in ("name", "supplier", "product", "hosted_by", "deployment", "criticality"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            fields.append(FieldChange(name, a, b))
    if old.annual_cost != new.annual_cost and (old.annual_cost is not None or new.annual_cost is not None):
        fields.append(FieldChange("annual_cost", old.annual_cost, new.annual_cost))
    if old.contract_end != new.contract_end:
        fields.append(FieldChange("contract_end", old.contract_end, new.contract_end))
    if all(b == EXACT for b in compat.axis_basis.values()):
        if old.level != new.level:
            fields.append(FieldChange("level", old.level, new.level, _higher_is_better(old.level, new.level)))
        if compat.same_weights and _rounded(old.score) != _rounded(new.score):
            fields.append(FieldChange("score", old.score, new.score, _higher_is_better(old.score, new.score)))
    old_risk = old.risk.level if old.risk else None
    new_risk = new.risk.level if new.risk else None
    if compat.same_parts["risk"] and old_risk != new_risk:
        fields.append(FieldChange("risk", old_risk, new_risk, _lower_is_better(old_risk, new_risk)))
    shared = set(compat.shared)
    before = _answers(old)
    after = _answers(new)
    answers = [
        (cid, before.get(cid), after.get(cid))
        for cid in sorted(shared & (before.keys() | after.keys()))
        if before.get(cid) != after.get(cid)
    ]
    return ServiceChange(new.id, new.name, new.domain, fields, answers)


def _answers(s: ServiceResult) -> dict[str, str]:
    return {o.criterion: o.answer for a in s.axes for o in a.outcomes if o.answer is not None}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _risks(
    old: Results, new: Results, compat: Compatibility, successor: dict[str, str]
) -> tuple[list[tuple[ServiceBrief, ServiceBrief | None]], list[tuple[ServiceBrief | None, ServiceBrief]]]:
    """High risks that are gone and those that appeared; a replaced service is followed by its
    successor (its risk is resolved only if the successor's is not high)."""
    if not compat.same_parts["risk"]:
        return [], []
    before = {successor.get(s.id, s.id): _brief(s) for s in old.services}
    after = {s.id: _brief(s) for s in new.services}

    def high(brief: ServiceBrief | None) -> bool:
        return brief is not None and brief.risk is not None and brief.risk >= HIGH_RISK

    resolved = [(b, after.get(sid)) for sid, b in before.items() if high(b) and not high(after.get(sid))]
    fresh = [(before.get(sid), a) for sid, a in after.items() if high(a) and not high(before.get(sid))]
    return resolved, fresh


def _actions(
    old: Results, new: Results, successor: dict[str, str]
) -> tuple[list[ActionPair], list[ActionPair], list[ActionPair], int]:
    """Actions (a measure for a service) of the old plan that the new one no longer needs: done
    (the service is still there, or its successor) or dropped (the service is gone); those the new
    plan adds; and how many remain."""
    names = {s.id: s.name for s in old.services} | {s.id: s.name for s in new.services}
    present = {s.id for s in new.services}
    before = {(a.measure, successor.get(t.service, t.service)) for a in old.actions for t in a.services}
    after = {(a.measure, t.service) for a in new.actions for t in a.services}
    done = [ActionPair(m, s, names.get(s, s)) for m, s in sorted(before - after) if s in present]
    dropped = [ActionPair(m, s, names.get(s, s)) for m, s in sorted(before - after) if s not in present]
    fresh = [ActionPair(m, s, names.get(s, s)) for m, s in sorted(after - before)]
    return done, dropped, fresh, len(after & before)


def _recomputed(results: Results, axis: str, criteria: set[str], prudent: bool) -> float | None:
    """The mean over services of the axis score computed on ``criteria`` only."""
    weights = {cid: info.weight for cid, info in results.criteria.items()}
    scores = []
    for s in results.services:
        for a in s.axes:
            if a.axis != axis:
                continue
            points = total = 0.0
            for o in a.outcomes:
                if o.criterion not in criteria:
                    continue
                weight = weights.get(o.criterion, 1.0)
                if o.status == ANSWERED and o.value is not None:
                    points += o.value * weight
                    total += weight
                elif prudent and o.status in (UNKNOWN_STATUS, UNANSWERED):
                    info = results.criteria.get(o.criterion)
                    points += (info.worst_value if info else 0.0) * weight
                    total += weight
            if total:
                scores.append(100.0 * points / total)
    return sum(scores) / len(scores) if scores else None


def _axes(old: Results, new: Results, compat: Compatibility) -> list[AxisChange]:
    old_summary = {a.axis: a for a in old.axes}
    new_summary = {a.axis: a for a in new.axes}
    axis_of = _axis_of(old) | _axis_of(new)
    out = []
    for axis in new.axis_ids:
        basis = compat.axis_basis[axis]
        criteria = {cid for cid in compat.shared if axis_of.get(cid) == axis}
        if basis == EXACT and axis in old_summary and axis in new_summary:
            o, n = old_summary[axis], new_summary[axis]
            out.append(
                AxisChange(
                    axis, basis, len(criteria), o.mean_score, n.mean_score, o.mean_prudent_score, n.mean_prudent_score
                )
            )
        elif basis == SHARED:
            out.append(
                AxisChange(
                    axis,
                    basis,
                    len(criteria),
                    _recomputed(old, axis, criteria, False),
                    _recomputed(new, axis, criteria, False),
                    _recomputed(old, axis, criteria, True),
                    _recomputed(new, axis, criteria, True),
                )
            )
        else:
            n_summary = new_summary.get(axis)
            out.append(
                AxisChange(
                    axis,
                    NONE,
                    0,
                    None,
                    n_summary.mean_score if n_summary else None,
                    None,
                    n_summary.mean_prudent_score if n_summary else None,
                )
            )
    return out


def _axis_of(results: Results) -> dict[str, str]:
    if results.criteria:
        return {cid: info.axis for cid, info in results.criteria.items()}
    return {o.criterion: a.axis for s in results.services[:1] for a in s.axes for o in a.outcomes}


def _indicators(old: Results, new: Results, compat: Compatibility) -> list[Change]:
    o, n = old.indicators, new.indicators
    out: list[Change] = [
        Change("services", len(old.services), len(new.services), "count", None),
    ]
    if o is not None and n is not None:
        out += [
            Change("annual_cost", o.annual_cost, n.annual_cost, "money", None),
            Change(
                "spend_share_outside_eu",
                o.spend_share_outside_eu,
                n.spend_share_outside_eu,
                "share",
                _lower_is_better(o.spend_share_outside_eu, n.spend_share_outside_eu),
            ),
            Change(
                "services_outside_eu",
                o.services_outside_eu,
                n.services_outside_eu,
                "count",
                _lower_is_better(o.services_outside_eu, n.services_outside_eu),
            ),
            Change(
                "critical_outside_eu",
                o.critical_outside_eu,
                n.critical_outside_eu,
                "count",
                _lower_is_better(o.critical_outside_eu, n.critical_outside_eu),
            ),
            Change(
                "critical_without_exit",
                len(o.critical_without_alternative_or_exit),
                len(n.critical_without_alternative_or_exit),
                "count",
                _lower_is_better(
                    len(o.critical_without_alternative_or_exit), len(n.critical_without_alternative_or_exit)
                ),
                compat.same_parts["indicators"],
            ),
            Change(
                "below_target",
                o.below_target,
                n.below_target,
                "count",
                _lower_is_better(o.below_target, n.below_target),
                compat.same_parts["targets"] and all(b == EXACT for b in compat.axis_basis.values()),
            ),
        ]
    scores = compat.scores_comparable
    out += [
        Change(
            "mean_score",
            old.summary.mean_score,
            new.summary.mean_score,
            "score",
            _higher_is_better(old.summary.mean_score, new.summary.mean_score),
            scores,
        ),
        Change(
            "mean_prudent_score",
            old.summary.mean_prudent_score,
            new.summary.mean_prudent_score,
            "score",
            _higher_is_better(old.summary.mean_prudent_score, new.summary.mean_prudent_score),
            scores,
        ),
        Change(
            "coverage",
            old.summary.coverage,
            new.summary.coverage,
            "share",
            _higher_is_better(old.summary.coverage, new.summary.coverage),
            compat.same_framework,
        ),
    ]
    if compat.same_parts["risk"]:
        high_old = sum(1 for s in old.services if s.risk and s.risk.level >= HIGH_RISK)
        high_new = sum(1 for s in new.services if s.risk and s.risk.level >= HIGH_RISK)
        out.append(Change("high_risks", high_old, high_new, "count", _lower_is_better(high_old, high_new)))
        danger_old = sum(1 for s in old.suppliers if s.zone == "danger")
        danger_new = sum(1 for s in new.suppliers if s.zone == "danger")
        out.append(
            Change("suppliers_danger", danger_old, danger_new, "count", _lower_is_better(danger_old, danger_new))
        )
    if old.concentration is not None and new.concentration is not None:
        a, b = old.concentration.hhi_spend, new.concentration.hhi_spend
        out.append(Change("hhi_spend", a, b, "index", _lower_is_better(a, b)))
    return out
