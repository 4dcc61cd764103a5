"""The package's stages import downward only: the allowed directions are listed once, here."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# stage → the stages it may import (besides itself and the package root, which holds only __version__)
ALLOWED: dict[str, set[str]] = {
    "__main__": {"cli"},
    "cli": {"build", "review", "history", "importing", "render", "filing", "forms", "common"},
    "build": {"review", "render", "filing", "forms", "common"},
    "history": {"review", "render", "filing", "forms", "common"},
    "importing": {"filing", "forms", "common"},
    "review": {"filing", "forms", "common"},
    "render": {"filing", "forms", "common"},
    "filing": {"forms", "common"},
    "forms": {"common"},
    "common": set(),
}


def stage_of(module: str) -> str:
    """'generator.review.rules.cost' → 'review'; the package root → ''."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every jixiao module that `source` imports, at any depth (lazy imports in functions too)."""
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "generator" or target.startswith("generator."):
                names = [f"{target}.{alias.name}" for alias in node.names] if target.count(".") == 0 else [target]
                found.extend((node.lineno, name) for name in names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names if a.name.startswith("generator"))
    return found


def wrong_way(source: str, module: str, is_package: bool = False) -> list[str]:
    """Imports of `module` that point the wrong way, as 'line: importer → imported'."""
    own = stage_of(module)
    problems = []
    for line, target in imported_modules(source, module, is_package):
        stage = stage_of(target)
        if stage in ("", own, "__version__") or stage in ALLOWED[own]:
            continue
        problems.append(f"{line}: {module} → {target}")
    return problems


def test_every_stage_is_listed():
    stages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    stages |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert stages == set(ALLOWED)


def test_allowed_directions_have_no_cycle():
    done: set[str] = set()

    def visit(stage: str, path: tuple[str, ...]) -> None:
        assert stage not in path, " → ".join((*path, stage))
        if stage not in done:
            for lower in ALLOWED[stage]:
                visit(lower, (*path, stage))
            done.add(stage)

    for stage in ALLOWED:
        visit(stage, ())


def test_imports_point_downward():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        problems += wrong_way(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
    assert problems == []


def test_a_wrong_way_import_is_caught():
    # The test above must be able to fail: an upward import, a lazy one, and an absolute one.
    assert wrong_way("from ..review.check import check_files\n", "generator.render.word") == [
        "1: generator.render.word → generator.review.check"
    ]
    assert wrong_way("def f():\n    from ...build import runner\n", "generator.review.rules.cost") == [
        "2: generator.review.rules.cost → generator.build"
    ]
    assert wrong_way("import generator.cli\n", "generator.common.names") == ["1: generator.common.names → generator.cli"]
    assert wrong_way("from .. import __version__\nfrom ..common import names\n", "generator.forms.schema") == []


def test_top_level_stays_small():
    entries = {p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"} - {"__init__.py", "__main__.py", "cli.py"}
    assert len(entries) <= 10, sorted(entries)
