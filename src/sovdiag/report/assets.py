"""Checks on what a user may bring to the report: a template folder and a logo.

A logo of a few kilobytes can decode to gigabytes of pixels (an image bomb); it is refused from its
header, before WeasyPrint opens it, and embedded as a data: URL so that rendering reads no file.
"""

from __future__ import annotations

import base64
from pathlib import Path

from sovdiag.errors import ReportError

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 25_000_000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
REQUIRED_TEMPLATES = ("report.html.j2", "report.css", "strings.yaml", "glossary.yaml")


def check_logo(path: Path) -> str:
    """A data: URL of the logo, after checking its size, type and dimensions."""
    from PIL import Image, UnidentifiedImageError

    try:
        size = path.stat().st_size
    except OSError as err:
        raise ReportError("error.logo", file=str(path), reason=err.strerror or str(err)) from err
    if size > MAX_LOGO_BYTES:
        raise ReportError("error.logo", file=str(path), reason=f"> {MAX_LOGO_BYTES // 1024} Kio")
    try:
        with Image.open(path) as image:  # reads the header only
            kind, (width, height) = image.format, image.size
    except Image.DecompressionBombError as err:  # Pillow's own limit, far above ours
        raise ReportError("error.logo", file=str(path), reason=f"> {MAX_LOGO_PIXELS:,} px".replace(",", " ")) from err
    except (OSError, UnidentifiedImageError) as err:
        raise ReportError("error.logo", file=str(path), reason=type(err).__name__) from err
    if kind not in LOGO_TYPES:
        raise ReportError("error.logo", file=str(path), reason=f"{kind} (PNG, JPEG)")
    if width * height > MAX_LOGO_PIXELS:
        raise ReportError("error.logo", file=str(path), reason=f"{width} × {height} px")
    return f"data:{LOGO_TYPES[kind]};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def check_templates(folder: Path) -> Path:
    if not folder.is_dir():
        raise ReportError("error.templates", folder=str(folder), missing="—")
    missing = [name for name in REQUIRED_TEMPLATES if not (folder / name).is_file()]
    if missing:
        raise ReportError("error.templates", folder=str(folder), missing=", ".join(missing))
    return folder
