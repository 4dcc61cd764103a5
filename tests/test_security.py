"""Hostile inputs that must not reach outside their place: planted cache files, templates that try to
read files beyond their pack, filings that are symbolic links out of the repository, and filing text
that would turn into HTML, links or mentions in the PR comment."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, invoke
from docx import Document
from test_diff import commit, git

from generator.render.pages import render_index
from generator.render.problem import TemplateProblem

SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- 不该被读到的内容"
DUCHA = REPO / "projects" / "2024" / "督查室工作经费.yaml"


def jixiao(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)], cwd=cwd, env={**os.environ, **(env or {})},
        capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.fixture
def workplace(tmp_path):
    """A filings folder with one seed filing, a private cache folder and an editable copy of templates/."""
    (tmp_path / "projects" / "2024").mkdir(parents=True)
    shutil.copy(DUCHA, tmp_path / "projects" / "2024")
    templates = tmp_path / "home" / "我的模板"  # the README's ~/我的模板, with ~ inside the test's folder
    shutil.copytree(REPO / "templates", templates)
    env = {"JIXIAO_CACHE_DIR": str(tmp_path / "cache"), "JIXIAO_TEMPLATES_DIR": str(templates)}
    return tmp_path, templates, env


def _outputs_text(folder: Path) -> str:
    """Everything the build wrote, as text (the .docx members unpacked)."""
    import zipfile

    texts = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as package:
                texts += [package.read(name).decode("utf-8", "replace") for name in package.namelist()]
        elif path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


# --- 5. no cache holds anything that runs when read --------------------------------------------------------

class _Payload:
    """What a planted cache file would hold: unpickling it creates the marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


def _plant_jinja_bytecode(cache: Path, marker: Path) -> list[Path]:
    """Files where Jinja's FileSystemBytecodeCache looks for the compiled parts of a Word template
    (named by the SHA-1 of the template's name), each a valid header followed by the payload."""
    from jinja2.bccache import bc_magic

    folder = cache / "jinja"
    folder.mkdir(parents=True)
    names = ["body", *(f"property:{p}" for p in ("author", "comments", "identifier", "language", "subject", "title"))]
    planted = []
    for name in names:
        path = folder / f"__jinja2_{hashlib.sha1(name.encode()).hexdigest()}.cache"
        path.write_bytes(bc_magic + pickle.dumps(_Payload(marker)))
        planted.append(path)
    return planted


@pytest.mark.parametrize("no_cache", [False, True], ids=["cache", "no-cache"])
def test_a_planted_bytecode_cache_file_is_never_loaded(workplace, no_cache):
    root, templates, env = workplace
    marker = root / "pwned"
    planted = _plant_jinja_bytecode(root / "cache", marker)
    done = jixiao("build", "projects", "--out", "out", "--outputs", "docx", *(["--no-cache"] if no_cache else []),
                  cwd=root, env=env)
    assert done.returncode == 0, done.stderr
    assert not marker.exists(), "a file in the cache folder was unpickled"
    assert (root / "out" / "2024" / "督查室工作经费.docx").is_file()
    assert all(p.read_bytes().endswith(pickle.dumps(_Payload(marker))) for p in planted)  # not even rewritten


def test_a_cache_folder_where_nothing_can_be_written_is_no_template_problem(workplace):
    root, templates, env = workplace
    (root / "cache").mkdir()
    if os.geteuid() == 0:
        # root ignores file modes: a folder of the proc file system is one where root cannot create files
        if not Path("/proc/self").is_dir():
            pytest.skip("no /proc to stand for a folder nobody can write")
        (root / "cache" / "jinja").symlink_to("/proc/self")
    else:
        (root / "cache" / "jinja").mkdir(mode=0o555)
    done = jixiao("build", "projects", "--out", "out", "--outputs", "docx", cwd=root, env=env)
    assert done.returncode == 0, done.stderr
    assert "无法渲染" not in done.stderr
    assert (root / "out" / "2024" / "督查室工作经费.docx").is_file()


# --- 6. templates read only their own pack (and the shared files of templates/) ------------------------------

def _secret_in_home(root: Path) -> Path:
    secret = root / "home" / ".ssh" / "id_rsa"
    secret.parent.mkdir(parents=True)
    secret.write_text(SECRET, encoding="utf-8")
    return secret


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_index_template_cannot_include_a_file_beside_the_templates_folder(workplace):
    root, templates, _ = workplace
    _secret_in_home(root)
    _edit(templates / "index.html.j2", "<h1>", "<h1>{% include '.ssh/id_rsa' %}")
    with pytest.raises(TemplateProblem) as refused:
        render_index(templates, {"year": 2024, "filings": [], "total": 0, "indicator_total": 0})
    assert "index.html.j2" in str(refused.value) and ".ssh/id_rsa" in str(refused.value)
    assert "PRIVATE KEY" not in str(refused.value)


@pytest.mark.parametrize("how", ["symlink-out-of-the-pack", "symlink-to-the-home-folder", "another-pack", "absolute"])
def test_a_preview_template_cannot_read_outside_its_pack(workplace, how):
    root, templates, env = workplace
    secret = _secret_in_home(root)
    pack = templates / "yinchuan-2024"
    if how == "symlink-out-of-the-pack":
        (pack / "part.html").symlink_to(secret)
        name = "part.html"
    elif how == "symlink-to-the-home-folder":
        (pack / "home").symlink_to(root / "home", target_is_directory=True)
        name = "home/.ssh/id_rsa"
    elif how == "another-pack":
        (templates / "ningxia-2019" / "notes.html").write_text(SECRET, encoding="utf-8")
        name = "ningxia-2019/notes.html"
    else:
        name = str(secret)
    _edit(pack / "preview.html.j2", "<h1>{{ form.title }}", "<h1>{% include '" + name + "' %}{{ form.title }}")
    done = jixiao("build", "projects", "--out", "out", "--outputs", "html", cwd=root, env=env)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "preview.html.j2" in done.stderr and "TemplateNotFound" in done.stderr
    assert "PRIVATE KEY" not in done.stderr + _outputs_text(root / "out")
    assert not (root / "out" / "2024" / "督查室工作经费.html").exists()


def test_a_preview_template_may_use_its_own_files_and_the_shared_ones(workplace):
    root, templates, env = workplace
    pack = templates / "yinchuan-2024"
    (pack / "parts").mkdir()
    (pack / "parts" / "banner.html").write_text("<p>表样自己的片段</p>", encoding="utf-8")
    (pack / "banner-link.html").symlink_to(pack / "parts" / "banner.html")  # a link that stays in the pack
    (templates / "shared.html").write_text("<p>共用的片段</p>", encoding="utf-8")
    _edit(pack / "preview.html.j2", "<h1>{{ form.title }}",
          "{% include 'parts/banner.html' %}{% include 'banner-link.html' %}{% include 'shared.html' %}<h1>{{ form.title }}")
    done = jixiao("build", "projects", "--out", "out", "--outputs", "html", cwd=root, env=env)
    assert done.returncode == 0, done.stderr
    html = (root / "out" / "2024" / "督查室工作经费.html").read_text(encoding="utf-8")
    assert html.count("<p>表样自己的片段</p>") == 2 and "<p>共用的片段</p>" in html


def _edit_docx(path: Path, old: str, new: str) -> None:
    document = Document(str(path))
    for text in document.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"):
        if text.text and old in text.text:
            text.text = text.text.replace(old, new)
            document.save(str(path))
            return
    raise AssertionError(f"{old!r} not in the template")


@pytest.mark.parametrize("name", ["form.yaml", "example.yaml", "../index.html.j2", "body", "property:title"])
def test_a_word_template_reads_nothing_but_itself(workplace, name):
    """The Word template's parts are compiled on their own: no file of the pack, nor another part."""
    root, templates, env = workplace
    _edit_docx(templates / "yinchuan-2024" / "template.docx", "{{ form.title }}", "{% include '" + name + "' %}")
    done = jixiao("build", "projects", "--out", "out", "--outputs", "docx", cwd=root, env=env)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    assert "template.docx" in done.stderr and "TemplateNotFound" in done.stderr
    assert "indicators:" not in done.stderr and "<!DOCTYPE" not in done.stderr
    assert not (root / "out" / "2024" / "督查室工作经费.docx").exists()


# --- diff: what a pull request's files can make the PR comment say -------------------------------------------

@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A filings repository holding 督查室工作经费 on main; tests run in it."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "filings"
    (root / "projects" / "2024").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    shutil.copy(DUCHA, root / "projects" / "2024")
    commit(root, "seed")
    monkeypatch.chdir(root)
    return root


def diff(capsys, *args: str) -> tuple[int, str, str]:
    return invoke(capsys, "diff", *args)


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


HOSTILE_NAME = "<img src=x onerror=alert(1)>督查|室 @someone #12 **粗** `码`"
HOSTILE_UNIT = "第一行\n# 标题\n- 列表\n> 引用\n| a | b |\n---\n1. 编号"
HOSTILE_KIND = ("[点这里](javascript:alert(1)) ![](http://evil.com/x.png) <https://evil.com> "
                "https://evil.com/phish www.evil.com evil.com evil@evil.com")
HOSTILE_INDICATOR = "<script>alert(1)</script>"
HOSTILE_VALUE = "``` `x` $x^2$ ~~删~~ _斜_ *斜* &lt; &#64;someone <!-- 注释 --> 末尾\\"
HOSTILE_CHANGE = "<details open><summary>点开</summary>藏起来的</details>"
ALLOWED_TAGS = {"h2", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "strong", "code"}


def _hostile_edit(root: Path) -> None:
    path = root / "projects" / "2024" / "督查室工作经费.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in [
        ("项目名称: 督查室工作经费", f"项目名称: {_yaml_text(HOSTILE_NAME)}"),
        ("实施单位: 银川市人民政府办公室", f"实施单位: {_yaml_text(HOSTILE_UNIT)}"),
        ('项目属性: ""', f"项目属性: {_yaml_text(HOSTILE_KIND)}"),
        ("      印刷费: ≥600本\n", f"      印刷费: ≥600本\n      {_yaml_text(HOSTILE_INDICATOR)}: {_yaml_text(HOSTILE_VALUE)}\n"),
        ("督查差旅费次数: ≥50次", f"督查差旅费次数: {_yaml_text(HOSTILE_CHANGE)}"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


class _Rendered:
    """The tags and the visible text of rendered HTML."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        tags, texts = [], []

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                tags.append(tag)

            def handle_data(self, data):
                texts.append(data)

        Parser(convert_charrefs=True).feed(html)
        self.tags, self.text = tags, "".join(texts)


def test_markdown_comment_shows_hostile_filing_text_as_text(repo, capsys):
    from markdown_it import MarkdownIt

    _hostile_edit(repo)
    code, markdown, err = diff(capsys, "HEAD", "--format", "markdown")
    assert code == 0, err
    # GitHub's flavour: tables, strikethrough and autolinks of URLs, www. names and e-mail addresses.
    renderer = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "strikethrough", "linkify"])
    rendered = _Rendered(renderer.render(markdown))
    assert set(rendered.tags) <= ALLOWED_TAGS, set(rendered.tags) - ALLOWED_TAGS  # no HTML, link, image, heading...
    assert rendered.tags.count("table") == 1 and rendered.tags.count("tr") == 2 and rendered.tags.count("td") == 5
    assert rendered.tags.count("h3") == 1  # the hostile text made no heading of its own
    text = rendered.text
    # Mentions and issue references are broken by a zero-width space; apart from it, the text is as filed.
    assert "@someone" not in text and "#12" not in text and "evil@evil.com" not in text
    visible = text.replace("\u200b", "")
    for value in (HOSTILE_NAME, HOSTILE_UNIT, HOSTILE_KIND, HOSTILE_INDICATOR, HOSTILE_VALUE, HOSTILE_CHANGE):
        assert value.replace("\n", " ") in visible, value
    assert f"修改指标 产出指标/数量指标/督查差旅费次数：≥50次 → {HOSTILE_CHANGE}" in visible


@pytest.mark.parametrize("path", ["projects/2024/`a`.yaml", "projects/2024/``x.yaml", "projects/2024/a |b.yaml"])
def test_markdown_comment_shows_any_path_in_a_code_span(repo, capsys, path):
    from markdown_it import MarkdownIt

    shutil.copy(DUCHA, repo / path)
    _, markdown, _ = diff(capsys, "HEAD", "--format", "markdown")
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert f"<code>{path}</code>" in html.replace("&quot;", '"')


def test_diff_does_not_follow_a_link_out_of_the_repository(repo, capsys, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"项目名称: {SECRET}\n", encoding="utf-8")
    (repo / "projects" / "2024" / "外面.yaml").symlink_to(secret)
    (repo / "projects" / "外面的文件夹").symlink_to(tmp_path, target_is_directory=True)
    for output_format in ("text", "markdown", "json"):
        code, out, _ = diff(capsys, "HEAD", "--format", output_format)
        assert code == 1
        assert "PRIVATE KEY" not in out and str(tmp_path) not in out
        assert "file.outside" in out.replace("\\.", ".") and "外面.yaml" in out
    commit(repo, "a link committed")  # in a revision, git holds the link's target as text
    code, out, _ = diff(capsys, "HEAD~1", "HEAD", "--format", "markdown")
    assert code == 1 and "PRIVATE KEY" not in out and str(tmp_path) not in out and "file.outside" in out.replace("\\.", ".")


def test_diff_follows_a_link_that_stays_in_the_repository(repo, capsys):
    (repo / "shared").mkdir()
    (repo / "shared" / "热线.yaml").write_text(
        (REPO / "templates" / "yinchuan-2024" / "example.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (repo / "projects" / "2024" / "热线.yaml").symlink_to(Path("..") / ".." / "shared" / "热线.yaml")
    commit(repo, "a link inside")
    for args in (("HEAD~1", "HEAD"), ("HEAD~1",)):
        code, out, _ = diff(capsys, *args)
        assert code == 0, out
        assert out.splitlines()[0] == "新增 政务服务热线运行经费（projects/2024/热线.yaml）"


@pytest.mark.parametrize("raw_name, shown, why", [
    (b"projects/2024/\xb6\xbd\xb2\xe9.yaml", "projects/2024/\\xb6\\xbd\\xb2\\xe9.yaml", "不是 UTF-8"),
    (b"projects/2024/a\nb.yaml", "projects/2024/a\\nb.yaml", "换行符"),
], ids=["gbk", "newline"])
@pytest.mark.parametrize("committed", [False, True], ids=["working-tree", "committed"])
def test_diff_reports_a_file_name_it_cannot_show(repo, capsys, raw_name, shown, why, committed):
    (repo / os.fsdecode(raw_name)).write_bytes(DUCHA.read_bytes())
    if committed:
        commit(repo, "odd name")
    code, out, _ = diff(capsys, *(["HEAD~1", "HEAD"] if committed else ["HEAD"]))
    assert code == 1
    assert out.splitlines()[:3] == [
        f"新增 {shown}（{shown}）",
        f"  新版本的 {shown} 无法读取，它的变化和金额不明（1 个问题，运行 jixiao check 查看）",
        out.splitlines()[2],
    ]
    assert "[file.name]" in out.splitlines()[2] and why in out.splitlines()[2]
    code, markdown, _ = diff(capsys, *(["HEAD~1", "HEAD"] if committed else ["HEAD"]), "--format", "markdown")
    assert code == 1 and "\n" + shown not in markdown


# --- fmt, new, rollover: no reading or writing through a link out of the folder -------------------------------

@pytest.fixture
def filings(tmp_path, monkeypatch) -> Path:
    """A filings folder (schema.json and one seed filing in projects/2024) and, beside it, a folder
    outside it holding a filing that needs formatting."""
    root = tmp_path / "filings"
    (root / "projects" / "2024").mkdir(parents=True)
    shutil.copy(REPO / "schema.json", root)
    shutil.copy(DUCHA, root / "projects" / "2024")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "别处.yaml").write_text(DUCHA.read_text(encoding="utf-8").replace("项目期: 2024年", "项目期: '2024年'"),
                                       encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("how", ["linked-file", "linked-folder"])
def test_fmt_neither_reads_nor_writes_through_a_link_out_of_the_folder(filings, capsys, how):
    outside = filings.parent / "outside"
    before = _snapshot(outside)
    if how == "linked-file":
        (filings / "projects" / "2024" / "别处.yaml").symlink_to(outside / "别处.yaml")
        args = ["fmt"]
    else:
        (filings / "projects" / "别处").symlink_to(outside, target_is_directory=True)
        args = ["fmt", "projects/别处"]  # named on the command line: the folder itself is a link
    code, out, err = invoke(capsys, *args)
    assert code == 1, err
    assert "[file.outside]" in err and "1 个文件无法格式化" in err
    assert _snapshot(outside) == before


def test_new_does_not_write_through_a_link_out_of_the_folder(filings, capsys):
    outside = filings.parent / "outside"
    before = _snapshot(outside)
    (filings / "projects" / "2025").symlink_to(outside, target_is_directory=True)
    code, out, err = invoke(capsys, "new", "热线运行经费", "--year", "2025")
    assert code == 1 and out == ""
    assert "projects/2025" in err and "符号链接" in err
    assert _snapshot(outside) == before


@pytest.mark.parametrize("linked", ["source", "target"])
def test_rollover_does_not_read_or_write_through_a_link_out_of_the_folder(filings, capsys, linked):
    outside = filings.parent / "outside"
    before = _snapshot(outside)
    if linked == "target":
        (filings / "projects" / "2025").symlink_to(outside, target_is_directory=True)
        args = ("rollover", "2024", "2025")
    else:
        (filings / "projects" / "2023").symlink_to(outside, target_is_directory=True)
        args = ("rollover", "2023", "2026")
    code, out, err = invoke(capsys, *args)
    assert code == 1 and out == ""
    assert "符号链接" in err
    assert _snapshot(outside) == before
    assert not (filings / "projects" / "2026").exists()
