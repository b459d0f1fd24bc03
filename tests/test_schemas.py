"""The JSON Schemas committed in schemas/ are the ones the code exports, and they accept the files."""

from __future__ import annotations

import json

import pytest

from sovdiag.schemas import schema_dict, schema_json
from tests.conftest import ROOT


@pytest.mark.parametrize("kind", ["inventory", "framework", "domains", "catalog", "results"])
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


def test_schemas_accept_the_examples_and_their_results() -> None:
    """What the committed schemas promise to editors and other tools holds for real files."""
    import jsonschema
    import yaml

    from sovdiag.results import load_results
    from tests.conftest import EXAMPLES

    inventory_schema = json.loads((ROOT / "schemas" / "inventory.schema.json").read_text(encoding="utf-8"))
    results_schema = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
    for example in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(example.read_text(encoding="utf-8"))
        # JSON has no dates: the inventory's dates are checked as the ISO strings a JSON file holds.
        jsonschema.validate(json.loads(json.dumps(data, default=str)), inventory_schema)
        jsonschema.validate(load_results(example).results.to_dict(), results_schema)


def test_results_schema_refuses_a_broken_file() -> None:
    import jsonschema

    from sovdiag.results import load_results
    from tests.conftest import EXAMPLES

    schema = json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))
    data = load_results(EXAMPLES / "commune-saint-aubin.yaml").results.to_dict()
    data["services"][0]["axes"][0]["score"] = "haut"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
