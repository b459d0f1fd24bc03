"""Results files, comparisons over time and across framework versions, on real diagnostics.

The commune of Saint-Aubin in 2026 (examples/commune-saint-aubin.yaml) and a year later
(commune-saint-aubin-2027.yaml), after moving its messaging from Microsoft 365 to BlueMind.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sovdiag import formatting as fmt
from sovdiag.compare import EXACT, NONE, SHARED, compare
from sovdiag.errors import SovdiagError
from sovdiag.framework import load_framework
from sovdiag.results import load_results, results_json
from sovdiag.scoring import RESULTS_FORMAT_VERSION, Results
from tests.conftest import DATA, EXAMPLES, pdf_text

BEFORE = EXAMPLES / "commune-saint-aubin.yaml"
AFTER = EXAMPLES / "commune-saint-aubin-2027.yaml"


@pytest.fixture(scope="module")
def before() -> Results:
    return load_results(BEFORE).results


@pytest.fixture(scope="module")
def after() -> Results:
    return load_results(AFTER).results


# ---------------------------------------------------------------- the results file


def test_results_file_round_trips(tmp_path: Path, before: Results) -> None:
    path = tmp_path / "r.json"
    path.write_text(results_json(before), encoding="utf-8")
    loaded = load_results(path)
    assert loaded.source == "json"
    assert loaded.upgraded_from is None
    assert loaded.results.to_dict() == before.to_dict()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "sovdiag-results"
    assert data["format_version"] == RESULTS_FORMAT_VERSION
    # Every criterion is fingerprinted, and every service keeps what the inventory said of it.
    assert set(data["criteria"]) == set(load_framework().criteria)
    messagerie = next(s for s in data["services"] if s["id"] == "m365-messagerie")
    assert messagerie["annual_cost"] == 3100
    assert messagerie["contract_end"] == "2030-01-14"
    assert "Microsoft Ireland" in messagerie["notes_on_answers"]["A2.2"]["comment"]


def test_score_json_writes_the_results_file(cli: object, tmp_path: Path, before: Results) -> None:
    out = tmp_path / "resultats.json"
    result = cli("score", BEFORE, "--json", out)  # type: ignore[operator]
    assert result.exit_code == 0
    assert load_results(out).results.to_dict() == before.to_dict()


def test_format_1_file_is_upgraded_when_read() -> None:
    v1 = DATA / "results" / "commune-saint-aubin.v1.json"
    assert json.loads(v1.read_text(encoding="utf-8"))["format_version"] == 1
    loaded = load_results(v1)
    assert loaded.upgraded_from == 1
    current = load_results(BEFORE).results
    # What format 1 held is read as it was; the per-axis summary is computed from it.
    assert [a.mean_score for a in loaded.results.axes] == pytest.approx([a.mean_score for a in current.axes])
    assert loaded.results.criteria == {}


def test_a_newer_format_is_refused_with_the_version_needed(tmp_path: Path, before: Results) -> None:
    data = before.to_dict() | {"format_version": RESULTS_FORMAT_VERSION + 1, "sovdiag_version": "9.0"}
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SovdiagError) as caught:
        load_results(path)
    message = str(caught.value)
    assert f"format {RESULTS_FORMAT_VERSION + 1}" in message
    assert "sovdiag 9.0" in message
    assert f"1, {RESULTS_FORMAT_VERSION}" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"name": "x"}', "n'est pas un fichier de résultats"),
        ("[1, 2]", "n'est pas un fichier de résultats"),
        ('{"format_version": 2, "services": [', "r.json:1"),
        ('{"format": "autre", "format_version": 2, "services": []}', "n'est pas un fichier de résultats"),
    ],
)
def test_bad_results_files_get_a_clear_message(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SovdiagError) as caught:
        load_results(path)
    assert expected in str(caught.value)


def test_a_wrong_field_is_located(tmp_path: Path, before: Results) -> None:
    data = before.to_dict()
    data["services"][2]["score"] = "haut"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    with pytest.raises(SovdiagError) as caught:
        load_results(path)
    text = str(caught.value)
    assert "services[2].score" in text
    assert re.search(r"r\.json:\d+", text)


def test_results_are_read_back_from_a_pdf_report(cli: object, tmp_path: Path, before: Results) -> None:
    pdf = tmp_path / "rapport.pdf"
    assert cli("report", BEFORE, "-o", pdf, "--audience", "elus").exit_code == 0  # type: ignore[operator]
    loaded = load_results(pdf)
    assert loaded.source == "pdf"
    assert loaded.results.to_dict() == before.to_dict()


def test_a_pdf_without_results_says_so(tmp_path: Path, cli: object) -> None:
    pdf = tmp_path / "referentiel.pdf"
    assert cli("framework", "export", "-o", pdf).exit_code == 0  # type: ignore[operator]
    with pytest.raises(SovdiagError, match=r"resultats-sovdiag\.json"):
        load_results(pdf)


# ---------------------------------------------------------------- over time


def test_migration_of_the_messaging_is_a_replacement(before: Results, after: Results) -> None:
    c = compare(before, after)
    assert c.compatibility.same_framework
    assert all(b == EXACT for b in c.compatibility.axis_basis.values())
    assert [(r.old.id, r.new.id) for r in c.replaced] == [("m365-messagerie", "messagerie-bluemind")]
    assert [s.id for s in c.removed] == ["m365-messagerie", "chatgpt-gratuit"]
    changed = {s.id: s for s in c.changed}
    assert set(changed) == {"horizon-etat-civil", "sauvegarde-veeam"}
    assert ("A4.4", "no_exit_plan", "exit_plan_unfunded") in changed["horizon-etat-civil"].answers
    assert c.unchanged == 11
    indicators = {i.key: i for i in c.indicators}
    assert indicators["critical_outside_eu"].old == 1
    assert indicators["critical_outside_eu"].new == 0
    assert indicators["critical_outside_eu"].better is True
    assert indicators["spend_share_outside_eu"].new == pytest.approx(
        after.indicators.spend_outside_eu / after.indicators.annual_cost  # type: ignore[union-attr]
    )
    # Actions on the old messaging that BlueMind no longer calls for are done, not dropped.
    done = {(a.measure, a.service) for a in c.actions_done}
    assert ("eu-data-location-clause", "messagerie-bluemind") in done
    assert {a.service for a in c.actions_dropped} == {"chatgpt-gratuit"}


def test_compare_cli_terminal_and_pdf_show_the_numbers(
    cli: object, tmp_path: Path, before: Results, after: Results
) -> None:
    out = tmp_path / "evolution.pdf"
    result = cli("compare", BEFORE, AFTER, "-o", out, "--date", "2027-10-20")  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    assert "Remplacé : Messagerie des agents et des élus (Microsoft" in result.stdout
    flat = _flat(pdf_text(out))
    old_share = fmt.percent(before.indicators.spend_share_outside_eu, "fr")  # type: ignore[union-attr]
    new_share = fmt.percent(after.indicators.spend_share_outside_eu, "fr")  # type: ignore[union-attr]
    for expected in (
        "Commune de Saint-Aubin",
        "14 octobre 2026",
        "12 octobre 2027",
        old_share,
        new_share,
        fmt.score(before.summary.mean_score, "fr"),
        fmt.score(after.summary.mean_score, "fr"),
        fmt.money(before.indicators.annual_cost, "fr"),  # type: ignore[union-attr]
        "BlueMind",
        "Plan écrit, sans moyens prévus",
    ):
        assert _flat(expected) in flat, expected


def _flat(text: str) -> str:
    """Text with every kind of space as one plain space (French typography uses no-break spaces)."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_compare_in_english_and_html(cli: object, tmp_path: Path) -> None:
    out = tmp_path / "evolution.html"
    result = cli("compare", BEFORE, AFTER, "-o", out, lang="en")  # type: ignore[operator]
    assert result.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "Replaced: " in html
    assert "Replaced: " in result.stdout


def test_compare_needs_two_files(cli: object) -> None:
    result = cli("compare", BEFORE)  # type: ignore[operator]
    assert result.exit_code == 2


def test_compare_names_an_unreadable_file(cli: object, tmp_path: Path) -> None:
    bad = tmp_path / "vide.json"
    bad.write_text("{}", encoding="utf-8")
    result = cli("compare", BEFORE, bad)  # type: ignore[operator]
    assert result.exit_code == 1
    assert "vide.json" in result.stderr


# ---------------------------------------------------------------- different framework versions


def _framework_v11(tmp_path: Path) -> Path:
    """The shipped framework as version 1.1: A2.3 rescaled, A4.6 weighted twice."""
    from sovdiag.resources import framework_path

    text = framework_path().read_text(encoding="utf-8")
    text = re.sub(r"^version: .*$", 'version: "1.1"', text, count=1, flags=re.MULTILINE)
    start = text.index("- id: A2.3")
    end = text.index("- id: A2.4")
    block = text[start:end].replace("value: 0.25", "value: 0.2", 1)
    assert block != text[start:end]
    text = text[:start] + block + text[end:]
    start = text.index("- id: A4.6")
    head, rest = text[:start], text[start:]
    rest = rest.replace("- id: A4.6\n", "- id: A4.6\n        weight: 2\n", 1)
    path = tmp_path / "framework-1.1.yaml"
    path.write_text(head + rest, encoding="utf-8")
    return path


def test_different_framework_versions_compare_on_shared_criteria(tmp_path: Path, before: Results) -> None:
    framework_11 = _framework_v11(tmp_path)
    newer = load_results(AFTER, framework=framework_11).results
    assert newer.framework_version == "1.1"
    c = compare(before, newer)
    compat = c.compatibility
    assert not compat.same_framework
    assert compat.changed == ["A2.3", "A4.6"]
    assert compat.axis_basis["A2"] == SHARED
    assert compat.axis_basis["A4"] == SHARED
    assert compat.axis_basis["A1"] == EXACT
    keys = [key for key, _ in c.not_compared]
    assert "compare.nc.framework" in keys
    assert "compare.nc.criteria_changed" in keys
    # Overall scores are not compared: two axes lost criteria.
    assert not next(i for i in c.indicators if i.key == "mean_score").comparable
    # A2 is recomputed on A2.1, A2.2, A2.4 for both sides: check the older side by hand.
    weights = {cid: info.weight for cid, info in before.criteria.items()}
    per_service = []
    for s in before.services:
        answered = [
            (o.value, weights[o.criterion])
            for a in s.axes
            if a.axis == "A2"
            for o in a.outcomes
            if o.criterion in ("A2.1", "A2.2", "A2.4") and o.status == "answered"
        ]
        if answered:
            per_service.append(100 * sum(v * w for v, w in answered) / sum(w for _, w in answered))
    a2 = next(a for a in c.axes if a.axis == "A2")
    assert a2.basis == SHARED
    assert a2.criteria == 3
    assert a2.old_score == pytest.approx(sum(per_service) / len(per_service))
    # Answers to a changed criterion are not reported as changes.
    assert all(cid not in ("A2.3", "A4.6") for s in c.changed for cid, _, _ in s.answers)


def test_a_format_1_file_of_another_framework_is_not_compared_silently(tmp_path: Path) -> None:
    v1 = load_results(DATA / "results" / "commune-saint-aubin.v1.json").results
    newer = load_results(AFTER, framework=_framework_v11(tmp_path)).results
    c = compare(v1, newer, [load_framework()])
    # The v1 file was made with the shipped framework: its fingerprints are known from it.
    assert c.compatibility.fingerprints_known
    assert c.compatibility.changed == ["A2.3", "A4.6"]
    c = compare(v1, newer)  # without knowing its framework, nothing per criterion is compared
    assert not c.compatibility.fingerprints_known
    assert all(a.basis == NONE for a in c.axes)
    assert "compare.nc.no_fingerprints" in [key for key, _ in c.not_compared]
    assert all(not s.answers for s in c.changed)


def test_report_with_previous_shows_the_progress(cli: object, tmp_path: Path, before: Results) -> None:
    earlier = tmp_path / "resultats-2026.json"
    earlier.write_text(results_json(before), encoding="utf-8")
    out = tmp_path / "rapport-2027.pdf"
    result = cli("report", AFTER, "--previous", earlier, "-o", out, "--date", "2027-10-20")  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    flat = _flat(pdf_text(out))
    assert "Évolution depuis le diagnostic précédent" in flat
    assert "Du 14 octobre 2026 au 12 octobre 2027" in flat
    assert "Remplacé : Messagerie des agents et des élus (Microsoft" in flat
    elus = tmp_path / "elus.pdf"
    assert cli("report", AFTER, "--previous", BEFORE, "-o", elus, "--audience", "elus").exit_code == 0  # type: ignore[operator]
    assert "Du 14 octobre 2026 au 12 octobre 2027" in _flat(pdf_text(elus))


def test_previous_is_for_one_inventory(cli: object, tmp_path: Path) -> None:
    result = cli("report", EXAMPLES, "--previous", BEFORE, "-o", tmp_path)  # type: ignore[operator]
    assert result.exit_code == 2


def test_hostile_names_stay_text_in_comparison_documents(cli: object, tmp_path: Path) -> None:
    hostile = '<img src="file:///etc/passwd"> url(http://127.0.0.1:9/x)'
    text = (DATA / "inventory-mini.yaml").read_text(encoding="utf-8")
    old = tmp_path / "avant.yaml"
    new = tmp_path / "apres.yaml"
    old.write_text(text, encoding="utf-8")
    new.write_text(text.replace("name: Site web", f"name: '{hostile}'"), encoding="utf-8")
    out = tmp_path / "c.html"
    framework = DATA / "framework-mini.yaml"
    result = cli("compare", old, new, "-o", out, "--framework", framework)  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "&lt;img src=" in html
    assert "<img" not in html


def test_two_collectivites_or_reversed_dates_are_said(before: Results, after: Results) -> None:
    agglo = load_results(EXAMPLES / "agglo-val-de-loire-sauvelin.yaml").results
    keys = [key for key, _ in compare(after, agglo).not_compared]
    assert "compare.nc.other_collectivite" in keys
    assert "compare.nc.dates_reversed" in keys  # the agglomération's diagnostic is from 2026
    keys = [key for key, _ in compare(after, before).not_compared]
    assert keys == ["compare.nc.dates_reversed"]
    assert compare(before, after).not_compared == []
