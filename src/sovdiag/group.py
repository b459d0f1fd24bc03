"""A group of diagnostics side by side: where one collectivité stands among its peers.

The inputs are streamed: each results file is read, reduced to a small digest (a few dozen numbers,
its kind and size, the suppliers it depends on) and dropped, so that a national roll-up of 10,000
files needs memory for 10,000 digests, not 10,000 diagnostics. Medians and quartiles are exact.

Anonymity: unless every member agreed (``named``), no member but the focus is named, a group or a
stratum smaller than ``min_stratum`` is not shown, and a supplier appears only when at least two
members depend on it.
"""

from __future__ import annotations

import math
import statistics
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sovdiag.errors import SovdiagError
from sovdiag.scoring import RESULTS_FORMAT_VERSION, Results

# Population bands for strata (municipal population): 3,500 is the threshold French law uses for
# several obligations of communes; the others split the larger ones.
SIZE_BANDS = ((0, 3_500), (3_500, 20_000), (20_000, 100_000), (100_000, None))

# Metrics: key -> (higher is better? None when neither, unit). Axis scores are added per axis id.
METRICS: dict[str, tuple[bool | None, str]] = {
    "mean_score": (True, "score"),
    "mean_prudent_score": (True, "score"),
    "coverage": (True, "share"),
    "spend_share_outside_eu": (False, "share"),
    "services_outside_eu_share": (False, "share"),
    "critical_outside_eu_share": (False, "share"),
    "below_target_share": (False, "share"),
    "critical_without_exit_share": (False, "share"),
    "hhi_spend": (False, "index"),
    "services": (None, "count"),
    "cost_per_inhabitant": (None, "money"),
}


@dataclass(slots=True)
class Digest:
    """What the group comparison keeps of one diagnostic."""

    path: str
    name: str
    siren: str | None
    kind: str
    population: int | None
    date: str
    framework_sha256: str
    axis_signatures: dict[str, str]  # axis -> fingerprint of its criteria ("" when not recorded)
    weights_key: str
    metrics: dict[str, float | None]
    levels: dict[str, int]
    suppliers: list[tuple[str, bool, int]]  # (controlling group, outside the EU?, critical services)
    offers: list[str]  # catalog offers the services were matched to
    anonymized: bool

    @property
    def identity(self) -> str:
        return f"siren:{self.siren}" if self.siren else f"name:{self.name.casefold()}"


def digest_of(results: Results, path: str) -> Digest:
    import hashlib

    c = results.collectivite
    ind = results.indicators
    signatures: dict[str, str] = {}
    for axis in results.axis_ids:
        prints = sorted(f"{cid}={info.fingerprint}" for cid, info in results.criteria.items() if info.axis == axis)
        signatures[axis] = hashlib.sha256("|".join(prints).encode()).hexdigest()[:16] if prints else ""

    def share(count: float | None, total: float | None) -> float | None:
        return None if count is None or not total else count / total

    population = c.get("population") if isinstance(c.get("population"), int) else None
    metrics: dict[str, float | None] = {
        "mean_score": results.summary.mean_score,
        "mean_prudent_score": results.summary.mean_prudent_score,
        "coverage": results.summary.coverage,
        "services": float(len(results.services)),
        "hhi_spend": results.concentration.hhi_spend if results.concentration else None,
    }
    if ind is not None:
        metrics |= {
            "spend_share_outside_eu": ind.spend_share_outside_eu,
            "services_outside_eu_share": share(ind.services_outside_eu, ind.services),
            "critical_outside_eu_share": share(ind.critical_outside_eu, ind.critical_services),
            "below_target_share": share(ind.below_target, ind.with_target),
            "critical_without_exit_share": share(len(ind.critical_without_alternative_or_exit), ind.critical_services),
            "cost_per_inhabitant": share(ind.annual_cost, population) if ind.annual_cost else None,
        }
    for summary in results.axes:
        metrics[f"axis:{summary.axis}"] = summary.mean_score
    return Digest(
        path=path,
        name=str(c.get("name") or ""),
        siren=str(c["siren"]) if c.get("siren") else None,
        kind=str(c.get("kind") or ""),
        population=population,
        date=str(results.diagnostic.get("date") or ""),
        framework_sha256=results.framework_sha256,
        axis_signatures=signatures,
        weights_key=repr(sorted(results.weights.items())),
        metrics=metrics,
        levels=dict(results.summary.levels),
        suppliers=[(s.name, bool(s.outside_eu), s.critical_services) for s in results.suppliers],
        offers=sorted(
            {
                str(m["offer"])
                for m in (results.catalog or {}).get("matches") or []
                if isinstance(m, dict) and m.get("offer") and m.get("status") == "matched"
            }
        ),
        anonymized=results.anonymized is not None,
    )


def size_band(population: int | None) -> int | None:
    if population is None:
        return None
    for i, (low, high) in enumerate(SIZE_BANDS):
        if population >= low and (high is None or population < high):
            return i
    return None


# --------------------------------------------------------------------------- reading


def read_digests(
    paths: Iterable[Path], load: Callable[[Path], Results], errors: list[tuple[Path, str]]
) -> Iterator[Digest]:
    """One digest per readable file; unreadable files are listed in ``errors`` and skipped."""
    for path in paths:
        try:
            yield _fast_digest(path) or digest_of(load(path), str(path))
        except SovdiagError as err:
            errors.append((path, str(err)))


def _fast_digest(path: Path) -> Digest | None:
    """A current-format JSON results file read without building its per-service detail (the
    parser skips it: about twice as fast as parsing everything); None when the file needs the
    general path (PDF, inventory, older format, or a problem to report with its place)."""
    if path.suffix.lower() != ".json":
        return None
    from pydantic import ValidationError

    from sovdiag.results import MAX_RESULTS_BYTES, results_adapter
    from sovdiag.yamlio import read_bytes

    raw = read_bytes(path, MAX_RESULTS_BYTES)
    try:
        slim = _slim_adapter().validate_json(raw)
    except ValidationError:
        return None
    if slim.get("format_version") != RESULTS_FORMAT_VERSION or "services" not in slim:
        return None  # the general path upgrades an older file or says which version it needs
    count = len(slim["services"])
    try:
        results = results_adapter().validate_python({**slim, "services": [], "actions": [], "obligations": []})
    except ValidationError:
        return None
    digest = digest_of(results, str(path))
    digest.metrics["services"] = float(count)
    return digest


@cache
def _slim_adapter() -> Any:
    """The top-level keys a digest reads; each service is skipped by the parser, only counted."""
    from pydantic import TypeAdapter
    from typing_extensions import TypedDict

    class Skipped(TypedDict, total=False):
        pass

    fields: dict[str, Any] = {key: Any for key in DIGEST_KEYS}
    fields["services"] = list[Skipped]
    return TypeAdapter(TypedDict("SlimResults", fields, total=False))  # type: ignore[operator]


DIGEST_KEYS = (
    "format",
    "format_version",
    "sovdiag_version",
    "framework_id",
    "framework_version",
    "framework_sha256",
    "profile_id",
    "weights",
    "collectivite",
    "diagnostic",
    "summary",
    "axis_ids",
    "axes",
    "criteria",
    "framework_parts",
    "suppliers",
    "concentration",
    "indicators",
    "anonymized",
    "catalog",
)


# --------------------------------------------------------------------------- aggregation


@dataclass(slots=True)
class Position:
    key: str
    higher_is_better: bool | None
    unit: str
    members: int  # members with a value (and comparable)
    excluded: int  # members left out: another version of the framework for this axis
    median: float | None
    q1: float | None
    q3: float | None
    focus: float | None
    better_than: float | None  # share of the other members the focus does better than
    equal_to: float | None  # share of the other members with the same value


@dataclass(slots=True)
class Stratum:
    kind: str
    band: int | None
    members: int
    median_score: float | None
    median_spend_outside_eu: float | None
    has_focus: bool


@dataclass(slots=True)
class SharedSupplier:
    name: str
    outside_eu: bool
    members: int
    members_critical: int
    focus: bool


@dataclass(slots=True)
class SharedOffer:
    offer: str  # catalog id
    members: int
    focus: bool


@dataclass(slots=True)
class GroupComparison:
    members: int
    focus: Digest | None
    positions: list[Position]
    levels: dict[str, int]  # services by level over the group
    focus_levels: dict[str, int]
    suppliers: list[SharedSupplier]
    offers: list[SharedOffer]
    strata: list[Stratum]
    strata_hidden: int
    kinds: dict[str, int]
    superseded: int  # older diagnostics of a member that has a newer one in the group
    frameworks: int  # distinct framework versions in the group
    named_rows: list[Digest] = field(default_factory=list)
    anonymized_members: int = 0


class _Column:
    __slots__ = ("excluded", "values")

    def __init__(self) -> None:
        self.values = array("d")
        self.excluded = 0


def aggregate(
    digests: Iterable[Digest], focus_match: Callable[[Digest], bool] | None, *, named: bool, min_stratum: int
) -> GroupComparison:
    """Medians, quartiles, strata and shared suppliers over the digests (one per collectivité: the
    most recent diagnostic wins)."""
    latest: dict[str, Digest] = {}
    superseded = 0
    for d in digests:
        known = latest.get(d.identity)
        if known is not None:
            superseded += 1
            # The most recent diagnostic counts; on the same date, the focus file is kept.
            if d.date < known.date or (d.date == known.date and focus_match is not None and focus_match(known)):
                continue
        latest[d.identity] = d
    members = list(latest.values())
    focus = next((d for d in members if focus_match and focus_match(d)), None)
    reference = focus or (members[0] if members else None)
    if reference is None:
        raise SovdiagError("group.empty")
    if not named and len(members) < min_stratum:
        raise SovdiagError("group.too_small", count=len(members), minimum=min_stratum)

    columns: dict[str, _Column] = {}
    levels: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    supplier_members: Counter[str] = Counter()
    supplier_critical: Counter[str] = Counter()
    supplier_outside: dict[str, bool] = {}
    offer_members: Counter[str] = Counter()
    strata: dict[tuple[str, int | None], list[Digest]] = {}
    frameworks = set()
    for d in members:
        frameworks.add(d.framework_sha256)
        kinds[d.kind] += 1
        levels.update(d.levels)
        for key, value in d.metrics.items():
            column = columns.setdefault(key, _Column())
            if key.startswith("axis:") and not _same_axis(d, reference, key[5:]):
                column.excluded += 1
                continue
            if key in ("mean_score", "mean_prudent_score") and not _same_scale(d, reference):
                column.excluded += 1
                continue
            if value is not None and not math.isnan(value):
                column.values.append(value)
        seen = set()
        for name, outside, critical in d.suppliers:
            if name in seen:
                continue
            seen.add(name)
            supplier_members[name] += 1
            supplier_outside[name] = supplier_outside.get(name, False) or outside
            if critical:
                supplier_critical[name] += 1
        offer_members.update(d.offers)
        strata.setdefault((d.kind, size_band(d.population)), []).append(d)

    positions = [_position(key, col, reference if focus else None) for key, col in columns.items()]
    focus_suppliers = {name for name, _, _ in focus.suppliers} if focus else set()
    shared = [
        SharedSupplier(name, supplier_outside[name], n, supplier_critical[name], name in focus_suppliers)
        for name, n in supplier_members.most_common()
        if n >= 2
    ]
    shown_strata = []
    hidden = 0
    for (kind, band), group in sorted(
        strata.items(), key=lambda kv: (kv[0][0], kv[0][1] if kv[0][1] is not None else -1)
    ):
        if not named and len(group) < min_stratum:
            hidden += 1
            continue
        scores = [g.metrics.get("mean_score") for g in group if _same_scale(g, reference)]
        spend = [g.metrics.get("spend_share_outside_eu") for g in group]
        shown_strata.append(
            Stratum(
                kind,
                band,
                len(group),
                _median([s for s in scores if s is not None]),
                _median([s for s in spend if s is not None]),
                focus is not None and focus in group,
            )
        )
    return GroupComparison(
        members=len(members),
        focus=focus,
        positions=positions,
        levels=dict(sorted(levels.items())),
        focus_levels=dict(focus.levels) if focus else {},
        suppliers=shared,
        offers=[
            SharedOffer(offer, n, focus is not None and offer in focus.offers)
            for offer, n in offer_members.most_common()
            if n >= 2
        ],
        strata=shown_strata,
        strata_hidden=hidden,
        kinds=dict(kinds.most_common()),
        superseded=superseded,
        frameworks=len(frameworks),
        named_rows=sorted(members, key=lambda d: d.name.casefold()) if named else [],
        anonymized_members=sum(1 for d in members if d.anonymized),
    )


def _same_axis(d: Digest, ref: Digest, axis: str) -> bool:
    if d.framework_sha256 == ref.framework_sha256:
        return True
    mine, theirs = d.axis_signatures.get(axis, ""), ref.axis_signatures.get(axis, "")
    return bool(mine) and mine == theirs


def _same_scale(d: Digest, ref: Digest) -> bool:
    """Overall scores compare when every axis does and the weights are the same."""
    return d.weights_key == ref.weights_key and all(_same_axis(d, ref, a) for a in ref.axis_signatures)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _position(key: str, column: _Column, focus: Digest | None) -> Position:
    higher, unit = METRICS.get(key, (True, "score"))
    values = sorted(column.values)
    n = len(values)
    q1: float | None
    median: float | None
    q3: float | None
    if n >= 2:
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = median = q3 = values[0] if values else None
    mine = focus.metrics.get(key) if focus else None
    better = equal = None
    if mine is not None and n > 1 and higher is not None:
        import bisect

        below = bisect.bisect_left(values, mine)
        above = n - bisect.bisect_right(values, mine)
        # Among the others (the focus is one of the n values): how many it does better than, and
        # how many do just as well.
        better = (below if higher else above) / (n - 1)
        equal = (n - below - above - 1) / (n - 1)
    return Position(key, higher, unit, n, column.excluded, median, q1, q3, mine, better, equal)
