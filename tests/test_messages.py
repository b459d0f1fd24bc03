import re
import string

from sovdiag.messages import EN, FR


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys() -> None:
    assert set(FR) == set(EN)


def test_both_languages_have_the_same_placeholders() -> None:
    different = {
        k: (placeholders(FR[k]), placeholders(EN[k])) for k in FR if placeholders(FR[k]) != placeholders(EN[k])
    }
    assert different == {}


def test_no_user_message_is_written_in_the_cli_code() -> None:
    """Messages live in sovdiag.messages: the CLI prints keys, not French or English literals."""
    from tests.conftest import ROOT

    literal = re.compile(r"print_text\(\s*f?[\"'][^\"'{]*[A-Za-zÀ-ÿ]")  # words outside a {placeholder}
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src" / "sovdiag" / "cli").glob("*.py")
        if literal.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
