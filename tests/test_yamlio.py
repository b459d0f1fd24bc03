"""Reading YAML safely: every refusal names the file and, where there is one, the line."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from sovdiag.errors import InputFileError, ValidationFailed
from sovdiag.yamlio import LineLocator, load_yaml, read_text


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as info:
        read_text(tmp_path / "absent.yaml")
    assert str(info.value) == f"{tmp_path / 'absent.yaml'} : fichier introuvable."


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="est un dossier"):
        read_text(tmp_path)


def test_empty_and_blank_files_are_refused(tmp_path: Path) -> None:
    for content in ("", "  \n\n"):
        path = tmp_path / "empty.yaml"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(InputFileError, match="le fichier est vide"):
            read_text(path)


def test_non_utf8_bytes_give_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("collectivite:\n  name: Mairie de Sa\xefnt-Denis\n".encode("latin-1"))
    with pytest.raises(InputFileError) as info:
        read_text(path)
    assert f"{path}:2 :" in str(info.value)
    assert "UTF-8" in str(info.value)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: \xc3\x89cole\n")
    assert load_yaml(read_text(path), str(path)) == {"name": "École"}


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: costs no disk
    with pytest.raises(InputFileError, match="trop volumineux"):
        read_text(path)


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(b"\x00\x01\x02abc")
    with pytest.raises(InputFileError, match="pas un fichier texte"):
        read_text(path)


def test_syntax_error_gives_line_and_column() -> None:
    text = "services:\n  - id: a\n    name: [unclosed\n  - id: b\n"
    with pytest.raises(ValidationFailed) as info:
        load_yaml(text, "inv.yaml")
    problem = info.value.problems[0]
    assert problem.file == "inv.yaml"
    assert problem.line == 4
    assert "syntaxe YAML invalide" in problem.message


def test_duplicate_keys_are_refused_with_their_line() -> None:
    text = "collectivite:\n  name: A\n  kind: commune\n  name: B\n"
    with pytest.raises(ValidationFailed) as info:
        load_yaml(text, "inv.yaml")
    assert [(p.line, p.message) for p in info.value.problems] == [(4, "la clé « name » apparaît deux fois")]


@pytest.mark.parametrize(
    ("text", "line", "written"),
    [
        ("answers:\n  1: a\n  01: b\n", 3, "01"),
        ("yes: 1\ntrue: 2\n", 2, "true"),
        ("1: a\n1.0: b\n", 2, "1.0"),
        ("a:\n  - {0x1f: x, 31: y}\n", 2, "31"),
    ],
)
def test_keys_written_differently_that_read_the_same_are_refused(text: str, line: int, written: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        load_yaml(text, "inv.yaml")
    [problem] = info.value.problems
    assert problem.line == line
    assert f"« {written} »" in problem.message


def test_same_key_in_sibling_mappings_is_fine() -> None:
    assert load_yaml("a: {id: 1}\nb: {id: 2}\nc: [{id: 3}, {id: 4}]\n", "x.yaml")["c"][1] == {"id": 4}


def test_billion_laughs_is_refused_at_once() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    start = time.perf_counter()
    with pytest.raises(ValidationFailed) as info:
        load_yaml(bomb, "bomb.yaml")
    assert time.perf_counter() - start < 1.0
    assert info.value.problems[0].line == 1
    assert "ancres et alias" in info.value.problems[0].message


def test_deep_nesting_is_refused_without_crashing() -> None:
    """libyaml's C loader segfaults near 30,000 levels: the scan must refuse it first.

    Run in a subprocess so that a regression shows up as a crash (exit 139), not a dead test run.
    """
    code = (
        "from sovdiag.yamlio import load_yaml\n"
        "from sovdiag.errors import ValidationFailed\n"
        "try:\n"
        "    load_yaml('[' * 100000 + ']' * 100000, 'deep.yaml')\n"
        "except ValidationFailed as e:\n"
        "    print(e.problems[0].message)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "imbrication trop profonde" in done.stdout


def test_line_locator_points_at_keys_and_items() -> None:
    text = "a:\n  b:\n    - x\n    - y: 1\n      z:\n"
    locator = LineLocator(text)
    assert locator.line_of(["a", "b", 1, "y"]) == 4
    assert locator.line_of(["a", "b", 1, "z"]) == 5
    assert locator.line_of(["a", "missing"]) == 1


def test_merge_keys_are_refused() -> None:
    text = "collectivite:\n  name: A\n  <<: {name: B, kind: commune}\n"
    with pytest.raises(ValidationFailed) as info:
        load_yaml(text, "inv.yaml")
    assert [(p.line, p.message) for p in info.value.problems] == [
        (3, "les clés de fusion YAML (<<) ne sont pas acceptées : écrivez chaque clé")
    ]
    assert load_yaml('a: {"<<": 1}\n', "x.yaml") == {"a": {"<<": 1}}  # a quoted « << » is an ordinary key
