"""docs/robustness.md: what the robustness tests try and what they check, made from the tests themselves so
that it says no more than they measure. Rewrite it with `python tests/test_robustness_report.py`.

Every figure is computed from the tests: their parametrisations, hypothesis settings and explicit examples,
strategies, the corpus and its expectations. Every claim about a result names the test (or helper) and the
code in it that checks the claim (`backed`): when that code is gone, rendering fails, so the document cannot
keep a claim that no test makes any more. A changed figure needs only a rewrite; a new claim needs its evidence.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import test_bad_corpus  # noqa: E402
import test_blank_indicator_row  # noqa: E402
import test_properties  # noqa: E402
import test_safety  # noqa: E402

REPORT = HERE.parent / "docs" / "robustness.md"


class Unbacked(AssertionError):
    """The document would claim what no test checks."""


def backed(claim: str, *evidence: tuple) -> str:
    """`claim`, provided each (function, code, ...) of `evidence` holds: the function's source still has that code."""
    for function, *codes in evidence:
        source = inspect.getsource(function)
        for code in codes:
            if code not in source:
                raise Unbacked(f"docs/robustness.md would claim {claim!r}, but {function.__name__} no longer has {code!r}")
    return claim


def required(claim: str, holds: bool, why: str) -> str:
    if not holds:
        raise Unbacked(f"docs/robustness.md would claim {claim!r}, but {why}")
    return claim


# ------------------------------------------------------------------------------------------------
# Reading the tests


def _test(module, prefix: str):
    """The one test function of `module` whose name starts with `prefix`."""
    found = [f for name, f in vars(module).items() if name.startswith(prefix) and callable(f)]
    if len(found) != 1:
        raise Unbacked(f"{module.__name__} has {len(found)} tests named {prefix}…")
    return found[0]


def _parametrisations(function) -> list:
    return [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]


def _count(function) -> int:
    """How many test cases the function is (its parametrisations multiplied out)."""
    count = 1
    for mark in _parametrisations(function):
        count *= len(mark.args[1])
    return count


def _values(function, argument: str) -> list:
    """The values the function is parametrised with for one argument."""
    for mark in _parametrisations(function):
        names = [n.strip() for n in mark.args[0].split(",")] if isinstance(mark.args[0], str) else list(mark.args[0])
        if argument in names:
            rows = [getattr(row, "values", row) for row in mark.args[1]]
            return [row[names.index(argument)] for row in rows] if len(names) > 1 else rows
    raise Unbacked(f"{function.__name__} is not parametrised by {argument}")


def _ids(function) -> list[str]:
    return [i for mark in _parametrisations(function) for i in mark.kwargs.get("ids") or []]


def _decorators(function) -> list[ast.Call]:
    node = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
    return [d for d in node.decorator_list if isinstance(d, ast.Call) and isinstance(d.func, ast.Name)]


def _hypothesis_runs(module, function) -> tuple[int, int]:
    """(max_examples, number of explicit @example cases) of a hypothesis test, from its decorators."""
    decorators = _decorators(function)
    settings = next(d for d in decorators if d.func.id == "settings")
    value = next(k.value for k in settings.keywords if k.arg == "max_examples")
    max_examples = getattr(module, value.id) if isinstance(value, ast.Name) else ast.literal_eval(value)
    return max_examples, sum(d.func.id == "example" for d in decorators)


def _assigned(module, name: str) -> ast.expr:
    """The expression a module-level name is assigned."""
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    raise Unbacked(f"{module.__name__} no longer defines {name}")


def _names_in(expression: ast.expr) -> list[str]:
    return [n.id for n in ast.walk(expression) if isinstance(n, ast.Name) and n.id.isupper()]


def _sampled(module, name: str) -> list:
    """The elements of a module-level `st.sampled_from([...])` strategy."""
    return ast.literal_eval(_assigned(module, name).args[0])


def _kinds(module, name: str) -> list[str]:
    """The tags of a module-level `st.one_of(st.tuples(st.just("tag"), ...), ...)` strategy."""
    return [
        node.args[0].value for node in ast.walk(_assigned(module, name))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "just"
    ]


def _list_sizes(function, element: str) -> tuple[int, int]:
    """(min_size, max_size) of the `st.lists(<element>, ...)` a hypothesis test is given."""
    for decorator in _decorators(function):
        for node in ast.walk(decorator):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "lists"
                    and isinstance(node.args[0], ast.Name) and node.args[0].id == element):
                sizes = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
                return sizes["min_size"], sizes["max_size"]
    raise Unbacked(f"{function.__name__} is not given lists of {element}")


def _named(labels: dict, keys: list) -> list[str]:
    """The labels of `keys`, each once, in order; a key without a label cannot be described."""
    unknown = [k for k in keys if k not in labels]
    if unknown:
        raise Unbacked(f"no description for {unknown}: add one to tests/test_robustness_report.py")
    return list(dict.fromkeys(labels[k] for k in keys))


# ------------------------------------------------------------------------------------------------
# The rows


def generated_filings() -> tuple[str, str, str]:
    module, test = test_properties, test_properties.test_valid_filings_with_hostile_text_survive_check_build_and_import
    runs, examples = _hypothesis_runs(module, test)
    emoji, markup, whitespace = _sampled(module, "EMOJI"), _sampled(module, "MARKUP"), _sampled(module, "WHITESPACE")
    pieces = {
        "CJK": "汉字",
        "EMOJI": required("emoji（含 ZWJ 序列和肤色）",
                          any("\u200d" in e for e in emoji) and any("\U0001F3FB" <= c <= "\U0001F3FF" for e in emoji for c in e),
                          "EMOJI lacks a ZWJ sequence or a skin tone"),
        "COMBINING": "组合字符",
        "MARKUP": required("标记和模板语法（`<>&\"'`、`{{ }}`、`{% %}`、`{_{`）",
                           all(s in markup for s in ["<", ">", "&", '"', "'", "{{ x }}", "{% if %}", "{_{"]), "MARKUP lacks one"),
        "YAML_LOOKALIKES": "YAML 的特殊写法",
        "WHITESPACE": required("各种空白（Tab、换行、全角空格、U+2028 等）",
                               all(s in whitespace for s in ["\t", "\n", "\u3000", "\u2028"]), "WHITESPACE lacks one"),
        "FULLWIDTH": "全角数字和标点",
        "FORM_WORDS": "表样自己的栏目名称",
        "ANY_UNICODE": "任意 Unicode",
    }
    ingredients = _named(pieces, _names_in(_assigned(module, "PIECE")))
    long_text = backed("重复到 500–3000 字的长文字",
                       (module, "LONG_TEXT = st.builds(lambda text, length: (text * length)[:length]", "st.integers(500, 3000)",
                        "TEXT = st.one_of(PIECE, SHORT_TEXT, SHORT_TEXT, SHORT_TEXT, LONG_TEXT)"))
    results = [
        # (the strategies are hypothesis composites, whose source is the module's)
        backed(f"文字栏目、三级指标名称和指标值随机拼接{'、'.join(ingredients)}，或是{long_text}",
               (module, "data[key] = draw(TEXT", 'data["年度总体目标"] = draw(TEXT)', "st.dictionaries(TEXT, TEXT, max_size=6)")),
        backed("一级、二级指标任意取舍和排序，每组 0–6 个指标",
               (module, "st.lists(st.sampled_from(list(LEVELS)), unique=True)",
                "st.lists(st.sampled_from(LEVELS[level]), unique=True)", "st.dictionaries(TEXT, TEXT, max_size=6)")),
        backed("`check` 没有读取、格式类问题（`yaml.`、`schema.`、`file.`、`text.`）",
               (test, "f.rule.startswith(BLOCKING_PREFIXES)", "assert blocking == []")),
        backed("读回的数据与写入的完全相同", (test, "load_document(source.name, raw).data) == data")),
        backed("`build` 生成的 .docx 和 .html 原样印出每一段文字，HTML 没有解析错误（html5lib 严格模式）",
               (test, "_docx_indicator_rows(docx_path) == expected_rows", "data[key] in docx_cells",
                "_html_cells(lenient, \"field\") == [data[key] for key in TEXT_FIELDS]", "_parse_html(html, strict=True)")),
        backed("导入生成的 .docx 得到同样的数据（`import(build(x)) == x`，按打印出来的样子比较）",
               (test, "as_printed(imported) == as_printed(data)", "_indicator_lists(imported) == _indicator_lists(data)")),
        backed("导入写出的文件 `check` 时也没有读取、格式类问题", (test, "check_paths([written[0]])")),
    ]
    return "生成的合法申报表（hypothesis，每次运行）", f"至多 {runs} 个随机 + {examples} 个固定例子", "；".join(results)


def mutated_files() -> tuple[str, str, str]:
    module, test = test_properties, test_properties.test_mutated_files_never_break_check
    runs, examples = _hypothesis_runs(module, test)
    low, high = _list_sizes(test, "MUTATION")
    kinds = _named({
        "delete": "删行", "duplicate": "重复一行", "swap": "交换两行", "indent": "改缩进",
        "insert": "插入字符（含控制字符、任意 Unicode 和非法 UTF-8 字节）", "cut": "在任意字节截断",
    }, _kinds(module, "MUTATION"))
    results = [
        f"从 {len(module.SOURCES)} 个正确的申报表出发，每个文件做 {low}–{high} 处{'、'.join(kinds)}",
        backed("`check` 从不抛出异常，报告的每个问题都有行号、列号、规则 id 和消息",
               (test, "finding.line >= 1", "finding.col >= 1", "finding.rule.strip()", "finding.message.strip()")),
        backed(f"每个文件 {module.CHECK_TIME_LIMIT:g} 秒之内检查完（进程里第一次检查的准备时间不算）",
               (test, "_check_in_time(path)", "_warm_up(path)"),
               (module._check_in_time, "signal.setitimer(signal.ITIMER_REAL, CHECK_TIME_LIMIT)")),
    ]
    return "随机破坏的申报表（每次运行）", f"至多 {runs} 个 + {examples} 个固定例子", "；".join(results)


CORPUS_KINDS = [  # what the cases are, and the cases (committed or made by the test) that must exist for it
    ("YAML 语法错误", ["syntax-missing-colon", "syntax-unclosed-double-quote", "syntax-tag", "syntax-second-document"]),
    ("各层重复键", ["duplicate-top-level", "duplicate-first-level", "duplicate-second-level", "duplicate-third-level",
                "duplicate-in-funds", "duplicate-indicator-field"]),
    ("锚点/别名/合并键和别名炸弹", ["anchor", "alias", "merge-key", "billion-laughs"]),
    ("50 MB 的文件", ["too-large-50mb"]),
    ("一万层和二十万层嵌套", ["nesting-block-10000", "nesting-flow-10000", "nesting-block-200000"]),
    ("GBK/Latin-1/UTF-16 编码和带 BOM 的 UTF-8", ["encoding-gbk", "encoding-latin1", "encoding-utf16le-bom", "encoding-utf16be-bom",
                                            "encoding-utf8-bom"]),
    ("CRLF/单独的 CR/混用的换行", ["line-ends-crlf", "line-ends-cr", "line-ends-mixed"]),
    ("Tab 和全角空格缩进", ["tab-indent", "fullwidth-space-indent"]),
    ("全角冒号", ["fullwidth-colon-key", "fullwidth-colon-in-mapping"]),
    ("类型错误", ["type-goal-mapping", "type-name-list", "group-as-list", "indicator-value-list", "top-level-list"]),
    ("负数/NaN/1e309/20 位的金额", ["amount-negative", "amount-nan", "amount-1e309", "amount-20-digits"]),
    ("控制字符和非字符", ["control-raw-0001", "control-raw-fffe"]),
    ("缺少或未知的表样", ["form-missing", "form-unknown"]),
    ("保留文件名和带空格的文件名", ["CON", "政务 服务 热线"]),
    ("指向申报表文件夹之外的和失效的符号链接、符号链接循环", ["symlink-outside", "symlink-broken", "symlink-loop"]),
    ("管道文件", ["fifo"]),
    ("空文件和只有空白/注释/文档标记的文件", ["empty", "whitespace-only", "comments-only", "document-marker-only"]),
    ("名为 x.yaml 的文件夹", ["x"]),
]

REJECTED_CHARACTERS = [  # what text.control-char refuses, and the corpus cases that show it
    ("控制字符（如 U+0001、U+0085）", ["control-raw-0001", "control-escaped-x01", "control-raw-nel"]),
    ("写成转义的回车符", ["control-escaped-cr"]),
    ("非字符 U+FFFE/U+FFFF", ["control-raw-fffe", "control-raw-ffff"]),
    ("写成转义的代理字符", ["control-escaped-surrogate"]),
    ("YAML 会当作换行的 U+2028", ["line-separator-then-tab"]),
]


def _corpus() -> dict:
    """Every case of the corpus, committed or made by the test, with its expectation."""
    cases = {p.stem: test_bad_corpus.parse_expect(p.with_suffix(".expect").read_text(encoding="utf-8"))
             for p in (HERE / "bad").glob("*.yaml")}
    cases.update({name: test_bad_corpus.parse_expect(made.expect) for name, made in test_bad_corpus.MADE.items()})
    return cases


def bad_corpus() -> tuple[str, str, str]:
    module = test_bad_corpus
    committed, made = len(list((HERE / "bad").glob("*.yaml"))), len(module.MADE)
    cases = _corpus()
    kinds = [required(kind, all(name in cases for name in names), f"the corpus has no {[n for n in names if n not in cases]}")
             for kind, names in CORPUS_KINDS]
    reported = [e for e in cases.values() if e.rule]
    isolated = [name for name, made_case in module.MADE.items() if made_case.isolated]
    results = [
        "、".join(kinds),
        backed(f"{len(reported)} 个报告预期的规则 id 和行号（其中 {sum(bool(e.contains) for e in reported)} 个还核对消息中的文字），"
               f"{len(cases) - len(reported)} 个读作正常的申报表，没有读取类问题",
               (module.assert_findings, "(first.rule, first.line) == (expect.rule, expect.line)",
                "(f.rule, f.line) == (expect.rule, expect.line)", "text in hit.message", "assert not load")),
        backed("每个问题的消息都是中文，行号、列号有效", (module.assert_findings, "CJK.search(f.message)", "f.line >= 1 and f.col >= 1")),
        backed("从不抛出异常，命令行的退出码是 0 或 1", (module.assert_cli_exit, "assert code in (0, 1)")),
        backed(f"可能让解释器崩溃或卡住的 {len(isolated)} 个在子进程里检查，{module.CHILD_TIMEOUT} 秒之内结束",
               (module._check_in_child, "timeout=CHILD_TIMEOUT", "done.returncode == 0")),
    ]
    return "坏输入样本（tests/bad/）", f"{committed} 个文件 + {made} 个测试时生成的", "；".join(results)


def killed_builds() -> tuple[str, str, str]:
    test = _test(test_safety, "test_a_killed_build")
    count, signals = _count(test), _values(test, "signame")
    each = {signal: signals.count(signal) * count // len(signals) for signal in signals}  # other parameters multiply
    if len(set(each.values())) == 1:
        times = f"{'、'.join(each)} 各 {next(iter(each.values()))} 次"
    else:
        times = "、".join(f"{signal} {n} 次" for signal, n in each.items())
    timing = re.search(r"uniform\(([\d.]+), ([\d.]+)\)", inspect.getsource(test))
    results = [
        *([f"信号在构建启动后 {timing[1]}–{timing[2]} 秒之间的随机时刻发出"] if timing else []),
        backed("没有 Python 错误信息", (test, '"Traceback" not in stderr')),
        backed("留下的每个输出文件要么是旧的完整文件，要么是新的完整文件", (test, "in (old.get(name), new.get(name))")),
        backed("下一次构建补齐全部输出，不留临时文件", (test, "assert outputs(out) == new", 'not list(out.rglob("*.tmp"))')),
        backed("构建和它的工作进程都退出，没有进程残留",
               (test, "wait_for_group(process)"), (test_safety.wait_for_group, "os.killpg(process.pid, 0)")),
    ]
    return "构建启动后发信号杀掉", f"{count} 次（{times}）", "；".join(results)


def concurrent_builds() -> tuple[str, str, str]:
    test = _test(test_safety, "test_two_builds")
    result = backed("两个都正常结束，没有 Python 错误信息，最后的输出与单独构建完全相同",
                    (test, "process.returncode in (0, 1)", '"Traceback" not in err.decode()', "assert outputs(out) == new"))
    return "两个构建同时写一个文件夹", f"{_count(test)} 次", result


def ctrl_c() -> tuple[str, str, str]:
    test = _test(test_safety, "test_ctrl_c")
    what = backed("单进程构建（`-j 1`）时按 Ctrl-C", (test, '"-j", "1"', "os.killpg(process.pid, signal.SIGINT)"))
    result = backed("只提示一次“已中断”，退出码 130，没有 Python 错误信息",
                    (test, "process.returncode == 130", 'text.count("已中断") == 1', '"Traceback" not in text'))
    return what, f"{_count(test)} 次", result


TEMPLATE_PROBLEMS = {
    "unknown-name": "未知名字", "unclosed-tag": "未闭合的 `{{`", "unclosed-if": "没有结尾的 `{% if %}`",
    "unbalanced-tr": "不成对的 `{%tr %}`", "sandbox-attribute": "访问沙箱外的属性", "sandbox-globals": "访问沙箱外的全局变量",
    "include-a-file": "包含系统文件", "include-outside": "包含模板文件夹之外的文件",
}


def templates() -> tuple[str, str, str]:
    word = _test(test_safety, "test_a_broken_or_hostile_word_template")
    html = _test(test_safety, "test_a_broken_or_hostile_html_template")
    sandbox = [e for f in (word, html) for i, e in zip(_ids(f), _values(f, "expected")) if i.startswith("sandbox")]
    results = [
        "、".join(_named(TEMPLATE_PROBLEMS, _ids(word) + _ids(html))),
        backed("退出码 1，消息指出模板文件和错误，没有 Python 错误信息",
               (word, "code == 1", '"template.docx" in err and expected in err', '"Traceback" not in err'),
               (html, "code == 1", '"preview.html.j2" in err and expected in err', '"Traceback" not in err')),
        required("访问沙箱外的报告为不安全（unsafe）", bool(sandbox) and set(sandbox) == {"unsafe"}, "a sandbox case expects something else"),
        backed("系统文件的内容不出现在消息里", (word, '"root:" not in err'), (html, '"root:" not in err')),
        backed("Word 模板出错时不生成 .docx", (word, '.docx").exists()')),
    ]
    return "坏的或恶意的模板", f"Word 模板 {_count(word)} 种 + HTML 模板 {_count(html)} 种", "；".join(results)


def output_places() -> tuple[str, str, str]:
    build, imported = _test(test_safety, "test_nothing_is_written"), _test(test_safety, "test_import_names")
    results = [
        backed("`build` 的文件名含省略号、`CON`、`nul`、前后空格和多个点，路径参数含 `..`：只在 `--out` 里写文件（检查缓存除外）",
               (build, '("…", ', '("CON", ', '(" a b ", ', '("x.v2", ', '("nul.x", ', '"projects/2024/../../outside.yaml"',
                'p.resolve().is_relative_to((tmp_path / "out").resolve()) or p.is_relative_to(cache)')),
        backed("`import` 的项目名称含 `..`、`/` 和 `CON`：只在 `--out` 里写一个文件",
               (imported, '"../../逃出去/CON"', '== ["imported/_.._逃出去_CON.yaml"]')),
    ]
    return "输出位置", f"{_count(build) + _count(imported)} 个", "；".join(results)


def rejected_inputs() -> str:
    cases = _corpus()
    kinds = [required(kind, all(name in cases and cases[name].rule == "text.control-char" for name in names),
                      f"not all of {names} are text.control-char cases")
             for kind, names in REJECTED_CHARACTERS]
    blank_row = backed(
        "三级指标名称和指标值都为空的一行与空的二级指标打印出来完全一样，所以导入时读作空的二级指标",
        (test_blank_indicator_row.test_a_blank_indicator_prints_and_imports_as_an_empty_group,
         'printed(built["blank"][".html"]) == printed(built["empty"][".html"])',
         'built["blank"][".docx"] == built["empty"][".docx"]', '["经济效益指标"] == {}'),
    )
    return (f"有意拒绝而不是“修正”的输入：Word 和网页都无法原样保存的字符（{'、'.join(kinds)}）报告为 `text.control-char`；"
            f"{blank_row}。")


def render() -> str:
    rows = [generated_filings(), mutated_files(), bad_corpus(), killed_builds(), concurrent_builds(), ctrl_c(), templates(),
            output_places()]
    lines = [
        "# 健壮性",
        "",
        "本文件由 `tests/test_robustness_report.py` 根据测试本身生成：数量取自测试，每条结果都对应测试里检查它的代码，"
        "测试会核对本文件与之一致。",
        "",
        "| 尝试了什么 | 数量 | 结果 |",
        "|---|---|---|",
        *(f"| {what} | {count} | {holds} |" for what, count, holds in rows),
        "",
        rejected_inputs(),
        "",
    ]
    return "\n".join(lines)


def test_docs_robustness_md_is_current():
    assert REPORT.read_text(encoding="utf-8") == render()


def test_a_claim_whose_check_is_gone_is_refused():
    def checks_little(out):
        assert out.exists()

    assert backed("写出了文件", (checks_little, "out.exists()")) == "写出了文件"
    with pytest.raises(Unbacked, match="no longer has 'out.stat"):
        backed("写出了文件，权限正确", (checks_little, "out.exists()", "out.stat().st_mode"))
    with pytest.raises(Unbacked, match="no description"):
        _named({"delete": "删行"}, ["delete", "shuffle"])


if __name__ == "__main__":
    REPORT.write_text(render(), encoding="utf-8")
