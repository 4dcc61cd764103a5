"""`jixiao check`'s conventions (ruff and yamllint as models): -q, --strict, --config, the user's config.toml,
and a filing read from standard input (`-`, --stdin-filename)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from conftest import REPO

from generator.cli import run
from generator.common.yamlio import MAX_BYTES
from generator.review.config import user_config_path

EXAMPLE = (REPO / "templates" / "yinchuan-2024" / "example.yaml").read_text(encoding="utf-8")
BARE_NUMBER = ("话务坐席数量: 40个", "话务坐席数量: 40")  # quantified.bare-number: an error on 19:15
NO_ATTRIBUTE = ("项目属性: 延续项目", '项目属性: ""')  # header.missing-recommended: a warning on 7:7
ERROR_LINE = "projects/2024/x.yaml:19:15: 错误 [quantified.bare-number]"
WARNING_LINE = "projects/2024/x.yaml:7:7: 警告 [header.missing-recommended]"


def filing(*replacements: tuple[str, str], name: str = "政务服务热线运行经费") -> str:
    text = EXAMPLE
    for old, new in replacements:
        assert text.count(old) == 1
        text = text.replace(old, new)
    return text.replace("项目名称: 政务服务热线运行经费", f"项目名称: {name}")


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "projects" / "2024").mkdir(parents=True)
    return tmp_path


def put(folder: Path, text: str, name: str = "x.yaml") -> str:
    (folder / "projects" / "2024" / name).write_text(text, encoding="utf-8")
    return f"projects/2024/{name}"


def jixiao(capsys, *args: str, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = run(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# --- -q and --strict ---------------------------------------------------------------------------------------

def test_quiet_prints_the_findings_and_nothing_else(folder, capsys):
    put(folder, filing(BARE_NUMBER))
    code, out, err = jixiao(capsys, "check")
    assert code == 1 and out.startswith(ERROR_LINE) and "1 个错误" in err
    for flag in ("-q", "--quiet"):
        code, quiet_out, quiet_err = jixiao(capsys, "check", flag)
        assert (code, quiet_out, quiet_err) == (1, out, "")


@pytest.mark.parametrize(("replacements", "plain", "strict"), [
    pytest.param((), 0, 0, id="clean"),
    pytest.param((NO_ATTRIBUTE,), 0, 1, id="warning"),
    pytest.param((BARE_NUMBER,), 1, 1, id="error"),
])
def test_strict_fails_on_warnings(folder, capsys, replacements, plain, strict):
    put(folder, filing(*replacements))
    assert jixiao(capsys, "check")[0] == plain
    assert jixiao(capsys, "check", "--strict")[0] == strict


def test_strict_does_not_fail_on_a_notice(folder, capsys):
    put(folder, filing(NO_ATTRIBUTE))
    (folder / "pyproject.toml").write_text('[tool.jixiao.severity]\n"header.missing-recommended" = "info"\n', encoding="utf-8")
    code, out, _ = jixiao(capsys, "check", "--strict")
    assert code == 0 and out.startswith("projects/2024/x.yaml:7:7: 提示")


# --- --config ----------------------------------------------------------------------------------------------

def test_config_file_with_settings_at_the_top_level(folder, capsys):
    put(folder, filing(BARE_NUMBER, NO_ATTRIBUTE))
    (folder / "jixiao.toml").write_text(
        'disable = ["header.missing-recommended"]\n[severity]\n"quantified.bare-number" = "warning"\n', encoding="utf-8",
    )
    code, out, _ = jixiao(capsys, "check", "--config", "jixiao.toml")
    assert code == 0
    assert out == ERROR_LINE.replace("错误", "警告") + out.split("]", 1)[1]
    assert out.count("\n") == 1


def test_config_pyproject_is_read_from_tool_jixiao(folder, capsys):
    put(folder, filing(BARE_NUMBER))
    (folder / "elsewhere").mkdir()
    (folder / "elsewhere" / "pyproject.toml").write_text('[tool.jixiao]\ndisable = ["quantified.bare-number"]\n', encoding="utf-8")
    (folder / "pyproject.toml").write_text('[tool.jixiao.severity]\n"quantified.bare-number" = "warning"\n', encoding="utf-8")
    assert jixiao(capsys, "check", "--config", "elsewhere/pyproject.toml")[1] == ""  # the named file wins
    assert jixiao(capsys, "check")[1].startswith(ERROR_LINE.replace("错误", "警告"))


def test_config_also_sets_the_levels_rules_and_explain_show(folder, capsys):
    (folder / "jixiao.toml").write_text('disable = ["goal.too-short"]\n', encoding="utf-8")
    code, out, _ = jixiao(capsys, "rules", "--config", "jixiao.toml")
    assert code == 0 and any(line.split()[:2] == ["goal.too-short", "关闭"] for line in out.splitlines())
    code, out, _ = jixiao(capsys, "check", "--config", "jixiao.toml", "--explain", "goal.too-short")
    assert "级别：关闭" in out


@pytest.mark.parametrize(("name", "content", "message"), [
    pytest.param("missing.toml", None, "配置文件 missing.toml 不存在", id="missing"),
    pytest.param("projects", None, "配置文件 projects 是一个文件夹", id="folder"),
    pytest.param("pyproject.toml", '[project]\nname = "x"\n', "pyproject.toml 中没有 [tool.jixiao] 表", id="pyproject-without-table"),
    pytest.param("jixiao.toml", "disable = [\n", "jixiao.toml 无法读取", id="broken-toml"),
    pytest.param("jixiao.toml", '[tool.jixiao]\ndisable = []\n', "jixiao.toml：有未知的设置 tool", id="table-in-a-top-level-file"),
    pytest.param("jixiao.toml", 'disable = ["no.such-rule"]\n', "没有“no.such-rule”这条规则", id="unknown-rule"),
    pytest.param("jixiao.toml", '[severity]\n"goal.too-short" = "fatal"\n', "jixiao.toml [severity]：“goal.too-short”的级别“fatal”无效", id="bad-level"),
])
def test_a_bad_config_file_is_a_usage_error(folder, capsys, name, content, message):
    put(folder, filing())
    if content is not None:
        (folder / name).write_text(content, encoding="utf-8")
    code, out, err = jixiao(capsys, "check", "--config", name)
    assert code == 2 and out == ""
    assert err.startswith("错误：") and message in err, err


# --- the user's config.toml (platformdirs) -----------------------------------------------------------------

def test_user_config_is_used_where_no_pyproject_has_tool_jixiao(folder, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "config-home"))
    assert user_config_path() == folder / "config-home" / "jixiao" / "config.toml"
    put(folder, filing(BARE_NUMBER))
    user_config_path().parent.mkdir(parents=True)
    user_config_path().write_text('disable = ["quantified.bare-number"]\n', encoding="utf-8")
    assert jixiao(capsys, "check")[0] == 0
    (folder / "pyproject.toml").write_text('[project]\nname = "filings"\n', encoding="utf-8")
    assert jixiao(capsys, "check")[0] == 0  # a pyproject.toml without [tool.jixiao] says nothing
    (folder / "pyproject.toml").write_text('[tool.jixiao]\ndisable = []\n', encoding="utf-8")
    assert jixiao(capsys, "check")[0] == 1  # the repository's own settings win


def test_jixiao_config_dir_names_the_user_config_folder(folder, capsys, monkeypatch):
    monkeypatch.setenv("JIXIAO_CONFIG_DIR", str(folder / "mine"))
    (folder / "mine").mkdir()
    (folder / "mine" / "config.toml").write_text('disable = ["no.such-rule"]\n', encoding="utf-8")
    put(folder, filing())
    code, _, err = jixiao(capsys, "check")
    assert code == 2 and f"{folder / 'mine' / 'config.toml'}" in err and "没有“no.such-rule”这条规则" in err


def test_the_suite_never_reads_the_runners_own_config():
    assert user_config_path().is_relative_to(Path.home())  # conftest's private home, not the runner's


# --- standard input ----------------------------------------------------------------------------------------

def test_stdin_is_reported_under_its_filename(folder, capsys, monkeypatch):
    raw = filing(BARE_NUMBER).encode("utf-8")
    code, out, err = jixiao(capsys, "check", "-", "--stdin-filename", "projects/2024/x.yaml", stdin=raw, monkeypatch=monkeypatch)
    assert code == 1 and out.startswith(ERROR_LINE) and out.count("\n") == 1
    assert "检查了 1 个文件" in err


def test_stdin_without_a_name_is_checked_on_its_own(folder, capsys, monkeypatch):
    put(folder, filing(), "same.yaml")  # the same 项目名称: no duplicate, nothing says which file stdin is
    code, out, _ = jixiao(capsys, "check", "-", stdin=filing(BARE_NUMBER).encode(), monkeypatch=monkeypatch)
    assert code == 1 and out.startswith("<stdin>:19:15: 错误 [quantified.bare-number]") and out.count("\n") == 1


def test_stdin_takes_the_place_of_its_file_for_rules_across_files(folder, capsys, monkeypatch):
    put(folder, filing(name="旧名称"))  # x.yaml on disk; stdin is its unsaved text
    put(folder, filing(name="另一个项目"), "other.yaml")
    clean = filing(name="新名称").encode()
    code, out, _ = jixiao(capsys, "check", "-", "--stdin-filename", "projects/2024/x.yaml", stdin=clean, monkeypatch=monkeypatch)
    assert (code, out) == (0, "")  # not a duplicate of its own file on disk
    duplicate = filing(name="另一个项目").encode()
    code, out, _ = jixiao(capsys, "check", "-", "--stdin-filename", "projects/2024/x.yaml", stdin=duplicate, monkeypatch=monkeypatch)
    assert code == 1
    assert out == "projects/2024/x.yaml:4:7: 错误 [project.duplicate-name] 项目名称“另一个项目”与 projects/2024/other.yaml 相同\n"


def test_stdin_honours_suppression_comments(folder, capsys, monkeypatch):
    text = filing(BARE_NUMBER).replace("话务坐席数量: 40\n", "话务坐席数量: 40  # jixiao: ignore[quantified.bare-number]\n")
    code, out, _ = jixiao(capsys, "check", "-", "--stdin-filename", "projects/2024/x.yaml", stdin=text.encode(), monkeypatch=monkeypatch)
    assert (code, out) == (0, "")


def test_stdin_is_read_only_up_to_the_size_limit(folder, capsys, monkeypatch):
    raw = b"# " + b"x" * (MAX_BYTES * 2) + b"\n"
    stream = io.BytesIO(raw)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stream, encoding="utf-8"))
    code, out, _ = jixiao(capsys, "check", "-")
    assert code == 1 and "[file.too-large]" in out
    assert stream.tell() <= MAX_BYTES + 1 + io.DEFAULT_BUFFER_SIZE


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(("-", "projects"), "路径“-”（从标准输入读取）不能与其他路径一起使用", id="stdin-and-a-path"),
    pytest.param(("projects", "--stdin-filename", "x.yaml"), "--stdin-filename 只能与路径“-”", id="name-without-stdin"),
    pytest.param(("-", "--stdin-filename", " "), "--stdin-filename 不能为空", id="blank-name"),
])
def test_stdin_usage_errors(folder, capsys, monkeypatch, args, message):
    put(folder, filing())
    code, out, err = jixiao(capsys, "check", *args, stdin=b"", monkeypatch=monkeypatch)
    assert code == 2 and out == "" and message in err, err
