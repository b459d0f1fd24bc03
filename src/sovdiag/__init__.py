"""sovdiag: the diagnostic of a collectivité's dependence on non-sovereign digital services.

The library core (loading, validation, scoring, rendering) has no terminal code in it; the
command-line interface lives in ``sovdiag.cli``. Heavy modules (pydantic models, Jinja2,
WeasyPrint) are imported by the functions that need them, so importing this package is cheap.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
