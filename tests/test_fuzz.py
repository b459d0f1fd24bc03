"""Fuzzing the loaders: whatever people or spreadsheet exports put in a file, loading it ends in a
model or in a ``SovdiagError`` with a message — never another exception, never a hang, never a crash.

Inputs are the real files (``tests/data``, ``examples``, the built-in framework, a local catalog)
mutated line by line and value by value, re-encoded, padded with huge strings, bombs and deep
nesting, plus structured random documents. Checks that could crash the interpreter (deep nesting,
alias bombs) and the command line itself run in subprocesses, so that a segfault is a failed test,
not a dead test run. When a load succeeds, the model must also satisfy what the cross-field checks
promise (unique ids, known domains and answers, SIREN check digit, contract dates in order).

Examples are derandomized so that CI sees the same inputs every run; for a longer exploratory run:
``SOVDIAG_FUZZ_RANDOM=1 SOVDIAG_FUZZ_SCALE=20 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sovdiag.catalog import LEGAL_WORDS, Catalog, export_json, fact_rows, load_catalog, normalise
from sovdiag.errors import InputFileError, SovdiagError, ValidationFailed
from sovdiag.framework import LoadedFramework, load_domains, load_framework
from sovdiag.inventory import load_inventory, siren_is_valid
from sovdiag.messages import translate
from sovdiag.models import RESERVED_ANSWERS, CatalogFile, DomainChecklist, Inventory
from sovdiag.resources import framework_path
from sovdiag.yamlio import MAX_DEPTH, load_yaml
from tests.conftest import DATA, EXAMPLES
from tests.test_catalog import LOCAL

T = TypeVar("T")

# ------------------------------------------------------------------------------------ settings

SCALE = float(os.environ.get("SOVDIAG_FUZZ_SCALE", "1"))
EXPLORE = os.environ.get("SOVDIAG_FUZZ_RANDOM") == "1"
LOAD_LIMIT = 10.0  # seconds for one load of a file of at most a few MB: far above any normal run


def fuzz(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return settings(
        max_examples=max(1, round(examples * SCALE)),
        deadline=None,
        derandomize=not EXPLORE,
        database=None if not EXPLORE else settings.default.database,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,  # tmp_path: each example overwrites its own file
        ],
    )


# ------------------------------------------------------------------------------------ inputs

MINI_INVENTORY = (DATA / "inventory-mini.yaml").read_text(encoding="utf-8")
COMMUNE = (EXAMPLES / "commune-saint-aubin.yaml").read_text(encoding="utf-8")
MINI_FRAMEWORK = (DATA / "framework-mini.yaml").read_text(encoding="utf-8")
BIG_FRAMEWORK = framework_path().read_text(encoding="utf-8")


@functools.cache
def mini_framework() -> LoadedFramework:
    return load_framework(DATA / "framework-mini.yaml")


@functools.cache
def builtin_framework() -> LoadedFramework:
    return load_framework()


@functools.cache
def domains() -> DomainChecklist:
    return load_domains()


@functools.cache
def domain_ids() -> frozenset[str]:
    return frozenset(d.id for d in domains().domains)


@functools.cache
def builtin_catalog() -> Catalog:
    return load_catalog(domains=set(domain_ids()))


# Inventory bases with the framework their answers are written for.
BASES = {"mini": (MINI_INVENTORY, mini_framework), "commune": (COMMUNE, builtin_framework)}
BASE_PATHS = {"mini": DATA / "inventory-mini.yaml", "commune": EXAMPLES / "commune-saint-aubin.yaml"}

FIELD_NAMES = [
    "format_version", "collectivite", "diagnostic", "services", "domains_not_used", "name", "kind", "epci_kind",
    "siren", "departement", "population", "agents", "conducted_by", "organisation", "date", "framework", "id",
    "domain", "supplier", "product", "hosted_by", "supplier_country", "ultimate_parent", "deployment",
    "data_categories", "criticality", "users", "contract", "reference", "start", "end", "notice_months",
    "renewal", "annual_cost", "catalog", "offer", "unlisted", "answers", "answer", "comment", "evidence", "notes",
    "A1.1", "A1.2", "A2.1", "A9.9", "<<", "suppliers", "offers", "value", "source", "checked", "unknown",
]  # fmt: skip

# Values that broke, or could break, a loader: impossible dates and times, numbers too big to print,
# ints that are not numbers, tags, formulas, anchors, flow and block syntax, escapes.
HOSTILE_VALUES = [
    "2026-13-45", "2026-02-30", "0000-01-01", "2001-12-14t21:59:43.10-25:00", "2026-01-01 25:61:00",
    "2026-1-1", "0b_", "0x_", "-0b_", "0b1" + "0" * 20_000, "9" * 5_000, "-" + "7" * 4_400, "1" + ":00" * 2_500,
    "0x" + "f" * 4_000, "1e999", "-.inf", ".nan", "1_000", "017", "0o17", "12:30:00", "190:20:30.15",
    '"²²²²²²²²²"', '"١٢٣٤٥٦٧٨٩"', '" 213500001 "', '"213500001"', "=", "=1+2", '=HYPERLINK("http://x","y")',
    "'=HYPERLINK(\"http://x\",\"y\")'", "=cmd|' /C calc'!A0", "+33 1 23 45 67 89", "@SUM(A1)", "`x`", "~",
    "null", "yes", "No", "on", "OFF", "y", "[]", "{}", "[a, [b, {c: d}]]", "{a: 1, a: 2}", "{a", "[a", "&a x",
    "*a", "&a [1, *a]", "!!binary /w==", "!!binary !!!", "!!set {a, b}", "!!omap [a: 1, b: 2]", "!!pairs [a: 1]",
    "!!timestamp x", "!!int abc", "!!float x", "!!bool maybe", "!!null x", "!!str", "!!map x", "!!seq x",
    "!foo bar", "!!python/object/apply:os.system [ls]", "!<tag:yaml.org,2002:int> 12", "|\n  bloc", ">-\n  plié",
    "'non fermé", '"\\x"', '"\\ud800"', '"\\U0010FFFF"', '"\\e[2J\\a"', '"\\0\\x01"', '"\\u202e"', "'\t'",
    "- a", "? a", "a: b: c", "%YAML 1.1", "---", "...", "# commentaire", "<<: {a: 1}", "\ufeff", "\u2028",
    "x" * 300, "é" * 2_000,
]  # fmt: skip

SPECIAL_CHARS = [
    *"[]{}&*!|>'\"#%@`,:-?\t\r\n\\",
    *["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ufeff", "\u2028", "\ufffe", "\U0001f600", "\u0301", "\xa0"],
]

FORMULAS = [
    "=", "=1+2", '=HYPERLINK("http://x","y")', "=SUM(A1:A3)", "=cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("http://x?", A1), "//a")', "+33 6 12 34 56 78", "-1+2", "=1=1", "==",
]  # fmt: skip

# Values a spreadsheet export may put in any cell: right and wrong types, padded, quoted dates.
PLAUSIBLE = [
    "commune", "epci", "region", "saas", "hosted", "on_premises", "iaas_paas", "personal", "health", "low",
    "critical", "tacit", "metropole", "non_eu", "eu", "yes", "no", "unknown", "not_applicable", "messagerie",
    "finances", "site_web", "inconnu", "2024-01-01", " 2030-06-30 ", "1999-12-31", dt.date(2031, 1, 1),
    dt.date(1999, 1, 1), dt.datetime(2024, 1, 1, 0, 0), dt.datetime(2024, 1, 1, 12, 30), " 213500001 ",
    "213500001", "213500002", "356000000", "²²²²²²²²²", "35", "2A", 0, -1, 3, 10**9, 2**80, 1.5, 1e300,
    float("nan"), float("inf"), True, False, None, "", " ", "\t", [], {}, {"answer": "eu"}, {"answer": " "},
    ["personal", "health"], ["messagerie"], "dup", "A1.1", b"\xff\x00",
]  # fmt: skip

keys = st.one_of(
    st.sampled_from(FIELD_NAMES), st.text(max_size=12), st.integers(), st.booleans(), st.none(), st.dates()
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=60),
    st.dates(),
    st.datetimes(),
    st.binary(max_size=16),
    st.sampled_from(PLAUSIBLE),
)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5),
    max_leaves=30,
)


def dump(data: Any, draw: st.DrawFn) -> str:
    return yaml.safe_dump(
        data,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, None, True])),
        sort_keys=False,
        width=draw(st.sampled_from([80, 20, 10_000])),
    )


# ------------------------------------------------------------------------------------ text mutations

_VALUE_LINE = re.compile(r"^(?P<head>\s*(?:-\s+)?[^\s:#'\"\[\]{}][^:#]*:)(?P<sep>[ \t]+)(?P<value>\S.*)$")


def _pick(draw: st.DrawFn, seq: list[Any]) -> int:
    return draw(st.integers(0, max(0, len(seq) - 1)))


def _delete(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if lines:
        del lines[_pick(draw, lines)]
    return lines


def _duplicate(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if lines:
        lines.insert(_pick(draw, lines), lines[_pick(draw, lines)])
    return lines


def _replace(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if lines:
        i = _pick(draw, lines)
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        lines[i] = indent + draw(st.text(max_size=40))
    return lines


def _swap(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if lines:
        i, j = _pick(draw, lines), _pick(draw, lines)
        lines[i], lines[j] = lines[j], lines[i]
    return lines


def _insert_key(draw: st.DrawFn, lines: list[str]) -> list[str]:
    i = _pick(draw, lines)
    near = lines[i] if lines else ""
    indent = draw(st.sampled_from([near[: len(near) - len(near.lstrip())], "", "  ", "    ", "      ", "\t", " "]))
    key = draw(st.sampled_from(FIELD_NAMES) | st.text(min_size=1, max_size=10))
    value = draw(st.sampled_from(HOSTILE_VALUES) | st.sampled_from([str(v) for v in PLAUSIBLE]) | st.just(""))
    lines.insert(i, f"{indent}{key}: {value}")
    return lines


def _change_value(draw: st.DrawFn, lines: list[str]) -> list[str]:
    slots = [i for i, line in enumerate(lines) if _VALUE_LINE.match(line)]
    if slots:
        i = draw(st.sampled_from(slots))
        match = _VALUE_LINE.match(lines[i])
        assert match is not None
        value = draw(
            st.sampled_from(HOSTILE_VALUES)
            | st.sampled_from(FORMULAS)
            | st.text(max_size=30)
            | st.integers().map(str)
            | st.floats().map(repr)
            | st.dates().map(str)
        )
        lines[i] = match["head"] + match["sep"] + value
    return lines


def _insert_chars(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if lines:
        i = _pick(draw, lines)
        at = draw(st.integers(0, len(lines[i])))
        chars = draw(st.lists(st.sampled_from(SPECIAL_CHARS) | st.characters(), min_size=1, max_size=4))
        lines[i] = lines[i][:at] + "".join(chars) + lines[i][at:]
    return lines


def _reindent(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if lines:
        i = _pick(draw, lines)
        stripped = lines[i].lstrip(" ")
        lines[i] = draw(st.sampled_from(["", " ", "\t", "  \t", " " * 7, " " * 40])) + stripped
    return lines


def _tabs(draw: st.DrawFn, lines: list[str]) -> list[str]:
    return [re.sub(r"^( {2})+", lambda m: "\t" * (len(m.group()) // 2), line) for line in lines]


def _long_line(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if lines:
        i = _pick(draw, lines)
        lines[i] += draw(st.sampled_from(["x", "é ", "[", "-", "\u00a0", "a,"])) * draw(st.integers(1_000, 200_000))
    return lines


def _truncate(draw: st.DrawFn, lines: list[str]) -> list[str]:
    text = "\n".join(lines)
    return text[: draw(st.integers(0, len(text)))].split("\n")


LINE_OPS = [
    _delete, _duplicate, _replace, _swap, _insert_key, _change_value, _change_value, _change_value, _insert_chars,
    _reindent, _tabs, _long_line, _truncate,
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, base: str, max_ops: int = 4) -> str:
    lines = base.split("\n")
    for _ in range(draw(st.integers(1, max_ops))):
        lines = draw(st.sampled_from(LINE_OPS))(draw, lines)
    newline = draw(st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"]))
    return newline.join(lines)


def _slots(data: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) of a parsed document, breadth first."""
    slots: list[tuple[Any, Any]] = []
    todo = [data]
    while todo:
        node = todo.pop()
        children = list(node) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else []
        for key in children:
            slots.append((node, key))
            todo.append(node[key])
    return slots


# The fields the cross-field checks read (and criterion ids, A1.1…): edits pick them half the time.
CHECKED_KEYS = {"siren", "kind", "epci_kind", "id", "domain", "start", "end", "domains_not_used", "answer", "answers"}


@st.composite
def respelled(draw: st.DrawFn, value: Any) -> Any:
    """The same value as another tool would write it: padded, quoted, as a timestamp, with a typo."""
    if isinstance(value, bool):
        return draw(st.sampled_from([str(value).lower(), int(value), "oui", None]))
    if isinstance(value, dt.datetime):
        return draw(st.sampled_from([value.date(), value.isoformat(), value.replace(hour=10)]))
    if isinstance(value, dt.date):
        shifted = value - dt.timedelta(days=draw(st.integers(-4_000, 4_000)))
        midnight = dt.datetime.combine(shifted, dt.time())
        return draw(
            st.sampled_from(
                [shifted, shifted.isoformat(), f" {shifted.isoformat()} ", midnight, midnight.replace(hour=10),
                 int(midnight.replace(tzinfo=dt.UTC).timestamp()), shifted.strftime("%d/%m/%Y")]
            )
        )  # fmt: skip
    if isinstance(value, int | float):
        return draw(st.sampled_from([str(value), float(value), -value, value * 1000, f" {value} "]))
    if isinstance(value, str):
        digits = [i for i, c in enumerate(value) if c in "0123456789"]
        typo = value
        if digits:
            i = draw(st.sampled_from(digits))
            typo = value[:i] + str((int(value[i]) + draw(st.integers(1, 9))) % 10) + value[i + 1 :]
        return draw(st.sampled_from([f" {value} ", f"{value} ", value.upper(), value + "\u00a0", typo, f" {typo} "]))
    if isinstance(value, list):
        return draw(st.sampled_from([value[::-1], value + value, []]))
    return value


@st.composite
def edited(draw: st.DrawFn, base: str, max_edits: int = 3) -> str:
    """The parsed base with a few values replaced, respelled, copied from a field of the same name,
    swapped, removed, duplicated or added, dumped again."""
    data = copy.deepcopy(_parsed(base))
    for _ in range(draw(st.integers(1, max_edits))):
        slots = _slots(data)
        if not slots:
            break
        checked = [(n, k) for n, k in slots if isinstance(k, str) and (k in CHECKED_KEYS or re.match(r"^A\d", k))]
        node, key = draw(st.sampled_from(checked if checked and draw(st.booleans()) else slots))
        action = draw(
            st.sampled_from(["replace", "replace", "respell", "respell", "copy", "swap", "delete", "duplicate", "add"])
        )
        if action == "replace":
            node[key] = draw(st.sampled_from(PLAUSIBLE) | documents)
        elif action == "respell":
            node[key] = draw(respelled(node[key]))
        elif action == "copy":  # e.g. the id of another service
            same = [(other, k) for other, k in slots if k == key and other is not node]
            if same:
                other, k = draw(st.sampled_from(same))
                node[key] = copy.deepcopy(other[k])
        elif action == "swap" and isinstance(node, dict):  # e.g. start and end
            other_key = draw(st.sampled_from(list(node)))
            node[key], node[other_key] = node[other_key], node[key]
        elif action == "delete":
            del node[key]
        elif action == "duplicate" and isinstance(node, list):
            node.insert(key, copy.deepcopy(node[key]))
        elif isinstance(node, dict):
            node[draw(keys)] = draw(st.sampled_from(PLAUSIBLE) | documents)
    return dump(data, draw)


@functools.cache
def _parsed(base: str) -> Any:
    return yaml.safe_load(base)


# ------------------------------------------------------------------------------------ checks


class Hang(AssertionError):
    pass


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Turn a hang into a failure (SIGALRM in the main thread; elsewhere, check the time after)."""
    start = time.perf_counter()
    armed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if armed:

        def expire(signum: int, frame: Any) -> None:
            raise Hang(f"still running after {seconds} s")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - start
    assert elapsed < seconds, f"took {elapsed:.1f} s"


def _max_line(text: str) -> int:
    """The last line a problem can point at: YAML breaks lines on \\n, \\r\\n, \\r, NEL, LS and PS."""
    return len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", text)) + 1


def outcome(load: Callable[[], T], path: Path, text: str | None) -> T | SovdiagError:
    """Run a loader: its result, or the SovdiagError it raised after checking that it reads well.

    Any other exception propagates and fails the test.
    """
    with time_limit(LOAD_LIMIT):
        try:
            return load()
        except SovdiagError as error:
            check_error(error, path, text)
            return error


def check_error(error: SovdiagError, path: Path, text: str | None) -> None:
    message = str(error)
    assert message.strip(), f"empty message for {error.key}"
    assert "Traceback" not in message
    if isinstance(error, ValidationFailed):
        assert error.problems, "a validation failure lists at least one problem"
        for problem in error.problems:
            assert problem.message.strip()
            assert problem.file == str(path), (problem.file, str(path))
            if text is not None and problem.line is not None:
                assert 1 <= problem.line <= _max_line(text), (problem.line, _max_line(text), problem.render())
            assert problem.render().strip()


def check_inventory_model(inventory: Inventory, framework: LoadedFramework | None, with_domains: bool) -> None:
    """What a successfully loaded inventory must satisfy: the promises of the cross-field checks."""
    assert isinstance(inventory, Inventory)
    ids = [s.id for s in inventory.services]
    assert len(ids) == len(set(ids)), f"duplicate service ids accepted: {ids}"
    siren = inventory.collectivite.siren
    assert siren is None or siren_is_valid(siren), f"invalid SIREN accepted: {siren!r}"
    if inventory.collectivite.kind == "epci":
        assert inventory.collectivite.epci_kind is not None
    else:
        assert inventory.collectivite.epci_kind is None
    for service in inventory.services:
        contract = service.contract
        if contract is not None and contract.start is not None and contract.end is not None:
            assert contract.start <= contract.end, f"contract ends before it starts: {contract}"
        if with_domains:
            assert service.domain in domain_ids(), f"unknown domain accepted: {service.domain!r}"
        if framework is not None:
            for criterion_id, answer in service.answers.items():
                criterion = framework.criteria.get(criterion_id)
                assert criterion is not None, f"unknown criterion accepted: {criterion_id!r}"
                valid = {o.id for o in criterion.options} | set(RESERVED_ANSWERS)
                assert answer.answer in valid, f"unknown answer accepted: {criterion_id}={answer.answer!r}"
    if with_domains:
        assert set(inventory.domains_not_used) <= domain_ids()


def load_inventory_text(
    path: Path, text: str | bytes, framework: LoadedFramework | None, with_domains: bool
) -> Inventory | SovdiagError:
    if isinstance(text, bytes):
        path.write_bytes(text)
        shown = None
    else:
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        shown = text
    result = outcome(lambda: load_inventory(path, framework, domains() if with_domains else None), path, shown)
    if isinstance(result, Inventory):
        check_inventory_model(result, framework, with_domains)
    return result


def _context(draw: st.DrawFn, base: str) -> tuple[str, LoadedFramework | None, bool]:
    text, framework = BASES[base]
    return text, framework() if draw(st.booleans()) else None, draw(st.booleans())


# ------------------------------------------------------------------------------------ inventories


def test_the_bases_are_valid(tmp_path: Path) -> None:
    """The fuzzers start from valid files: a mutation, not the base, is what they test."""
    for text, framework in BASES.values():
        assert isinstance(load_inventory_text(tmp_path / "inv.yaml", text, framework(), True), Inventory)


@fuzz(250)
@given(data=st.data(), base=st.sampled_from(list(BASES)))
def test_inventory_line_mutations(tmp_path: Path, data: st.DataObject, base: str) -> None:
    text, framework, with_domains = _context(data.draw, base)
    load_inventory_text(tmp_path / "inv.yaml", data.draw(mutated(text)), framework, with_domains)


@fuzz(250)
@given(data=st.data(), base=st.sampled_from(list(BASES)), value=st.sampled_from(HOSTILE_VALUES))
@example(data=None, base="mini", value="2026-13-45").via("impossible date: ValueError from PyYAML")
@example(data=None, base="mini", value="0b_").via("int regex accepts an empty binary literal")
@example(data=None, base="mini", value="9" * 5_000).via("int beyond Python's 4300-digit limit")
@example(data=None, base="mini", value="0b1" + "0" * 20_000).via("int that cannot be printed")
@example(data=None, base="mini", value='"²²²²²²²²²"').via("superscript digits pass str.isdigit")
def test_inventory_hostile_values(tmp_path: Path, data: st.DataObject | None, base: str, value: str) -> None:
    """Each value of the file, in turn, replaced by a value that broke or could break a loader."""
    text, framework = BASES[base]
    lines = text.split("\n")
    slots = [i for i, line in enumerate(lines) if _VALUE_LINE.match(line)]
    i = data.draw(st.sampled_from(slots)) if data is not None else lines.index('  siren: "213500002"')
    match = _VALUE_LINE.match(lines[i])
    assert match is not None
    lines[i] = match["head"] + match["sep"] + value
    with_fw = data.draw(st.booleans()) if data is not None else True
    load_inventory_text(tmp_path / "inv.yaml", "\n".join(lines), framework() if with_fw else None, True)


@fuzz(400)
@given(data=st.data(), base=st.sampled_from(list(BASES)))
def test_inventory_structured_edits(tmp_path: Path, data: st.DataObject, base: str) -> None:
    text, framework, with_domains = _context(data.draw, base)
    load_inventory_text(tmp_path / "inv.yaml", data.draw(edited(text)), framework, with_domains)


# Spellings that the fuzzers above found, or could find, slipping past the cross-field checks (the
# model strips strings and parses quoted dates, timestamps and date-times; the checks read the raw
# YAML) or crashing them (« ² » is a digit for str.isdigit, not for int; a date-time and a date do
# not compare): each must be read as the model reads it.
SPELLINGS = [
    ('siren: "213500002"', 'siren: " 213500001 "', "collectivite.siren"),
    ('siren: "213500002"', 'siren: "²²²²²²²²²"', "collectivite.siren"),
    ("id: compta", 'id: " messagerie"', "services[1].id"),
    ("start: 2024-01-01, end: 2027-12-31", 'start: "2024-01-01", end: "2020-12-31"', "services[0].contract.end"),
    ("end: 2027-12-31", "end: 0", "services[0].contract.end"),
    ("start: 2024-01-01", "start: 2028-01-01 00:00:00", "services[0].contract.end"),
    ("start: 2024-01-01", "start: 2024-01-01 10:30:00", "services[0].contract.start"),
    ("start: 2024-01-01", "start: 2024-01-01 00:00:00", None),
    ("name: Commune de Test", "name: =", None),
    ("population: 1200", "population: 0b_", ""),
    ("date: 2026-10-01", "date: 2026-02-30", ""),
]


@pytest.mark.parametrize(("old", "new", "path"), SPELLINGS)
def test_spellings_are_checked_as_the_model_reads_them(tmp_path: Path, old: str, new: str, path: str | None) -> None:
    assert MINI_INVENTORY.count(old) == 1
    result = load_inventory_text(tmp_path / "inv.yaml", MINI_INVENTORY.replace(old, new), mini_framework(), True)
    if path is None:
        assert isinstance(result, Inventory), str(result)
    else:
        assert isinstance(result, ValidationFailed), result
        assert [p.path for p in result.problems] == [path], str(result)


@fuzz(150)
@given(doc=documents, data=st.data())
def test_inventory_random_documents(tmp_path: Path, doc: Any, data: st.DataObject) -> None:
    text = dump(doc, data.draw)
    result = load_inventory_text(tmp_path / "inv.yaml", text, mini_framework(), data.draw(st.booleans()))
    assert isinstance(result, SovdiagError) or isinstance(doc, dict)


def _as_people_write(value: str) -> str | None:
    """The value as a plain (unquoted) YAML scalar, when it reads back as that same text."""
    if value == "=":  # text for a person; PyYAML resolves a lone « = » to a tag it cannot build
        return value
    try:
        return value if yaml.safe_load(f"k: {value}") == {"k": value} else None
    except yaml.YAMLError:
        return None


FORMULA_FIELDS: dict[str, Callable[[Inventory], str]] = {
    "name": lambda inventory: inventory.collectivite.name,
    "conducted_by": lambda inventory: inventory.diagnostic.conducted_by,
    "supplier": lambda inventory: inventory.services[0].supplier,
}


@fuzz(40)
@given(
    data=st.data(),
    base=st.sampled_from(list(BASES)),
    formula=st.sampled_from(FORMULAS)
    | st.text(st.characters(exclude_categories=("C", "Z")) | st.just(" "), max_size=30).map(lambda s: "=" + s),
    field=st.sampled_from(list(FORMULA_FIELDS)),
)
@example(data=None, base="mini", formula="=", field="name").via("« = » resolved to the tag yaml.org,2002:value")
def test_formulas_are_kept_as_text(
    tmp_path: Path, data: st.DataObject | None, base: str, formula: str, field: str
) -> None:
    """A spreadsheet formula in a cell is text: kept verbatim, never evaluated, never an error."""
    text, framework = BASES[base]
    quoted = yaml.safe_dump(formula, width=10_000).removesuffix("\n").removesuffix("\n...")
    plain = data.draw(st.booleans()) if data is not None else True
    written = (_as_people_write(formula) if plain else None) or quoted
    lines = text.split("\n")
    i = next(i for i, line in enumerate(lines) if re.match(rf"^\s*(- )?{field}: ", line))
    lines[i] = lines[i][: lines[i].index(f"{field}: ") + len(field) + 2] + written
    result = load_inventory_text(tmp_path / "inv.yaml", "\n".join(lines), framework(), True)
    assert isinstance(result, Inventory), str(result)
    assert FORMULA_FIELDS[field](result) == formula.strip()


ENCODINGS = ["bom", "crlf", "cr", "bom+crlf", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]


@fuzz(60)
@given(data=st.data(), base=st.sampled_from(list(BASES)), encoding=st.sampled_from(ENCODINGS))
def test_inventory_encodings(tmp_path: Path, data: st.DataObject, base: str, encoding: str) -> None:
    """A BOM and Windows or old Mac line ends change nothing; other encodings are refused, with the
    line of the first byte that is not UTF-8."""
    text, framework = BASES[base]
    path = tmp_path / "inv.yaml"
    if encoding in {"bom", "crlf", "cr", "bom+crlf"}:
        body = text.replace("\n", {"cr": "\r"}.get(encoding, "\r\n" if "crlf" in encoding else "\n"))
        raw = ("\ufeff" if "bom" in encoding else "") + body
        result = load_inventory_text(path, raw, framework(), True)
        assert result == load_inventory(BASE_PATHS[base], framework(), domains())
        return
    encoded = text.encode(encoding, "replace")
    result = load_inventory_text(path, encoded, framework(), data.draw(st.booleans()))
    assert isinstance(result, InputFileError), result
    if encoding.startswith("utf-"):
        return
    try:
        encoded.decode("utf-8")
    except UnicodeDecodeError as err:
        line = encoded.count(b"\n", 0, err.start) + 1
        assert f"{path}:{line} " in str(result), str(result)


@fuzz(120)
@given(
    data=st.data(),
    base=st.sampled_from(list(BASES)),
    noise=st.binary(min_size=1, max_size=64),
    bom=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]),
)
def test_inventory_random_bytes(tmp_path: Path, data: st.DataObject, base: str, noise: bytes, bom: bytes) -> None:
    text, framework, with_domains = _context(data.draw, base)
    raw = text.encode("utf-8")
    at = data.draw(st.integers(0, len(raw)))
    mode = data.draw(st.sampled_from(["insert", "overwrite", "only"]))
    if mode == "insert":
        raw = raw[:at] + noise + raw[at:]
    elif mode == "overwrite":
        raw = raw[:at] + noise + raw[at + len(noise) :]
    else:
        raw = noise
    load_inventory_text(tmp_path / "inv.yaml", bom + raw, framework, with_domains)


@pytest.mark.parametrize(
    "field", ["name", "notes", "supplier", "comment", "domain", "id", "answer", "<key>", "<explicit key>", "<comment>"]
)
@fuzz(2)
@given(char=st.sampled_from(["x", "é", " ", "-", "\u00a0", "ab", "0"]))
def test_inventory_huge_strings(tmp_path: Path, field: str, char: str) -> None:
    """A 1 MB value or key is refused without being quoted in full; a 1 MB comment is just a comment."""
    huge = (char * (1_000_000 // len(char))).strip() or "x" * 1_000_000
    lines = MINI_INVENTORY.split("\n")
    quoted = json.dumps(huge, ensure_ascii=False)  # JSON strings are YAML double-quoted strings
    if field == "<key>":  # an implicit key: YAML allows 1024 characters
        lines.insert(2, f"  {quoted}: 1")
    elif field == "<explicit key>":  # « ? key » has no limit; twice, for the duplicate-key message
        lines[2:2] = [f"  ? {quoted}", "  : 1", f"  ? {quoted}", "  : 2"]
    elif field == "answer":
        lines = [line.replace("A1.1: non_eu", f"A1.1: {quoted}") for line in lines]
    elif field == "<comment>":
        lines.insert(2, "# " + huge)
    elif field == "comment":
        lines = [line.replace("comment: Clause 12 du contrat", f"comment: {quoted}") for line in lines]
    elif field == "notes":
        lines.insert(20, f"    notes: {quoted}")
    else:
        i = next(i for i, line in enumerate(lines) if re.match(rf"^\s*(- )?{field}: ", line))
        lines[i] = lines[i][: lines[i].index(f"{field}: ") + len(field) + 2] + quoted
    result = load_inventory_text(tmp_path / "inv.yaml", "\n".join(lines), mini_framework(), True)
    if field != "<comment>":
        assert isinstance(result, ValidationFailed), "1 MB is above every length limit of the format"
        assert all(len(p.render()) < 2_000 for p in result.problems), "a problem quotes a value in full"


@functools.cache
def _plain_entries(text: str) -> list[int]:
    """The lines (0-based) of ``key: value`` entries with a plain value, not lines of a folded text."""
    entries = []
    todo = [yaml.compose(text)]
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                same_line = key.start_mark.line == value.start_mark.line
                if isinstance(value, yaml.ScalarNode) and value.style is None and same_line:
                    entries.append(key.start_mark.line)
                todo.append(value)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
    return sorted(entries)


def _bomb(levels: int) -> list[str]:
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return lines


@fuzz(40)
@given(
    data=st.data(),
    base=st.sampled_from(list(BASES)),
    kind=st.sampled_from(["bomb", "anchor", "alias", "anchor+alias", "merge"]),
)
def test_inventory_anchors_and_aliases_are_refused(tmp_path: Path, data: st.DataObject, base: str, kind: str) -> None:
    """Anchors and aliases are refused by the scan, at the line of the first one, before any walk."""
    text, framework = BASES[base]
    lines = text.split("\n")
    slots = [i for i in _plain_entries(text) if _VALUE_LINE.match(lines[i])]
    i = data.draw(st.sampled_from(slots))
    match = _VALUE_LINE.match(lines[i])
    assert match is not None
    if kind == "bomb":
        # Nine levels: 9**9 leaves if anything walked it (it expands to gigabytes).
        lines[i] = match["head"] + match["sep"] + "*l8"
        lines = _bomb(9) + lines
        first = 1
    elif kind == "anchor":
        lines[i] = match["head"] + match["sep"] + "&a " + match["value"]
        first = i + 1
    elif kind == "alias":
        lines[i] = match["head"] + match["sep"] + "*a"
        first = i + 1
    elif kind == "merge":
        lines[i] = match["head"] + match["sep"] + "{<<: *l0}"
        lines = _bomb(1) + lines
        first = 1
    else:
        j = data.draw(st.sampled_from(slots))
        m2 = _VALUE_LINE.match(lines[j])
        assert m2 is not None
        lines[i] = match["head"] + match["sep"] + "&a " + match["value"]
        lines[j] = m2["head"] + m2["sep"] + "*a"
        first = min(i, j) + 1
    start = time.perf_counter()
    result = load_inventory_text(tmp_path / "inv.yaml", "\n".join(lines), framework(), True)
    assert time.perf_counter() - start < 1.0
    assert isinstance(result, ValidationFailed), result
    [problem] = result.problems
    assert (problem.message, problem.line) == (translate("problem.alias"), first), problem.render()


# Deep nesting can crash the interpreter (libyaml's loader recurses in C): one subprocess per file.
_DRIVER = """
import sys, traceback
from pathlib import Path
from sovdiag.errors import SovdiagError
kind, path = sys.argv[1], Path(sys.argv[2])
try:
    if kind == "inventory":
        from sovdiag.inventory import load_inventory
        load_inventory(path)
    elif kind == "framework":
        from sovdiag.framework import load_framework
        load_framework(path)
    else:
        from sovdiag.catalog import load_catalog
        load_catalog(path)
except SovdiagError as error:
    print(error, file=sys.stderr)
    sys.exit(1)
except BaseException:
    traceback.print_exc()
    sys.exit(3)
"""


def _env(lang: str = "fr") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOVDIAG_LANG"}
    env.update({"NO_COLOR": "1", "COLUMNS": "100", "SOVDIAG_LANG": lang})
    return env


def _limit_memory() -> None:
    """3 GiB of address space for a child: a regression fails with MemoryError, not an exhausted machine."""
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))


def nested(style: str, depth: int) -> str:
    if style == "flow-seq":
        return "[" * depth + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + "x" + "}" * depth
    if style == "flow-open":  # never closed
        return "[" * depth
    if style == "block-seq":  # "- - - x": one block sequence per level, on one line
        return "- " * depth + "x"
    if style == "mixed":
        return "[{a: " * ((depth + 1) // 2) + "x" + "}]" * ((depth + 1) // 2)
    # block mappings, one level per line: the file grows with depth², so stay under the size cap
    depth = min(depth, 3_000)
    return "".join(" " * i + "a:\n" for i in range(depth)) + " " * depth + "x\n"


@fuzz(8)
@given(
    style=st.sampled_from(["flow-seq", "flow-map", "flow-open", "block-seq", "mixed", "block-map"]),
    depth=st.sampled_from([MAX_DEPTH + 1, 1_000, 30_000, 100_000]) | st.integers(MAX_DEPTH + 1, 100_000),
    kind=st.sampled_from(["inventory", "inventory", "framework", "catalog"]),
    embedded=st.booleans(),
)
@example(style="flow-seq", depth=100_000, kind="inventory", embedded=False)
@example(style="block-seq", depth=100_000, kind="inventory", embedded=True)
def test_deep_nesting_is_refused_in_a_subprocess(
    tmp_path: Path, style: str, depth: int, kind: str, embedded: bool
) -> None:
    deep = nested(style, depth)
    if embedded:  # under one more key of a valid file
        base = {"inventory": MINI_INVENTORY, "framework": MINI_FRAMEWORK, "catalog": LOCAL}[kind].rstrip("\n")
        if style == "block-map":
            text = base + "\nzz:\n" + "".join("  " + line + "\n" for line in deep.split("\n"))
        else:
            text = base + "\nzz:\n  " + deep + "\n" if style == "block-seq" else base + "\nzz: " + deep + "\n"
    else:
        text = deep
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, kind, str(path)],
        capture_output=True, text=True, timeout=60, env=_env(), check=False, preexec_fn=_limit_memory,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    # -11 or 139: a segfault; 3: an exception other than SovdiagError
    assert done.returncode == 1, f"exit {done.returncode}:\n{done.stderr[-3000:]}"
    assert done.stderr.strip(), "no message"
    assert translate("problem.too_deep", limit=MAX_DEPTH) in done.stderr, done.stderr[-3000:]
    assert elapsed < 20, f"{elapsed:.1f} s"


# ------------------------------------------------------------------------------------ frameworks

FRAMEWORKS = {"mini": MINI_FRAMEWORK, "builtin": BIG_FRAMEWORK}


def check_framework_model(loaded: LoadedFramework, text: str) -> None:
    assert loaded.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    levels = [level.value for level in loaded.model.levels]
    assert levels == list(range(len(levels)))
    assert loaded.max_level == len(levels) - 1
    assert loaded.model.default_profile in {p.id for p in loaded.model.weight_profiles}
    for criterion in loaded.criteria.values():
        assert all(o.cap is None or o.cap <= loaded.max_level for o in criterion.options)
        values = [o.value for o in criterion.options]
        assert values == sorted(values), f"{criterion.id}: options not ordered worst first"
    loaded.profile()  # the default profile resolves


def load_framework_text(path: Path, text: str | bytes) -> LoadedFramework | SovdiagError:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    result = outcome(lambda: load_framework(path), path, text if isinstance(text, str) else None)
    if isinstance(result, LoadedFramework):
        check_framework_model(result, path.read_bytes().decode("utf-8-sig"))
    return result


@fuzz(200)
@given(data=st.data(), base=st.sampled_from(["mini", "mini", "mini", "builtin"]))
def test_framework_line_mutations(tmp_path: Path, data: st.DataObject, base: str) -> None:
    load_framework_text(tmp_path / "framework.yaml", data.draw(mutated(FRAMEWORKS[base])))


@fuzz(100)
@given(data=st.data())
def test_framework_structured_edits(tmp_path: Path, data: st.DataObject) -> None:
    load_framework_text(tmp_path / "framework.yaml", data.draw(edited(MINI_FRAMEWORK)))


@fuzz(40)
@given(data=st.data(), value=st.sampled_from(HOSTILE_VALUES))
@example(data=None, value="0b1" + "0" * 20_000).via("a level cap too big to print in a message")
def test_framework_hostile_values(tmp_path: Path, data: st.DataObject | None, value: str) -> None:
    lines = MINI_FRAMEWORK.split("\n")
    if data is None:
        i = next(i for i, line in enumerate(lines) if "cap: 0}" in line)
        lines[i] = lines[i].replace("cap: 0}", f"cap: {value}}}")
    else:
        slots = [i for i, line in enumerate(lines) if _VALUE_LINE.match(line)]
        i = data.draw(st.sampled_from(slots))
        match = _VALUE_LINE.match(lines[i])
        assert match is not None
        lines[i] = match["head"] + match["sep"] + value
    load_framework_text(tmp_path / "framework.yaml", "\n".join(lines))


# ------------------------------------------------------------------------------------ catalog


def load_local_catalog(path: Path, text: str, with_domains: bool) -> Catalog | SovdiagError:
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    result = outcome(lambda: load_catalog(local=path, domains=set(domain_ids()) if with_domains else None), path, text)
    if isinstance(result, Catalog):
        local = CatalogFile.model_validate(load_yaml(path.read_text(encoding="utf-8-sig"), str(path), "catalog"))
        for owner, offer in result.offers.values():
            assert offer in result.suppliers[owner].offers
            if with_domains:
                assert set(offer.domains) <= domain_ids()
        for supplier in local.suppliers:
            sid = supplier.id
            assert result.origin("supplier", sid) == f"local:{path.name}"
            assert result.match_supplier(result.suppliers[sid].display_name).status != "unmatched"
        assert fact_rows(result)
        json.loads(export_json(result))
    return result


@fuzz(80)
@given(data=st.data())
def test_local_catalog_mutations(tmp_path: Path, data: st.DataObject) -> None:
    text = data.draw(st.one_of(mutated(LOCAL), edited(LOCAL)))
    load_local_catalog(tmp_path / "local.yaml", text, data.draw(st.booleans()))


names = st.text(alphabet=st.characters(exclude_categories=()), max_size=80)  # surrogates included


@fuzz(300)
@given(text=names | st.sampled_from(["", " ", "()", "(", ")", "(())", "SAS", "S.A.", "x (", ") x (", "ǰ", "ß", "İ"]))
def test_normalise_returns_words(text: str) -> None:
    key = normalise(text)
    assert isinstance(key, str)
    assert key == key.strip()
    assert "  " not in key
    assert all(c.isalnum() or c == " " for c in key), repr(key)


@fuzz(300)
@given(text=names, data=st.data())
def test_matching_arbitrary_text_returns(text: str, data: st.DataObject) -> None:
    catalog = builtin_catalog()
    with time_limit(LOAD_LIMIT):
        supplier = catalog.match_supplier(text)
        supplier_id = data.draw(st.none() | st.sampled_from(sorted(catalog.suppliers)))
        offer = catalog.match_offer(text, supplier_id)
        found = catalog.search(text)
    for match, known in ((supplier, catalog.suppliers), (offer, catalog.offers)):
        assert match.status in {"matched", "ambiguous", "unmatched"}
        assert (match.id is not None) == (match.status == "matched")
        assert all(i in known for i in (match.id, *match.candidates, *match.suggestions) if i is not None)
    if supplier_id is not None and offer.status == "matched":
        assert offer.id in catalog.offers
    assert len(found) <= 20


@fuzz(100)
@given(data=st.data())
def test_supplier_names_survive_case_and_legal_forms(data: st.DataObject) -> None:
    """A supplier's own name, upper-cased and with a legal form added, finds the same entry."""
    catalog = builtin_catalog()
    supplier = catalog.suppliers[data.draw(st.sampled_from(sorted(catalog.suppliers)))]
    name = data.draw(st.sampled_from([supplier.name, supplier.display_name, *supplier.aliases]))
    suffix = data.draw(st.sampled_from(["", " SAS", " S.A.S.", " Inc.", ", Ltd", " GmbH"]))
    expected = catalog.match_supplier(name)
    typed = data.draw(st.sampled_from([name, name.upper(), name.lower()])) + suffix
    if any(word not in LEGAL_WORDS for word in normalise(name).split()):
        got = catalog.match_supplier(typed)
        assert (got.status, got.id) == (expected.status, expected.id), (typed, name)


# ------------------------------------------------------------------------------------ command line

CLI_CASES: dict[str, bytes] = {
    "deep-flow-100k": b"[" * 100_000 + b"]" * 100_000,
    "deep-block-100k": b"- " * 100_000 + b"x",
    "deep-map-inline": MINI_INVENTORY.replace("notes", "x").encode() + b"\nzz: " + b"{a: " * 50_000,
    "billion-laughs": ("\n".join(_bomb(9)) + "\n").encode(),
    "bomb-in-inventory": ("\n".join(_bomb(9)) + "\n" + MINI_INVENTORY.replace("agents: 12", "agents: *l8")).encode(),
    "impossible-date": MINI_INVENTORY.replace("date: 2026-10-01", "date: 2026-13-45").encode(),
    "huge-int": MINI_INVENTORY.replace("population: 1200", "population: 0b1" + "0" * 20_000).encode(),
    "superscript-siren": MINI_INVENTORY.replace('"213500002"', '"²²²²²²²²²"').encode(),
    "utf-16": MINI_INVENTORY.encode("utf-16"),
    "utf-16-le-no-bom": MINI_INVENTORY.encode("utf-16-le"),
    "nul-bytes": MINI_INVENTORY.encode().replace(b"\n", b"\n\x00", 3),
    "random-bytes": bytes(range(256)) * 8,
    "megabyte-line": MINI_INVENTORY.replace("Site web", "x" * 1_000_000).encode(),
}


# Files without a size: a regression would read them until memory runs out (hence the limit below).
DEVICES = [device for device in ("/dev/zero", "/dev/urandom") if Path(device).exists()]


def test_cli_validate_exits_1_on_hostile_files(tmp_path: Path) -> None:
    """``sovdiag validate`` on hostile files: exit 1 with a message, never 139, never a traceback."""
    paths = {}
    for name, content in CLI_CASES.items():
        paths[name] = tmp_path / f"{name}.yaml"
        paths[name].write_bytes(content)
    paths.update({device: Path(device) for device in DEVICES})
    running = []
    for n, (name, path) in enumerate(paths.items()):  # all at once: the machine has 2 cores
        command = [sys.executable, "-m", "sovdiag", "validate", str(path)]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env("en" if n % 3 == 2 else "fr"),
            preexec_fn=_limit_memory,
        )
        running.append((name, process))
    failures = []
    for name, process in running:
        try:
            out, err = process.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            failures.append(f"{name}: still running after 90 s")
            continue
        stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
        if process.returncode != 1 or "Traceback" in stdout + stderr or not stderr.strip():
            failures.append(f"{name}: exit {process.returncode}\n{stderr[-2000:]}")
    assert not failures, "\n\n".join(failures)


# ------------------------------------------------------------------------------------ results files


@functools.cache
def results_base() -> dict[str, Any]:
    from sovdiag.results import load_results

    data: dict[str, Any] = load_results(EXAMPLES / "commune-saint-aubin-2027.yaml").results.to_dict()
    data["services"] = data["services"][:3]  # small: each example is loaded many times
    return data


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value[:3]):
            yield from _paths(child, (*prefix, i))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
) | st.sampled_from(["x" * 100_000, '=HYPERLINK("http://127.0.0.1/")', "\u202e", "\ufeff", -(10**40), 1e308])


def load_results_bytes(path: Path, raw: bytes) -> Any:
    from sovdiag.group import _fast_digest
    from sovdiag.results import load_results

    path.write_bytes(raw)
    text = raw.decode("utf-8", "replace")
    result = outcome(lambda: load_results(path), path, text)
    fast = outcome(lambda: _fast_digest(path), path, text)  # None, a digest, or a clear error
    if not isinstance(result, SovdiagError):
        assert result.results.format_version == 2
    return result, fast


@fuzz(150)
@given(data=st.data())
def test_results_structured_edits(tmp_path: Path, data: st.DataObject) -> None:
    """Every edit of a results file ends in results or a SovdiagError with a message."""
    document = copy.deepcopy(results_base())
    paths = [p for p in _paths(document) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(paths))
        parent: Any = document
        try:
            for key in where[:-1]:
                parent = parent[key]
            action = data.draw(st.sampled_from(["replace", "delete", "extra"]))
            if action == "replace":
                parent[where[-1]] = data.draw(JSON_VALUES)
            elif action == "delete" and isinstance(parent, dict):
                del parent[where[-1]]
            elif isinstance(parent, dict):
                parent[data.draw(st.text(max_size=10))] = data.draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    raw = json.dumps(document, ensure_ascii=data.draw(st.booleans())).encode("utf-8")
    load_results_bytes(tmp_path / "r.json", raw)


@fuzz(120)
@given(data=st.data())
def test_results_byte_mutations(tmp_path: Path, data: st.DataObject) -> None:
    raw = bytearray(json.dumps(results_base()).encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["cut", "flip", "insert", "bom", "nest"]))
        at = data.draw(st.integers(0, len(raw) - 1))
        if kind == "cut":
            del raw[at:]
            if not raw:
                raw = bytearray(b"{")
        elif kind == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif kind == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=20))
        elif kind == "bom":
            raw[0:0] = b"\xef\xbb\xbf"
        else:
            depth = data.draw(st.integers(50, 5_000))
            raw[at:at] = b"[" * depth + b"]" * depth
    load_results_bytes(tmp_path / "r.json", bytes(raw))


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00" * 100,
        b"%PDF-1.7\n" + b"x" * 100,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\ntrailer<</Root 1 0 R>>",
        b"[" * 100_000,
    ],
)
def test_results_hostile_files(tmp_path: Path, raw: bytes) -> None:
    result, _ = load_results_bytes(tmp_path / "r.pdf" if raw.startswith(b"%PDF") else tmp_path / "r.json", raw)
    assert isinstance(result, SovdiagError)
