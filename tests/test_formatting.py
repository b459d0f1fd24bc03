import datetime as dt

import pytest

from sovdiag import formatting as fmt


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [(56.25, "fr", "56,3"), (56.25, "en", "56.3"), (0.04, "fr", "0,0"), (100.0, "fr", "100,0"), (None, "fr", "—")],
)
def test_scores_round_half_up_with_the_decimal_mark_of_the_language(
    value: float | None, lang: str, expected: str
) -> None:
    assert fmt.score(value, lang) == expected


def test_percent_money_and_dates_in_french() -> None:
    assert fmt.percent(0.5, "fr") == "50\u00a0%"  # CLDR: no-break space before %
    assert fmt.money(1234567.4, "fr") == "1\u202f234\u202f567\u00a0€"
    assert fmt.money(1234.0, "en") == "€1,234"
    assert fmt.long_date(dt.date(2026, 11, 1), "fr") == "1 novembre 2026"
    assert fmt.long_date(dt.date(2026, 11, 1), "en") == "1 November 2026"
