"""docs/robustness.md: what the robustness tests try and what holds, made from the tests' own figures
so that it stays true. Rewrite it with `python tests/test_robustness_report.py`."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import test_bad_corpus  # noqa: E402
import test_properties  # noqa: E402
import test_safety  # noqa: E402

REPORT = HERE.parent / "docs" / "robustness.md"


def _count(module, prefix: str) -> int:
    """Test cases of a module whose test functions start with `prefix` (parametrised ones counted out)."""
    total = 0
    for name, function in vars(module).items():
        if name.startswith(prefix) and callable(function):
            marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
            count = 1
            for mark in marks:
                count *= len(mark.args[1])
            total += count
    return total


def render() -> str:
    committed = len(sorted((HERE / "bad").glob("*.yaml")))
    made = len(test_bad_corpus.MADE)
    examples = sum(1 for line in (HERE / "test_properties.py").read_text(encoding="utf-8").splitlines() if line.startswith("@example"))
    word_templates = _count(test_safety, "test_a_broken_or_hostile_word_template")
    html_templates = _count(test_safety, "test_a_broken_or_hostile_html_template")
    rows = [
        ("生成的合法申报表（hypothesis，每次运行）",
         f"{test_properties.GENERATED_FILINGS} 个随机 + {examples} 个固定例子",
         "每个文字栏目和三级指标、指标值都混入汉字、emoji、组合字符、`<>&\"'`、`{{ }}`、`{% %}`、`{_{`、前后空格、"
         "Tab 和换行、全角数字、很长的文字和任意 Unicode，指标树的形状随机：`check` 没有读取、格式类问题，"
         "读回的数据与写入的完全相同，`build` 生成 .docx 和合法的 HTML5，`import(build(x)) == x`，导入的文件能通过 `check`"),
        ("随机破坏的申报表（每次运行）", f"{test_properties.MUTATED_FILES} 个",
         "删除、重复、交换、改缩进、插入任意字符（含控制字符和非法 UTF-8 字节）、在任意字节截断：`check` 只会报告问题或通过，"
         "从不抛出异常，每个文件一秒之内结束"),
        ("坏输入样本（tests/bad/）", f"{committed} 个文件 + {made} 个测试时生成的",
         "各类 YAML 语法错误、各层重复键、锚点和别名炸弹、50 MB 文件、一万层和二十万层嵌套、GBK/UTF-16/BOM、"
         "CRLF 和单独的 CR、Tab 和全角空格缩进、全角冒号、类型错误、负数/NaN/1e309/20 位金额、控制字符和 U+FFFE、"
         "未知表样、保留文件名、指向仓库外和失效的符号链接、符号链接循环、管道文件、空文件和只有注释的文件、"
         "名为 x.yaml 的文件夹：每个都报告规则 id 和行号，从不抛出异常或卡住"),
        ("中途杀掉构建", f"{test_safety.KILL_TESTS} 次（{'、'.join(test_safety.KILL_SIGNALS)} 各 {len(test_safety.KILL_SEEDS)} 个时刻）",
         "每个输出文件要么是旧的完整文件，要么是新的完整文件；下一次构建补齐全部输出，不留临时文件；没有进程残留"),
        ("两个构建同时写一个文件夹", "1 次", "第二个等第一个写完（锁），结果与单独构建完全相同"),
        ("Ctrl-C", "1 次", "只提示一次“已中断”，退出码 130，没有 Python 错误信息"),
        ("坏的或恶意的模板", f"Word 模板 {word_templates} 种 + HTML 模板 {html_templates} 种",
         "未知名字、未闭合的标签、不成对的 {%tr %}、沙箱外的属性、包含系统文件：报告模板文件、错误和出错处附近的文字，"
         "不读文件、不执行代码，没有 Python 错误信息"),
        ("输出位置", f"{_count(test_safety, 'test_nothing_is_written') + _count(test_safety, 'test_import_names')} 个",
         "无论文件名或项目名称是什么（`..`、`CON`、空格、路径分隔符），只在 `--out` 里写文件"),
    ]
    lines = [
        "# 健壮性",
        "",
        "本文件由 `tests/test_robustness_report.py` 根据测试本身的数字生成，测试会检查它与实际一致。",
        "",
        "| 尝试了什么 | 数量 | 结果 |",
        "|---|---|---|",
        *(f"| {what} | {count} | {holds} |" for what, count, holds in rows),
        "",
        "有意拒绝而不是“修正”的输入：Word 和网页都无法原样保存的字符（控制字符、回车符、非字符、"
        "YAML 会当作换行的 U+2028/U+2029）报告为 `text.control-char`；三级指标名称和指标值都为空的一行与空的二级指标"
        "打印出来完全一样，所以导入时读作空的二级指标。",
        "",
    ]
    return "\n".join(lines)


def test_docs_robustness_md_is_current():
    assert REPORT.read_text(encoding="utf-8") == render()


if __name__ == "__main__":
    REPORT.write_text(render(), encoding="utf-8")
