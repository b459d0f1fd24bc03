"""The JSON Schemas committed in schemas/ are the ones the code exports, and they accept the files."""

from __future__ import annotations

import json

import pytest

from sovdiag.schemas import schema_dict, schema_json
from tests.conftest import ROOT


@pytest.mark.parametrize("kind", ["inventory", "framework", "domains", "catalog"])
def test_committed_schema_is_current(kind: str) -> None:
    committed = (ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_json(kind), f"run: sovdiag schema {kind} -o schemas/{kind}.schema.json"


def test_inventory_schema_describes_fields_in_french() -> None:
    schema = schema_dict("inventory")
    service = schema["$defs"]["Service"]
    assert service["additionalProperties"] is False
    assert service["properties"]["deployment"]["description"] == "Mode de déploiement."
    assert set(service["required"]) >= {"id", "name", "domain", "supplier", "deployment", "criticality"}
    # An answer may be written as a plain option id or as a mapping with a comment and evidence.
    answers = service["properties"]["answers"]
    assert answers["type"] == "object"
    [forms] = [p["anyOf"] for p in answers["patternProperties"].values()]
    assert {"type": "string"} in forms
    assert {"$ref": "#/$defs/Answer"} in forms
    json.dumps(schema)
