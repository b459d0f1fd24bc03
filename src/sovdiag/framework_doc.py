"""The framework as a document the pilot group can review: Markdown, HTML/PDF, CSV and XLSX.

Every question, option, value, cap, condition, weight, target rule and source, in one place,
generated from the framework file itself so that the document never drifts from what is scored.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sovdiag import spreadsheet
from sovdiag.framework import LoadedFramework
from sovdiag.models import Condition, Reference
from sovdiag.spreadsheet import neutralise


def describe_condition(cond: Condition) -> str:
    parts = []
    if cond.deployment is not None:
        parts.append("deployment ∈ {" + ", ".join(d.value for d in cond.deployment) + "}")
    if cond.data_any is not None:
        parts.append("data ∩ {" + ", ".join(d.value for d in cond.data_any) + "}")
    if cond.criticality is not None:
        parts.append("criticality ∈ {" + ", ".join(c.value for c in cond.criticality) + "}")
    if cond.answer is not None:
        parts.append(f"{cond.answer.criterion} ∈ {{{', '.join(cond.answer.in_)}}}")
    return " et ".join(parts)


def describe_references(refs: list[Reference]) -> str:
    return " ; ".join(
        " ".join(x for x in (ref.source, ref.ref or "", f"({ref.note})" if ref.note else "") if x) for ref in refs
    )


ROW_HEADER = [
    "axis",
    "objective",
    "criterion",
    "layer",
    "weight",
    "question_fr",
    "question_en",
    "help_fr",
    "applies_when",
    "catalog_fact",
    "references",
    "option_rank",
    "option",
    "label_fr",
    "label_en",
    "value",
    "cap",
]


def framework_rows(loaded: LoadedFramework) -> list[list[str]]:
    """One row per answer option, with its criterion and axis (the spreadsheet view)."""
    rows = []
    for axis in loaded.model.axes:
        for crit in axis.criteria:
            conditions = " ; ".join(describe_condition(c) for c in crit.applies_when)
            for rank, option in enumerate(crit.options, start=1):
                rows.append(
                    [
                        axis.id,
                        axis.objective,
                        crit.id,
                        crit.layer,
                        f"{crit.weight:g}",
                        crit.question.fr,
                        crit.question.en,
                        crit.help.fr,
                        conditions,
                        crit.catalog_fact or "",
                        describe_references(crit.references),
                        str(rank),
                        option.id,
                        option.label.fr,
                        option.label.en,
                        f"{option.value:g}",
                        "" if option.cap is None else str(option.cap),
                    ]
                )
    return rows


def to_csv(loaded: LoadedFramework) -> str:
    return spreadsheet.to_csv(ROW_HEADER, framework_rows(loaded))


def to_xlsx(loaded: LoadedFramework) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "criteres"
    sheet.append(ROW_HEADER)
    for row in framework_rows(loaded):
        sheet.append([neutralise(cell) for cell in row])
    weights = book.create_sheet("ponderations")
    axes = [a.id for a in loaded.model.axes]
    weights.append(["profile", *axes, "rationale_fr"])
    for profile in loaded.model.weight_profiles:
        weights.append([profile.id, *[profile.weights[a] for a in axes], neutralise(profile.rationale.fr)])
    sources = book.create_sheet("sources")
    sources.append(["id", "title", "publisher", "url", "date", "checked"])
    for src in loaded.model.sources:
        sources.append(
            [
                src.id,
                neutralise(src.title),
                src.publisher or "",
                src.url or src.document or "",
                src.date.isoformat() if src.date else "",
                src.checked.isoformat(),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class _Md:
    lines: list[str]

    def add(self, *text: str) -> None:
        self.lines.extend(text)


def _escape_md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(loaded: LoadedFramework, lang: str = "fr") -> str:
    fw = loaded.model
    md = _Md([])
    md.add(
        f"# {fw.title.get(lang)}",
        "",
        f"`{fw.id}` version {fw.version} ({fw.date.isoformat()}) — SHA-256 `{loaded.sha256[:12]}`",
        "",
        fw.description.get(lang),
        "",
    )
    md.add("## Niveaux" if lang == "fr" else "## Levels", "")
    for level in fw.levels:
        md.add(f"- **{level.code} — {level.name.get(lang)}** : {level.description.get(lang)}")
    md.add("", "## Pondérations" if lang == "fr" else "## Weight profiles", "")
    axes = [a.id for a in fw.axes]
    md.add("| profil | " + " | ".join(axes) + " |", "|---|" + "---|" * len(axes))
    for profile in fw.weight_profiles:
        md.add(f"| {profile.id} | " + " | ".join(f"{profile.weights[a]:g}" for a in axes) + " |")
    md.add("")
    for profile in fw.weight_profiles:
        md.add(f"- **{profile.name.get(lang)}** (`{profile.id}`) : {_escape_md(profile.rationale.get(lang))}")
    for axis in fw.axes:
        md.add("", f"## {axis.id} · {axis.name.get(lang)} ({axis.objective})", "", axis.description.get(lang))
        for crit in axis.criteria:
            md.add("", f"### {crit.id} — {crit.question.get(lang)}", "", crit.help.get(lang), "")
            if crit.layer == "expert":
                md.add("*Question experte.*" if lang == "fr" else "*Expert question.*", "")
            if crit.applies_when:
                md.add(
                    ("Posée si : " if lang == "fr" else "Asked when: ")
                    + " ; ".join(describe_condition(c) for c in crit.applies_when),
                    "",
                )
            md.add(
                "| # | option | " + ("libellé | valeur | plafond |" if lang == "fr" else "label | value | cap |"),
                "|---|---|---|---|---|",
            )
            for rank, option in enumerate(crit.options, start=1):
                cap = "—" if option.cap is None else str(option.cap)
                md.add(f"| {rank} | `{option.id}` | {_escape_md(option.label.get(lang))} | {option.value:g} | {cap} |")
            md.add(
                "", ("Sources : " if lang == "fr" else "Sources: ") + _escape_md(describe_references(crit.references))
            )
    if fw.targets:
        md.add("", "## Niveaux cibles" if lang == "fr" else "## Target levels", "")
        for rule in fw.targets:
            md.add(
                f"- **{rule.name.get(lang)}** (`{rule.id}`) — {describe_condition(rule.when)} → "
                f"{rule.level} sur {', '.join(rule.axes)}. {_escape_md(rule.reason.get(lang))}"
            )
    md.add("", "## Sources", "")
    for src in fw.sources:
        where = src.url or src.document or ""
        dated = f", {src.date.isoformat()}" if src.date else ""
        checked = "vérifié le" if lang == "fr" else "checked"
        md.add(f"- `{src.id}` — {src.title}{dated}. {where} ({checked} {src.checked.isoformat()})")
    return "\n".join(md.lines) + "\n"


def html_context(loaded: LoadedFramework, lang: str) -> dict[str, Any]:
    """Plain data for the framework.html.j2 template."""
    fw = loaded.model
    axes = [a.id for a in fw.axes]
    return {
        "lang": lang,
        "title": fw.title.get(lang),
        "id": fw.id,
        "version": fw.version,
        "date": fw.date.isoformat(),
        "sha256": loaded.sha256[:12],
        "description": fw.description.get(lang),
        "levels": [
            {"code": x.code, "name": x.name.get(lang), "description": x.description.get(lang)} for x in fw.levels
        ],
        "axis_ids": axes,
        "profiles": [
            {
                "id": p.id,
                "name": p.name.get(lang),
                "rationale": p.rationale.get(lang),
                "weights": [f"{p.weights[a]:g}" for a in axes],
            }
            for p in fw.weight_profiles
        ],
        "axes": [
            {
                "id": a.id,
                "name": a.name.get(lang),
                "objective": a.objective,
                "description": a.description.get(lang),
                "criteria": [
                    {
                        "id": c.id,
                        "question": c.question.get(lang),
                        "help": c.help.get(lang),
                        "layer": c.layer,
                        "conditions": " ; ".join(describe_condition(x) for x in c.applies_when),
                        "references": describe_references(c.references),
                        "options": [
                            {
                                "id": o.id,
                                "label": o.label.get(lang),
                                "value": f"{o.value:g}",
                                "cap": "—" if o.cap is None else str(o.cap),
                            }
                            for o in c.options
                        ],
                    }
                    for c in a.criteria
                ],
            }
            for a in fw.axes
        ],
        "targets": [
            {
                "name": r.name.get(lang),
                "id": r.id,
                "when": describe_condition(r.when),
                "level": r.level,
                "axes": ", ".join(r.axes),
                "reason": r.reason.get(lang),
            }
            for r in fw.targets
        ],
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "where": s.url or s.document or "",
                "date": s.date.isoformat() if s.date else "",
                "checked": s.checked.isoformat(),
            }
            for s in fw.sources
        ],
    }


def export_framework(loaded: LoadedFramework, output: Path, fmt: str, lang: str, templates: Path) -> None:
    from sovdiag.output import write_atomic

    if fmt == "csv":
        write_atomic(output, to_csv(loaded))
    elif fmt == "xlsx":
        write_atomic(output, to_xlsx(loaded))
    elif fmt == "md":
        write_atomic(output, to_markdown(loaded, lang))
    else:
        from sovdiag.report.html import make_environment, render_template

        html = render_template(make_environment(templates, lang), "framework.html.j2", html_context(loaded, lang))
        if fmt == "html":
            write_atomic(output, html)
        else:
            from sovdiag.report.pdf import html_to_pdf

            write_atomic(output, html_to_pdf(html, templates)[0])
