"""Golden results for the shipped examples: any change to a score, level, target, risk, indicator,
obligation or action shows up as a diff to review (rewrite with ``pytest --update-golden``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sovdiag.pipeline import diagnose, open_diagnostic
from tests.conftest import EXAMPLES

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_results_match_golden(path: Path, update_golden: bool) -> None:
    data = diagnose(open_diagnostic(path)).to_dict()
    data.pop("sovdiag_version")  # a release changes it, not the results
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    golden = GOLDEN / f"{path.stem}.json"
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}: run pytest --update-golden"
    assert json.loads(golden.read_text(encoding="utf-8")) == json.loads(text)
