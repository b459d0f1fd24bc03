"""Group comparison and anonymisation, on real diagnostics built from the examples."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from sovdiag import formatting as fmt
from sovdiag.anonymize import anonymize
from sovdiag.group import _fast_digest, digest_of
from sovdiag.inventory import siren_is_valid
from sovdiag.results import load_results, results_json
from sovdiag.scoring import Results
from tests.conftest import EXAMPLES, pdf_text

COMMUNE = EXAMPLES / "commune-saint-aubin.yaml"
MEMBER_NAMES = [f"Commune de Val-Sauvelin-{k}" for k in range(6)]


def _sirens(count: int) -> list[str]:
    found = [s for s in (f"2141099{i:02d}" for i in range(100)) if siren_is_valid(s)]
    return found[:count]


@pytest.fixture(scope="module")
def group_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six communes made from the example (different names, SIRENs and answers), the example
    commune itself, the agglomération and the région: nine real results files."""
    folder = tmp_path_factory.mktemp("groupe")
    base = COMMUNE.read_text(encoding="utf-8")
    for k, (name, siren) in enumerate(zip(MEMBER_NAMES, _sirens(6), strict=True)):
        text = base.replace("name: Commune de Saint-Aubin", f"name: {name}").replace(
            'siren: "214109803"', f'siren: "{siren}"'
        )
        if k % 2:  # half of them wrote and tested exit plans
            text = text.replace("      A4.4: no_exit_plan\n", "      A4.4: exit_plan_tested\n")
        if k % 3 == 0:
            text = text.replace("      A1.1: entirely_non_eu\n", "      A1.1: mostly_non_eu\n", 1)
        inventory = folder / f"membre-{k}.yaml"
        inventory.write_text(text, encoding="utf-8")
        (folder / f"membre-{k}.json").write_text(results_json(load_results(inventory).results), encoding="utf-8")
        inventory.unlink()
    for example in ("commune-saint-aubin", "agglo-val-de-loire-sauvelin", "region-exemple"):
        results = load_results(EXAMPLES / f"{example}.yaml").results
        (folder / f"{example}.json").write_text(results_json(results), encoding="utf-8")
    return folder


def _members(folder: Path) -> list[Results]:
    return [load_results(p).results for p in sorted(folder.glob("*.json"))]


def test_fast_digest_equals_the_full_one(group_dir: Path) -> None:
    for path in sorted(group_dir.glob("*.json")):
        fast = _fast_digest(path)
        assert fast is not None
        assert fast == digest_of(load_results(path).results, str(path))


def test_group_places_the_focus_anonymously(cli: object, group_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "groupe.pdf"
    focus = group_dir / "commune-saint-aubin.json"
    result = cli("compare", "--group", group_dir, "--focus", focus, "-o", out)  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    members = _members(group_dir)
    median = statistics.median(r.summary.mean_score for r in members if r.summary.mean_score is not None)
    for text in (result.stdout, pdf_text(out)):
        flat = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
        assert "9 collectivité(s) dans le groupe" in flat
        assert fmt.score(median, "fr") in flat
        assert "Commune de Saint-Aubin" in flat  # the focus is named
        for name in [*MEMBER_NAMES, "Val de Loire-Sauvelin", "Région"]:
            assert name not in flat.replace("Région 1", "")  # nobody else is
        # The strata with fewer than five members (the agglomération, the région) are not shown.
        assert "2 strate(s) de moins de 5 membres non montrée(s)" in flat
        assert "Microsoft" in flat  # a supplier every member depends on


def test_named_group_lists_the_members(cli: object, group_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "groupe.html"
    result = cli("compare", "--group", group_dir, "--named", "-o", out)  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    for name in MEMBER_NAMES:
        assert f"<td>{name}</td>" in html


def test_a_small_group_is_refused_unless_named(cli: object, group_dir: Path) -> None:
    files = sorted(group_dir.glob("membre-*.json"))[:3]
    result = cli("compare", "--group", *files)  # type: ignore[operator]
    assert result.exit_code == 1
    assert "au moins 5" in result.stderr
    assert cli("compare", "--group", *files, "--named").exit_code == 0  # type: ignore[operator]


def test_unknown_focus_and_unreadable_member(cli: object, group_dir: Path, tmp_path: Path) -> None:
    result = cli("compare", "--group", group_dir, "--focus", "Commune inconnue")  # type: ignore[operator]
    assert result.exit_code == 1
    assert "Commune inconnue" in result.stderr
    bad = tmp_path / "casse.json"
    bad.write_text("{ pas du json", encoding="utf-8")
    result = cli("compare", "--group", group_dir, "--group", bad)  # type: ignore[operator]
    assert result.exit_code == 1
    assert "casse.json" in result.stderr
    assert "9 collectivité(s)" in result.stdout  # the others are compared all the same


def test_the_most_recent_diagnostic_of_a_member_counts(cli: object, group_dir: Path, tmp_path: Path) -> None:
    later = tmp_path / "saint-aubin-2027.json"
    later.write_text(results_json(load_results(EXAMPLES / "commune-saint-aubin-2027.yaml").results), encoding="utf-8")
    result = cli("compare", "--group", group_dir, "--group", later, "--focus", "214109803")  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    assert "1 diagnostic(s) plus ancien(s)" in result.stdout
    assert "9 collectivité(s)" in result.stdout


# ---------------------------------------------------------------- anonymize


def test_anonymized_results_hold_none_of_the_removed_strings(cli: object, tmp_path: Path) -> None:
    from sovdiag.yamlio import load_yaml_file

    source = EXAMPLES / "commune-saint-aubin-2027.yaml"
    _, inventory = load_yaml_file(source)
    removed = [inventory["diagnostic"]["conducted_by"], inventory["diagnostic"]["organisation"]]
    for service in inventory["services"]:
        removed += [service.get("notes") or "", (service.get("contract") or {}).get("reference") or ""]
        for answer in (service.get("answers") or {}).values():
            if isinstance(answer, dict):
                removed += [answer.get("comment") or "", answer.get("evidence") or ""]
        if service.get("confidential"):
            removed += [service["id"], service["name"], service["supplier"], service["product"]]
    removed = [r for r in removed if r]
    assert len(removed) > 20
    out = tmp_path / "partage.json"
    result = cli("anonymize", source, "-o", out)  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    for value in removed:
        assert value not in text, value
    assert "Veeam" not in text  # the confidential service's supplier, under any spelling
    assert "la personne qui a conduit le diagnostic" in result.stdout
    assert "1 service(s) marqué(s) confidentiel(s)" in result.stdout
    shared = load_results(out).results
    assert shared.anonymized is not None
    assert shared.anonymized["removed"]["confidential_services"] == 1
    # What the group comparison needs is still there.
    original = load_results(source).results
    assert shared.summary == original.summary
    assert [a.mean_score for a in shared.axes] == [a.mean_score for a in original.axes]
    assert shared.collectivite["siren"] == original.collectivite["siren"]


def test_hide_collectivite(tmp_path: Path) -> None:
    results = load_results(COMMUNE).results
    shared, removal = anonymize(results, hide_collectivite=True)
    text = json.dumps(shared.to_dict(), ensure_ascii=False)
    assert "Saint-Aubin" not in text
    assert "214109803" not in text
    assert shared.collectivite["population"] == 3100  # 3,050 to two significant figures
    assert removal.removed["collectivite.siren"] == 1
    assert results.collectivite["name"] == "Commune de Saint-Aubin"  # the original is untouched


def test_anonymized_files_join_a_group(cli: object, group_dir: Path, tmp_path: Path) -> None:
    shared = tmp_path / "partage.json"
    assert cli("anonymize", group_dir / "membre-0.json", "-o", shared).exit_code == 0  # type: ignore[operator]
    result = cli("compare", "--group", group_dir, "--focus", shared)  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    assert MEMBER_NAMES[0] in result.stdout


def test_comparing_with_an_anonymized_file_says_what_cannot_be_matched() -> None:
    from sovdiag.compare import compare

    before = load_results(COMMUNE).results
    after, _ = anonymize(load_results(EXAMPLES / "commune-saint-aubin-2027.yaml").results)
    comparison = compare(before, after)
    assert ("compare.nc.anonymized_new", {"count": 1}) in comparison.not_compared


def test_a_group_with_two_framework_versions_compares_axes_on_shared_criteria(group_dir: Path, tmp_path: Path) -> None:
    """Members scored with framework 1.1 (A2.3 and A4.6 changed) are left out of axes A2 and A4 and
    of the overall scores, and counted in the others."""
    from sovdiag.group import aggregate, read_digests
    from tests.test_compare import _framework_v11

    framework_11 = _framework_v11(tmp_path)
    newer = []
    for k in range(2):
        inventory = tmp_path / f"v11-{k}.yaml"
        text = COMMUNE.read_text(encoding="utf-8").replace(
            "name: Commune de Saint-Aubin", f"name: Commune version 1.1 n° {k}"
        )
        inventory.write_text(text.replace('siren: "214109803"', f'siren: "{_sirens(8)[6 + k]}"'), encoding="utf-8")
        path = tmp_path / f"v11-{k}.json"
        path.write_text(results_json(load_results(inventory, framework=framework_11).results), encoding="utf-8")
        newer.append(path)
    paths = [*sorted(group_dir.glob("*.json")), *newer]
    errors: list[tuple[Path, str]] = []
    focus = str(group_dir / "commune-saint-aubin.json")
    group = aggregate(
        read_digests(paths, lambda p: load_results(p).results, errors),
        lambda d: d.path == focus,
        named=False,
        min_stratum=5,
    )
    assert not errors
    assert group.members == 11
    assert group.frameworks == 2
    by_key = {p.key: p for p in group.positions}
    assert by_key["axis:A1"].members == 11
    assert by_key["axis:A2"].excluded == 2
    assert by_key["axis:A4"].excluded == 2
    assert by_key["mean_score"].excluded == 2
