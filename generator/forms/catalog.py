"""The list of form packs for people: `jixiao forms` and the README's table of supported forms."""

from __future__ import annotations

import json

from .definition import FormDefinition


def _features(form: FormDefinition) -> str:
    return "；".join(form.features)


def forms_table(forms: dict[str, FormDefinition]) -> str:
    lines = []
    for form in forms.values():
        default = "（默认）" if form.default else ""
        lines.append(f"{form.id}{default}  {form.name}  {form.years}  {form.office}\n    {_features(form)}\n")
    return "".join(lines)


def forms_markdown(forms: dict[str, FormDefinition]) -> str:
    rows = ["| 表样 | 表名 | 适用 | 年度 | 特点 |", "|---|---|---|---|---|"]
    rows += [f"| `{f.id}` | {f.name} | {f.office} | {f.years} | {_features(f)} |" for f in forms.values()]
    return "\n".join(rows) + "\n"


def forms_json(forms: dict[str, FormDefinition]) -> str:
    records = [
        {"id": f.id, "name": f.name, "office": f.office, "years": f.years, "features": list(f.features), "default": f.default}
        for f in forms.values()
    ]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


FORMATS = {"text": forms_table, "markdown": forms_markdown, "json": forms_json}
