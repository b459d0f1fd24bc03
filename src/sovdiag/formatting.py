"""Numbers and dates written the way readers of each language expect.

French: decimal comma, narrow no-break space before %, « 23 novembre 2026 ». Babel knows the
rules (CLDR), so we do not hand-roll them.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as _format_date
from babel.numbers import format_decimal, format_percent

_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _locale(lang: str) -> str:
    return _LOCALES.get(lang, "fr_FR")


def score(value: float | None, lang: str, missing: str = "—") -> str:
    """A 0–100 score with one decimal: « 72,4 »."""
    if value is None:
        return missing
    # Half up, as readers round by hand (56.25 -> 56.3), not banker's rounding.
    rounded = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(format_decimal(rounded, "#,##0.0", locale=_locale(lang)))


def percent(ratio: float | None, lang: str, missing: str = "—") -> str:
    """A ratio 0–1 as a whole percentage: « 85 % »."""
    if ratio is None:
        return missing
    return str(format_percent(ratio, locale=_locale(lang)))


def number(value: float | int, lang: str, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, pattern, locale=_locale(lang)))


def money(value: float | None, lang: str, missing: str = "—") -> str:
    """An amount in euros without cents: « 12 400 € »."""
    if value is None:
        return missing
    text = number(round(value), lang)
    return f"{text}\u00a0€" if lang == "fr" else f"€{text}"


def long_date(value: dt.date, lang: str) -> str:
    """« 23 novembre 2026 » / « 23 November 2026 »."""
    return str(_format_date(value, "d MMMM y", locale=_locale(lang)))


def iso_date(iso: str | None, lang: str, missing: str = "—") -> str:
    """An ISO date from the results file as a long date, or ``missing`` when there is none."""
    return long_date(dt.date.fromisoformat(iso), lang) if iso else missing


def short_date(value: dt.date, lang: str) -> str:
    """« 23/11/2026 » / « 23/11/2026 » (numeric, for dense tables)."""
    return str(_format_date(value, "dd/MM/y", locale=_locale(lang)))
