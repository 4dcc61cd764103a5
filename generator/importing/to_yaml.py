"""An imported form as filing YAML, in the canonical style of `jixiao fmt`, with the importer's notes as comments."""

from __future__ import annotations

from ruamel.yaml.comments import CommentedMap

from ..common.yamlio import dump_text
from ..forms.definition import FormDefinition
from .recognise import ImportedForm


def filing_data(imported: ImportedForm, form: FormDefinition, year: int) -> CommentedMap:
    data = CommentedMap()
    data["表样"] = form.id
    data["年度"] = str(year)
    for field in form.fields:
        if field.items:
            data[field.key] = CommentedMap((item.key, imported.fields.get(item.key, "")) for item in field.items)
        else:
            data[field.key] = imported.fields.get(field.key, "")
    data[form.funds.key] = CommentedMap((item.key, imported.funds.get(item.key, "0")) for item in form.funds.items)
    for goal in form.goals:
        data[goal.key] = imported.fields.get(goal.key, "")
    indicators = CommentedMap()
    for level in form.levels:
        groups = CommentedMap()
        for group in level.groups:
            if (level.name, group.name) not in imported.groups:
                continue
            rows = CommentedMap()
            for indicator in imported.groups[(level.name, group.name)]:
                if indicator.details:
                    rows[indicator.name] = CommentedMap({"指标值": indicator.value, **indicator.details})
                else:
                    rows[indicator.name] = indicator.value
            groups[group.name] = rows
        if groups:
            indicators[level.name] = groups
    data[form.indicators.key] = indicators
    if imported.grade and form.review:
        data[form.review.field.key] = imported.grade
    return data


def filing_text(imported: ImportedForm, form: FormDefinition, year: int, modeline: str, source: str) -> str:
    data = filing_data(imported, form, year)
    comments = [f"由 jixiao import 从 {source}（{imported.place}）导入"]
    comments += [f"导入说明：{note}" for note in imported.notes]
    comments += [f"未能导入（请人工处理）：{problem}" for problem in imported.problems]
    data.yaml_set_start_comment("\n".join(line.replace("\n", " ⏎ ") for line in comments))
    return modeline + "\n" + dump_text(data)
