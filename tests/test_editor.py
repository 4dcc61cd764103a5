"""schema.json in the real editor: yaml-language-server (the engine of VS Code's redhat.vscode-yaml),
pinned in tests/package.json, driven over LSP stdio as VS Code drives it.

One server for the module, on a filings repository in a temporary folder (schema.json at the top, the
filings under projects/<年度>/ with the schema modeline). Each document is opened under a name of its own,
so that its first published diagnostics are its own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import REPO

from generator.cli import run
from generator.common.yamlio import load_document
from generator.filing.modeline import MODELINE_PREFIX
from generator.filing.validate import schema_findings
from generator.forms.pack import load_forms, read_pack
from generator.forms.schema import build_schema

TESTS = Path(__file__).resolve().parent
PINNED = json.loads((TESTS / "package.json").read_text(encoding="utf-8"))["dependencies"]["yaml-language-server"]
MODELINE = MODELINE_PREFIX + "../../schema.json"
SCHEMA = json.loads((REPO / "schema.json").read_text(encoding="utf-8"))
YINCHUAN = load_forms()["yinchuan-2024"]
WAIT = 60  # seconds an answer may take before the test fails (a bound, not a measurement)
# VS Code's settings of the YAML extension, as the server pulls them (workspace/configuration).
SETTINGS = {
    "yaml": {
        "schemas": {"./schema.json": "projects/**/*.yaml"},
        "validate": True,
        "hover": True,
        "completion": True,
        "schemaStore": {"enable": False},  # no network
    },
    "http": {},
    "[yaml]": {},
    "editor": {"tabSize": 2},
}

# A yinchuan-2024 filing that checks clean; each broken filing below changes one line of it.
FILING = """\
# yaml-language-server: $schema=../../schema.json
表样: yinchuan-2024
年度: 2024
项目名称: 热线运行经费
主管部门及代码: "[812]银川市人民政府办公室"
实施单位: 银川市政务服务热线中心
项目属性: 延续项目
项目期: 2024年
项目资金:
  年度资金总额: 80
  财政拨款: 70
  其他资金: 10
年度总体目标: 2024年全年受理群众来电不少于12万件，按时办结率不低于98%，来电群众满意度达到90%以上。
绩效指标:
  产出指标:
    数量指标:
      受理来电数量: ≥12万件
    质量指标:
      来电按时办结率: ≥98%
    时效指标:
      年度运维完成时间: 2024年12月31日前
    成本指标:
      坐席系统运维费: ≤30万元
      话务外包服务费: ≤50万元
  效益指标:
    经济效益指标: {}
    社会效益指标:
      群众诉求解决率: ≥90%
    生态效益指标: {}
    可持续影响指标:
      热线运行管理制度修订: 2024年6月30日前
  满意度指标:
    服务对象满意度指标:
      来电群众满意度: ≥90%
"""


# --- an LSP client: JSON-RPC over stdio with Content-Length framing ----------------------------------

class LanguageClient:
    def __init__(self, command: list[str], cwd: Path):
        self.process = subprocess.Popen(
            command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.condition = threading.Condition()
        self.responses: dict[int, dict] = {}
        self.diagnostics: dict[str, list[dict]] = {}
        self.configuration_pulls = 0
        self.last_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if line == b"" or length is None:
                return
            message = json.loads(stream.read(length))
            if "id" in message and "method" in message:  # a request of the server's
                self._answer(message)
            with self.condition:
                if message.get("method") == "textDocument/publishDiagnostics":
                    self.diagnostics.setdefault(message["params"]["uri"], message["params"]["diagnostics"])
                elif "id" in message and "method" not in message:
                    self.responses[message["id"]] = message
                self.condition.notify_all()

    def _answer(self, request: dict) -> None:
        result = None
        if request["method"] == "workspace/configuration":
            result = [SETTINGS.get(item.get("section")) for item in request["params"]["items"]]
            with self.condition:
                self.configuration_pulls += 1
        self._send({"id": request["id"], "result": result})

    def _wait(self, ready, what: str):
        with self.condition:
            assert self.condition.wait_for(ready, WAIT), f"yaml-language-server 没有回应：{what}"

    def request(self, method: str, params) -> dict | list | None:
        self.last_id += 1
        number = self.last_id
        self._send({"id": number, "method": method, "params": params})
        self._wait(lambda: number in self.responses, method)
        response = self.responses.pop(number)
        assert "error" not in response, response
        return response["result"]

    def notify(self, method: str, params) -> None:
        self._send({"method": method, "params": params})

    def configure(self) -> None:
        """As VS Code does: the settings changed; the server pulls them (workspace/configuration)."""
        pulls = self.configuration_pulls
        self.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})
        self._wait(lambda: self.configuration_pulls > pulls, "workspace/configuration")

    def open(self, path: Path, text: str) -> str:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
        return uri

    def published(self, uri: str) -> list[dict]:
        self._wait(lambda: uri in self.diagnostics, f"{uri} 的诊断")
        return self.diagnostics[uri]

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.process.wait(timeout=WAIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


def _server_command(tmp_path_factory) -> list[str]:
    """tests/node_modules/.bin/yaml-language-server when `npm ci --prefix tests` installed the pinned
    version (.ci/run does); otherwise a copy installed now into a temporary folder."""
    installed = TESTS / "node_modules" / "yaml-language-server" / "package.json"
    if installed.is_file() and json.loads(installed.read_text(encoding="utf-8"))["version"] == PINNED:
        return [str(TESTS / "node_modules" / ".bin" / "yaml-language-server"), "--stdio"]
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("没有 node 或 npm（.ci/run 会安装 Debian 的 nodejs 和 npm）")
    folder = tmp_path_factory.mktemp("npm")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(TESTS / name, folder / name)
    env = {**os.environ, "npm_config_cache": str(folder / "cache"), "npm_config_update_notifier": "false"}
    done = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=600,
    )
    if done.returncode:
        pytest.fail(f"npm ci 没能安装 yaml-language-server {PINNED}（先运行 npm ci --prefix tests）：\n{done.stderr}")
    return [str(folder / "node_modules" / ".bin" / "yaml-language-server"), "--stdio"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("filings")
    shutil.copy(REPO / "schema.json", root / "schema.json")
    return root


@pytest.fixture(scope="module")
def editor(tmp_path_factory, workspace):
    client = LanguageClient(_server_command(tmp_path_factory), workspace)
    try:
        client.request("initialize", {
            "processId": os.getpid(),
            "rootUri": workspace.as_uri(),
            "workspaceFolders": [{"uri": workspace.as_uri(), "name": "filings"}],
            "capabilities": {
                "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
                "textDocument": {
                    "completion": {"completionItem": {"snippetSupport": True, "documentationFormat": ["markdown", "plaintext"]}},
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                    "publishDiagnostics": {},
                },
            },
        })
        client.notify("initialized", {})
        client.configure()
        yield client
    finally:
        client.close()


_names = iter(range(1_000_000))


def _open(editor, workspace: Path, text: str, year: int = 2024) -> str:
    return editor.open(workspace / "projects" / str(year) / f"文件{next(_names)}.yaml", text)


def _position(text: str, line_text: str, column: int = 0) -> dict:
    """The position `column` characters into the first line equal to `line_text`."""
    return {"line": text.splitlines().index(line_text), "character": column}


def _completion(editor, uri: str, position: dict) -> list[dict]:
    result = editor.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": position})
    return result["items"] if isinstance(result, dict) else result


def _documentation(item: dict) -> str:
    documentation = item.get("documentation") or ""
    return documentation["value"] if isinstance(documentation, dict) else documentation


def _hover(editor, uri: str, position: dict) -> str:
    result = editor.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position})
    return result["contents"]["value"] if result else ""


def _chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def _english_words(message: str) -> list[str]:
    """Latin words in a message, besides the form ids it may list."""
    return re.findall(r"[A-Za-z]{2,}", re.sub(r"[a-z]+(-[a-z]+)*-\d{4}|templates/", "", message))


# --- completion -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kept_until", "blank", "expected"), [
    # at the top level below 项目名称: the form's other keys (and the year-end 自评 section), none of another form's
    ("项目名称: 热线运行经费", "", [*(k for k in YINCHUAN.top_level_keys if k not in ("表样", "年度", "项目名称")), "自评"]),
    ("  年度资金总额: 80", "  ", ["财政拨款", "其他资金"]),
    ("      受理来电数量: ≥12万件", "  ", ["效益指标", "满意度指标"]),  # under 绩效指标: the 一级
    ("      受理来电数量: ≥12万件", "    ", ["质量指标", "时效指标", "成本指标"]),  # under 产出指标: the 二级
], ids=["top-level", "funds", "level-1", "level-2"])
def test_completion_offers_each_missing_key_once_with_its_chinese_help(editor, workspace, kept_until, blank, expected):
    lines = FILING.splitlines()
    text = "\n".join([*lines[: lines.index(kept_until) + 1], blank]) + "\n"
    uri = _open(editor, workspace, text)
    items = _completion(editor, uri, {"line": text.count("\n") - 1, "character": len(blank)})
    labels = [item["label"] for item in items]
    assert sorted(labels) == sorted(expected), labels
    for item in items:
        assert _chinese(_documentation(item)), item


def test_completion_of_a_group_tells_its_requirement(editor, workspace):
    lines = FILING.splitlines()
    text = "\n".join([*lines[: lines.index("      受理来电数量: ≥12万件") + 1], "    "]) + "\n"
    uri = _open(editor, workspace, text)
    items = {item["label"]: item for item in _completion(editor, uri, {"line": text.count("\n") - 1, "character": 4})}
    assert _documentation(items["成本指标"]).startswith("【必填量化】预期提供公共产品和服务所需的成本")
    assert "成本用 ≤ 或 =" in _documentation(items["成本指标"])
    assert items["质量指标"]["insertText"] == "质量指标:\n  "  # the cursor lands where the first 三级 goes


# --- hover ----------------------------------------------------------------------------------------------

def test_hover_on_a_header_key_shows_its_form_help(editor, workspace):
    uri = _open(editor, workspace, FILING)
    text = _hover(editor, uri, _position(FILING, "项目属性: 延续项目", 1))
    assert text.startswith("#### 项目属性\n\n新增项目或延续项目。")
    assert "应当填写：留空会有警告。" in text and "表样上的选项：新增项目、延续项目" in text


@pytest.mark.parametrize("column", [7, 14], ids=["name", "value"])
def test_hover_on_an_indicator_explains_its_group_and_how_to_write_the_target(editor, workspace, column):
    uri = _open(editor, workspace, FILING)
    text = _hover(editor, uri, _position(FILING, "      坐席系统运维费: ≤30万元", column))
    assert text.startswith("#### 三级指标（成本指标）\n\n“产出指标 › 成本指标【必填量化】”下的一个三级指标：冒号前写**指标名称**，冒号后写**指标值**。")
    assert "成本指标：预期提供公共产品和服务所需的成本" in text  # the group's help from the pack
    assert "**指标值**：运算符 ≥（不少于）、≤（不超过）、=（等于） + 数值 + 单位，例如 `≤9.8万元`、`6200元/台`。" in text
    assert "成本用 ≤ 或 =（不用 ≥、＞）" in text and "本分组必填量化" in text
    assert "栏目可以是：指标值、指标解释、绩效标准、备注" in text
    assert "```yaml\n≤9.8万元\n```" in text  # the group's examples


def test_hover_on_a_group_and_on_an_optional_group(editor, workspace):
    uri = _open(editor, workspace, FILING)
    quantity = _hover(editor, uri, _position(FILING, "    数量指标:", 5))
    assert quantity.startswith("#### 数量指标\n\n【必填量化】预期提供的公共产品和服务的数量")
    economic = _hover(editor, uri, _position(FILING, "    经济效益指标: {}", 5))
    assert "本分组选填：没有指标时写 {}，不要用 0、无、/ 占位。" in economic


# --- diagnostics ----------------------------------------------------------------------------------------

def _replace(old: str, new: str) -> str:
    assert FILING.count(old + "\n") == 1, old
    return FILING.replace(old + "\n", new + "\n" if new else "")


def _span(text: str, line_text: str, token: str | None = None) -> tuple[int, int, int, int]:
    """(line, start, line, end) of `token` in the first line equal to `line_text` (the whole line by default)."""
    line = text.splitlines().index(line_text)
    start = line_text.index(token) if token else 0
    return line, start, line, start + len(token or line_text)


BROKEN = {
    "unknown-key": (
        _replace("项目期: 2024年", "项目起至: 2024年"),
        [
            (("项目起至: 2024年", "项目起至"), "不是表样 yinchuan-2024 的栏目（可写：表样、年度、项目名称、主管部门及代码、实施单位、"
             "项目属性、项目期、项目资金、年度总体目标、绩效指标、综合评定等级、自评）；请检查错别字"),
            ((1, 0, 1, 1), "申报表缺少必填的“项目期”"),
        ],
    ),
    "misspelt-group": (
        _replace("    数量指标:", "    数量指木:"),
        [(("    数量指木:", "数量指木"), "“产出指标”下的二级指标只能是：数量指标、质量指标、时效指标、成本指标（与表样一字不差）")],
    ),
    "misspelt-level": (
        _replace("  效益指标:", "  效益指木:"),
        [(("  效益指木:", "效益指木"), "“绩效指标”下的一级指标只能是：产出指标、效益指标、满意度指标（与表样一字不差）")],
    ),
    "form-id": (
        _replace("表样: yinchuan-2024", "表样: yinchuan-2025"),
        [(("表样: yinchuan-2025", "yinchuan-2025"), "表样只能是：gansu-2023、hunan-2023、inner-mongolia-2021、mof-2021、"
          "ningxia-2019、wuhan-2020、yinchuan-2024（templates/ 下的文件夹名）")],
    ),
    "grade": (
        FILING + "综合评定等级: 同意\n",
        [(("综合评定等级: 同意", "同意"), "“综合评定等级”只能是：通过、退回修改、退回,不予纳入财政项目库，或留空（由财政部门填写）")],
    ),
    "missing-amount": (
        _replace("  其他资金: 10", ""),
        [(("项目资金:", "项目资金"), "“项目资金”缺少必填的“其他资金”")],
    ),
    "amount-as-text": (
        _replace("  年度资金总额: 80", "  年度资金总额: 八十万元"),
        [(("  年度资金总额: 八十万元", "八十万元"), "金额只填数字（单位是万元），例如 150 或 52.5，可以带“万元”，不要写千分位逗号或其他单位")],
    ),
    "year-out-of-range": (
        _replace("年度: 2024", "年度: 1999"),
        [(("年度: 1999", "1999"), "年度写 2000 到 2100 之间的四位数字，例如 2024")],
    ),
    "text-as-list": (
        _replace("实施单位: 银川市政务服务热线中心", "实施单位: [热线中心, 办公室]"),
        [(("实施单位: [热线中心, 办公室]", "[热线中心, 办公室]"), "“实施单位”写文字（一行写不下可以换行），不能写成映射或列表")],
    ),
    "empty-indicator": (
        _replace("      受理来电数量: ≥12万件", "      受理来电数量: {}"),
        [(("      受理来电数量: {}", "受理来电数量"), "指标值不能是空映射 {}：直接写文字，或在映射里写“指标值”")],
    ),
    "indicator-column": (
        _replace("      受理来电数量: ≥12万件", "      受理来电数量: {指标值: ≥12万件, 说明: 全年}"),
        [(("      受理来电数量: {指标值: ≥12万件, 说明: 全年}", "说明"),
          "指标值写成文字，例如“≥360次”；写成映射时栏目只能是：指标值、指标解释、绩效标准、备注")],
    ),
}


def _range(diagnostic: dict) -> tuple[int, int, int, int]:
    start, end = diagnostic["range"]["start"], diagnostic["range"]["end"]
    return start["line"], start["character"], end["line"], end["character"]


def test_the_clean_filing_has_no_diagnostics_in_the_editor_nor_in_check(editor, workspace):
    assert editor.published(_open(editor, workspace, FILING)) == []
    assert schema_findings(load_document("x.yaml", FILING.encode("utf-8")), SCHEMA) == []


@pytest.mark.parametrize("case", BROKEN)
def test_broken_filings_get_chinese_diagnostics_at_the_exact_place(editor, workspace, case):
    text, expected = BROKEN[case]
    diagnostics = editor.published(_open(editor, workspace, text))
    wanted = sorted(
        (where if len(where) == 4 else _span(text, *where), message) for where, message in expected
    )
    assert sorted((_range(d), d["message"]) for d in diagnostics) == wanted
    for diagnostic in diagnostics:
        assert _chinese(diagnostic["message"]) and not _english_words(diagnostic["message"]), diagnostic
    # check reports each of them on the same line (a missing top-level key at the start of the file,
    # where the editor marks the first key)
    check_lines = {f.line if f.line > 1 else 2 for f in schema_findings(load_document("x.yaml", text.encode("utf-8")), SCHEMA)}
    assert {d["range"]["start"]["line"] + 1 for d in diagnostics} <= check_lines


@pytest.mark.parametrize(("line", "message"), [
    ("项目期: 2024年", "申报表缺少必填的“项目期”"),
    ("  财政拨款: 70", "“项目资金”缺少必填的“财政拨款”"),
    ("表样: yinchuan-2024", "申报表缺少必填的“表样”"),
], ids=["top-level", "funds", "form-id"])
def test_a_missing_required_key_reads_the_same_in_the_editor_and_in_check(editor, workspace, line, message):
    text = _replace(line, "")
    [diagnostic] = editor.published(_open(editor, workspace, text))
    [finding] = schema_findings(load_document("x.yaml", text.encode("utf-8")), SCHEMA)
    assert diagnostic["message"] == finding.message == message


# --- snippets -------------------------------------------------------------------------------------------

def _expanded(snippet: str) -> str:
    """A snippet's text with every tab stop at its default (what pressing Tab through it leaves)."""
    out, index, depth = [], 0, 0
    while index < len(snippet):
        char = snippet[index]
        if char == "\\" and index + 1 < len(snippet) and snippet[index + 1] in "\\$}":
            out.append(snippet[index + 1])
            index += 2
        elif match := re.match(r"\$\{\d+:", snippet[index:]):
            index, depth = index + match.end(), depth + 1  # its default follows, up to the matching "}"
        elif match := re.match(r"\$\d+", snippet[index:]):
            index += match.end()
        elif char == "}" and depth:
            index, depth = index + 1, depth - 1
        else:
            out.append(char)
            index += 1
    assert depth == 0, snippet
    return "".join(out)


def _applied(text: str, edit: dict) -> str:
    """The document after a completion's text edit (positions in UTF-16 units: these texts are all in the BMP)."""
    lines = text.split("\n")

    def offset(position: dict) -> int:
        return sum(len(line) + 1 for line in lines[: position["line"]]) + position["character"]

    return text[: offset(edit["range"]["start"])] + _expanded(edit["newText"]) + text[offset(edit["range"]["end"]):]


def test_a_new_file_is_offered_one_snippet_per_form_each_a_filing_that_checks_clean(editor, workspace, capsys, monkeypatch):
    text = MODELINE + "\n"
    items = _completion(editor, _open(editor, workspace, text), {"line": 1, "character": 0})
    snippets = {item["label"]: item for item in items if item["label"].startswith("新建申报表：")}
    forms = load_forms()
    assert sorted(snippets) == sorted(f"新建申报表：{form.name}" for form in forms.values())
    assert {item["label"] for item in items} - set(snippets) == {"表样", "年度"}
    monkeypatch.chdir(workspace)
    for form in forms.values():
        item = snippets[f"新建申报表：{form.name}"]
        assert item["insertTextFormat"] == 2 and _documentation(item).startswith(f"表样 {form.id} 的示例申报表"), form.id
        # the money items are tab stops
        assert re.search(rf"^{form.funds.key}:\n  [^:]+: \$\{{\d+:", item["textEdit"]["newText"], re.MULTILINE), form.id
        filing = _applied(text, item["textEdit"])
        assert filing.startswith(f"{MODELINE}\n表样: {form.id}\n年度: "), form.id
        year = re.search(r"^年度: (\d{4})$", filing, re.MULTILINE).group(1)
        path = workspace / "projects" / year / f"{form.id}.yaml"
        uri = editor.open(path, filing)
        capsys.readouterr()
        code = run(["check", str(path.relative_to(workspace)), "--format", "json", "--no-cache"])
        out = capsys.readouterr().out
        assert (code, json.loads(out)) == (0, []), (form.id, out)
        assert editor.published(uri) == [], form.id
    # a filing with 表样 and 年度 is offered its keys, not whole filings
    text = "\n".join(FILING.splitlines()[:4] + [""]) + "\n"
    assert not any(i["label"].startswith("新建申报表") for i in _completion(editor, _open(editor, workspace, text), {"line": 4, "character": 0}))


def test_a_pack_without_an_example_offers_no_snippet_and_a_broken_example_no_tab_stops(tmp_path):
    folder = tmp_path / "ningxia-2019"
    folder.mkdir()
    shutil.copy(REPO / "templates" / "ningxia-2019" / "form.yaml", folder / "form.yaml")
    form = read_pack(folder / "form.yaml")
    assert build_schema({form.id: form})["else"]["defaultSnippets"] == []
    (folder / "example.yaml").write_text("# 注释\n表样: ningxia-2019\n年度: [2019\n$x: }\n", encoding="utf-8")
    [snippet] = build_schema({form.id: form})["else"]["defaultSnippets"]
    assert snippet["bodyText"] == "表样: ningxia-2019\n年度: [2019\n\\$x: }"  # as written, "$" escaped


# --- the year-end 自评 section ---------------------------------------------------------------------------


RESULTS_FILING = (REPO / "templates" / "selfeval-2020" / "example-with-results.yaml").read_text(encoding="utf-8")


def test_a_filing_with_results_is_clean_in_the_editor(editor, workspace):
    assert editor.published(_open(editor, workspace, RESULTS_FILING)) == []


def test_the_results_section_completes_each_key_once_with_chinese_help(editor, workspace):
    lines = RESULTS_FILING.splitlines()
    text = "\n".join([*lines[: lines.index("自评:") + 1], "  "]) + "\n"
    uri = _open(editor, workspace, text)
    items = _completion(editor, uri, {"line": text.count("\n") - 1, "character": 2})
    labels = [item["label"] for item in items]
    assert len(labels) == len(set(labels)) and {"项目资金", "实际完成情况", "绩效指标", "总分"} <= set(labels), labels
    for item in items:
        assert _chinese(_documentation(item)), item


def test_a_misspelt_key_in_the_results_section_is_reported_in_chinese(editor, workspace):
    text = RESULTS_FILING.replace("  实际完成情况: ", "  实际完成情况况: ", 1)
    diagnostics = editor.published(_open(editor, workspace, text))
    line = text.splitlines().index(next(l for l in text.splitlines() if l.startswith("  实际完成情况况: ")))
    assert [(_range(d)[0], d["message"].startswith("不是自评表样 selfeval-2020 的栏目")) for d in diagnostics] == [(line, True)], diagnostics
    assert all(_chinese(d["message"]) and not _english_words(d["message"].replace("selfeval-2020", "")) for d in diagnostics)
