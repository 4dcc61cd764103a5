"""A form pack's own definition is checked with located Chinese messages; a broken pack stops nobody else."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from generator.forms.pack import FormError, read_pack

NINGXIA = (REPO / "templates" / "ningxia-2019" / "form.yaml").read_text(encoding="utf-8")


def broken(tmp_path: Path, *replacements: tuple[str, str], folder: str = "ningxia-2019") -> Path:
    text = NINGXIA
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / folder / "form.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(FormError) as raised:
        read_pack(path)
    assert all(f.rule == "form.invalid" and f.file == path.as_posix() for f in raised.value.findings)
    return [(f.line, f.message) for f in raised.value.findings]


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_every_shipped_pack_reads():
    for form_file in sorted((REPO / "templates").glob("*/form.yaml")):
        assert read_pack(form_file).id == form_file.parent.name


def test_missing_key_is_named_not_a_keyerror(tmp_path):
    path = broken(tmp_path, ('title: "自治区本级部门{年度}年项目支出预算绩效目标表"\n', ""))
    assert problems(path) == [(line_of(path, "id: ningxia-2019"), "顶层 缺少“title”")]


def test_unknown_key_at_its_line(tmp_path):
    path = broken(tmp_path, ("  merge: vertical\n", "  merge: vertical\n  merged: yes\n"))
    [(line, message)] = problems(path)
    assert line == line_of(path, "merged: yes") and "indicators 下没有“merged”这一项" in message


def test_wrong_option_value(tmp_path):
    path = broken(tmp_path, ("  order: as-filed\n", "  order: filed\n"))
    [(line, message)] = problems(path)
    assert line == line_of(path, "order: filed") and "“filed”不可用（可选：form、as-filed）" in message


def test_relation_naming_an_unknown_item(tmp_path):
    path = broken(tmp_path, ("    - rule: 年度资金总额 = 财政拨款 + 其他资金", "    - rule: 年度资金总额 = 财政拨款 + 自筹资金"))
    [(line, message)] = problems(path)
    assert line == line_of(path, "自筹资金") and "“自筹资金”不是项目资金的金额" in message


def test_layout_naming_an_unknown_field_and_a_field_left_out(tmp_path):
    path = broken(tmp_path, ("  - [项目属性, 项目期]\n", "  - [项目属性, 项目周期]\n"))
    messages = [message for _, message in problems(path)]
    assert any("“项目周期”不是本表样的栏目" in m for m in messages)
    assert any("“项目期”在表头布局中出现了 0 次" in m for m in messages)


def test_column_showing_nothing_known(tmp_path):
    path = broken(tmp_path, ("    - {label: 指标值, show: value}", "    - {label: 指标值, show: 指标值说明}"))
    messages = [message for _, message in problems(path)]
    assert any("show“指标值说明”" in m for m in messages)
    assert any("缺少显示指标值的栏目" in m for m in messages)


def test_id_differs_from_the_folder(tmp_path):
    path = broken(tmp_path, folder="ningxia-2020")
    assert problems(path) == [(line_of(path, "id: ningxia-2019"), "id“ningxia-2019”与所在文件夹名“ningxia-2020”不一致")]


def test_yaml_error_is_located(tmp_path):
    path = broken(tmp_path, ("  - [项目名称]\n", "  - [项目名称\n"))
    [(line, message)] = problems(path)
    assert line >= line_of(path, "[项目名称") and message.startswith("表样定义不是合法的 YAML：")


def test_template_outside_the_pack_folder_is_refused(tmp_path):
    (tmp_path / "secret.docx").write_bytes(b"x")
    path = broken(tmp_path, ("title:", "word_template: ../../secret.docx\ntitle:"))
    assert any("不在表样文件夹" in message for _, message in problems(path))


def test_a_broken_pack_is_reported_and_the_others_still_check_and_build(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    form_file = templates / "ningxia-2019" / "form.yaml"
    form_file.write_text(NINGXIA.replace("  order: as-filed\n", "  order: filed\n"), encoding="utf-8")
    projects = tmp_path / "projects"
    for form_id, year in (("ningxia-2019", "2019"), ("yinchuan-2024", "2024")):
        (projects / year).mkdir(parents=True)
        shutil.copy(REPO / "templates" / form_id / "example.yaml", projects / year / f"{form_id}.yaml")
    env = {**os.environ, "JIXIAO_TEMPLATES_DIR": str(templates), "JIXIAO_CACHE_DIR": str(tmp_path / "cache")}
    check = subprocess.run([sys.executable, "-m", "generator", "check", "projects", "--no-cache"], cwd=tmp_path,
                           capture_output=True, text=True, env=env)
    assert check.returncode == 1
    assert f"{form_file.as_posix()}:" in check.stdout and "[form.invalid]" in check.stdout
    assert "projects/2019/ningxia-2019.yaml:3:5: 错误 [form.broken]" in check.stdout
    assert "yinchuan-2024.yaml" not in check.stdout  # the healthy filing is checked and clean
    build = subprocess.run([sys.executable, "-m", "generator", "build", "projects", "--out", "out", "-q", "--no-cache"],
                           cwd=tmp_path, capture_output=True, text=True, env=env)
    assert (tmp_path / "out" / "2024" / "yinchuan-2024.docx").is_file()
    assert not (tmp_path / "out" / "2019").exists()
    assert "Traceback" not in build.stderr


def test_a_broken_pack_is_reported_from_the_cache_too_and_gone_once_fixed(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    form_file = templates / "ningxia-2019" / "form.yaml"
    form_file.write_text(NINGXIA.replace("  order: as-filed\n", "  order: filed\n"), encoding="utf-8")
    (tmp_path / "projects" / "2024").mkdir(parents=True)
    shutil.copy(REPO / "templates" / "yinchuan-2024" / "example.yaml", tmp_path / "projects" / "2024" / "a.yaml")
    env = {**os.environ, "JIXIAO_TEMPLATES_DIR": str(templates), "JIXIAO_CACHE_DIR": str(tmp_path / "cache")}

    def check() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "generator", "check", "projects"], cwd=tmp_path,
                              capture_output=True, text=True, env=env)

    cold, warm = check(), check()
    assert cold.returncode == warm.returncode == 1
    assert "[form.invalid]" in cold.stdout and cold.stdout == warm.stdout
    form_file.write_text(NINGXIA, encoding="utf-8")
    fixed = check()
    assert fixed.returncode == 0 and fixed.stdout == ""


def test_department_and_unit_fields_default_to_the_first_fitting_header_field():
    chosen = {path.parent.name: (read_pack(path).department_field, read_pack(path).unit_field)
              for path in sorted((REPO / "templates").glob("*/form.yaml")) if "\nkind: self-evaluation" not in path.read_text(encoding="utf-8")}
    assert chosen == {
        "gansu-2023": ("主管部门", "项目实施单位"),  # a sub-field of 项目实施计划
        "hunan-2023": ("预算部门", ""),  # no implementing unit on the form
        "inner-mongolia-2021": ("主管部门", "实施单位"),
        "mof-2021": ("主管部门及代码", "实施单位"),
        "ningxia-2019": ("主管部门", "实施单位"),
        "wuhan-2020": ("主管部门及编码", "实施单位"),
        "yinchuan-2024": ("主管部门及代码", "实施单位"),
    }


def test_department_and_unit_fields_can_be_named_or_left_out(tmp_path):
    path = broken(tmp_path, ("id: ningxia-2019\n", "id: ningxia-2019\ndepartment_field: 实施单位\nunit_field: \"\"\n"))
    form = read_pack(path)
    assert (form.department_field, form.unit_field) == ("实施单位", "")


def test_a_department_field_that_is_no_header_field_is_reported_at_its_line(tmp_path):
    path = broken(tmp_path, ("id: ningxia-2019\n", "id: ningxia-2019\ndepartment_field: 主管单位\n"))
    assert problems(path) == [(line_of(path, "department_field:"), "department_field“主管单位”不是表头栏目（汇总表按它列出主管部门）")]


@pytest.mark.parametrize(("old", "new", "key", "message"), [
    ('title: "自治区本级部门{年度}年', 'title: "自治区本级部门{年份}年', "title:", "title 中的 {年份} 无法填写（可用：{年度} 和表头栏目名）"),
    ('  group_label: "{name}"', '  group_label: "{name}{要求}"', "group_label:", "group_label 中的 {要求} 无法填写（可用：{name}、{requirement}）"),
])
def test_a_placeholder_nothing_fills_in_is_named_at_its_line(tmp_path, old, new, key, message):
    path = broken(tmp_path, (old, new))
    assert (line_of(path, key), message) in problems(path)
