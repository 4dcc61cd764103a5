"""Documentation of the findings that loading, schema validation, suppression and build produce."""

from __future__ import annotations

from ...common.findings import Severity
from . import describe

E, W = Severity.ERROR, Severity.WARNING

for rule_id, title, explanation in (
    ("file.encoding", "文件不是 UTF-8 编码", "申报表文件必须是 UTF-8 编码（可以带 BOM）。GBK/GB18030 或 UTF-16 的文件会指出位置，并说明如何在 VS Code 中另存为 UTF-8。"),
    ("file.too-large", "文件超过 1 MB", "一个申报表的 YAML 只有几 KB；超过 1 MB 的文件不读取，以免放错文件或恶意输入拖垮检查。"),
    ("file.empty", "文件为空", "文件没有内容，或只有注释。"),
    ("file.unreadable", "无法读取文件", "路径是文件夹、没有权限，或是失效的链接。"),
    ("file.outside", "符号链接指向仓库之外", "申报表文件夹里指向当前文件夹（`jixiao diff`：仓库）之外的符号链接，以及这样的链接所指的文件夹里的文件，不会被读取：申报表应当放在仓库里，由 git 记录。"),
    ("file.name", "文件名无法使用", "文件名不是 UTF-8 编码（例如 Windows 上按 GBK 解压出的文件名），或含有换行符等控制字符：这样的名字打印不出来，在终端、PR 评论、别的电脑和 git 里会变成乱码，也无法作为输出文件名。这个文件不读取（`jixiao check`、`build` 和 `diff` 都一样），请用 git mv 改名。"),
    ("yaml.syntax", "YAML 语法错误", "文件不是合法的 YAML。常见原因会附带提示：全角冒号“：”、以“>”开头的值、值里没加引号的“: ”、缩进不齐、引号没有闭合。"),
    ("yaml.tab", "用 Tab 缩进", "YAML 只能用空格缩进。"),
    ("yaml.fullwidth-space", "用全角空格缩进", "YAML 只能用半角空格缩进；全角空格“　”看起来一样，但会让文件无法读取。"),
    ("yaml.duplicate-key", "重复的键", "同一层有两个相同的键（包括同一分组里两个同名的三级指标）。YAML 读取时后一个会覆盖前一个，所以一律报错并指出两处行号。"),
    ("yaml.alias", "使用了锚点或别名", "申报表不需要 YAML 的锚点（&）和别名（*）；它们可以构造出展开后极大的文件，因此一律拒绝。"),
    ("text.control-char", "文字中有控制字符", "Word 文件和网页无法原样保存控制字符（如 U+0001、U+007F、U+0085）、回车符 U+000D（读回来会变成换行）、U+FFFE 等非字符，以及 YAML 会当作换行的 U+2028/U+2029；报告字符所在的位置。换行请直接换行或写 \\n。"),
    ("schema.required", "缺少栏目", "表样要求的栏目（如“项目期”“项目资金”下的三个金额）必须出现，没有内容也要写出键。"),
    ("schema.additionalProperties", "未知的栏目", "键名不是表样的栏目，多半是打错了字；会提示最接近的正确名称。别的表样（或 Word 表）对栏目的叫法，例如“项目类型”“进度指标”，会说明它在本表样中叫什么。"),
    ("schema.enum", "不是可选项", "一级指标、二级指标、表样、综合评定等级、绩效标准只能从表样给定的名称中选择；二级指标必须放在所属的一级指标下。"),
    ("schema.type", "类型不对", "例如分组下应为“三级指标: 指标值”的映射，却写成了文字；文字栏目写成了列表。"),
    ("schema.pattern", "格式不对", "金额只写数字（单位万元，可以带“万元”或“万”），年度写 2000 到 2100 之间的四位数字。"),
    ("form.invalid", "表样定义有误", "templates/<表样>/form.yaml 不符合表样定义的格式，或引用了不存在的栏目；报告 form.yaml 中的位置。这个表样的申报表不能检查和生成，其他表样照常。"),
    ("form.broken", "申报表使用的表样定义有误", "申报表的“表样”指向一个定义有误的表样，无法检查；先改正 form.invalid 报告的问题。"),
):
    describe(rule_id, E, title, explanation, stage="load")

describe("suppression.bare", E, "没有写规则 id 的忽略注释",
         "忽略注释必须写明忽略哪条规则：`# jixiao: ignore[vague.value]`。不写规则 id 的 `# jixiao: ignore` 无效，以免把新问题一起藏起来。",
         stage="suppression")
describe("suppression.unknown", W, "忽略注释中的规则不存在或不能忽略",
         "注释里写的规则 id 不存在，或是读取与格式类的检查（它们不能忽略）。", stage="suppression")
describe("suppression.unused", W, "没有用到的忽略注释",
         "这一行并没有该规则的问题，忽略注释已经过时，请删除。", stage="suppression")

for rule_id, title, explanation in (
    ("build.template", "模板无法渲染", "表样模板有错误（Jinja 标签写错、用了不存在的名字、{%tr %} 不成对等），报告模板文件和出错的标签。"),
    ("build.render", "无法生成文件", "生成这个申报表的文件时出错；其他申报表照常生成。"),
    ("build.name-clash", "输出文件名冲突", "两个申报表会生成同名的输出文件，后一个不会覆盖前一个。"),
):
    describe(rule_id, E, title, explanation, stage="build")
