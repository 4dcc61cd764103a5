"""Configuration: `[tool.jixiao]` in the filings repository's pyproject.toml (or the same settings at the top
level of a file named with `jixiao check --config`, or of the user's config.toml).

    [tool.jixiao]
    disable = ["goal.too-short"]          # rules that are not run

    [tool.jixiao.severity]                # change a rule's severity
    "header.missing-recommended" = "error"  # error / warning / info (or 错误 / 警告 / 提示)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from ..common.findings import Finding, Severity
from .rules import REGISTRY

_SEVERITY_NAMES = {s.value: s for s in Severity} | {s.label: s for s in Severity}


class ConfigError(Exception):
    """The configuration cannot be used; the message is for the user."""


@dataclass(frozen=True)
class Config:
    disabled: frozenset[str] = frozenset()
    severities: dict[str, Severity] = field(default_factory=dict)
    source: Path | None = None
    default_form: str = ""  # the pack `jixiao new` uses when a year's folder does not tell

    @property
    def findings_key(self) -> str:
        """Changes whenever the configuration changes which findings are reported, or at what severity."""
        severities = sorted((rule, severity.value) for rule, severity in self.severities.items())
        return repr((sorted(self.disabled), severities))

    def applied(self, findings: list[Finding]) -> list[Finding]:
        """Findings with disabled rules dropped and severities as configured."""
        kept = []
        for finding in findings:
            if finding.rule in self.disabled:
                continue
            severity = self.severities.get(finding.rule)
            if severity is not None and severity is not finding.severity:
                finding = Finding(finding.file, finding.line, finding.col, severity, finding.rule, finding.message)
            kept.append(finding)
        return kept


def find_pyproject(start: Path) -> Path | None:
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def user_config_path() -> Path:
    """The user's own configuration, used where no pyproject.toml has a [tool.jixiao] table:
    config.toml in $JIXIAO_CONFIG_DIR, else in platformdirs' user config folder (~/.config/jixiao on Linux)."""
    folder = os.environ.get("JIXIAO_CONFIG_DIR") or platformdirs.user_config_dir("jixiao", appauthor=False)
    return Path(folder) / "config.toml"


def _configurable(rule_id: object, where: str) -> str:
    if not isinstance(rule_id, str) or rule_id not in REGISTRY:
        raise ConfigError(f"{where}：没有“{rule_id}”这条规则（运行 jixiao rules 查看全部规则）")
    if not REGISTRY[rule_id].configurable:
        raise ConfigError(f"{where}：“{rule_id}”是读取与格式检查，不能关闭或改变级别")
    return rule_id


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"配置文件 {path} 不存在") from None
    except IsADirectoryError:
        raise ConfigError(f"配置文件 {path} 是一个文件夹，应为 .toml 文件") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise ConfigError(f"{path} 无法读取：{error}") from None


def _tool_section(path: Path, data: dict) -> dict | None:
    """[tool.jixiao] of a pyproject.toml, or None when it has none."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}：tool 应为一个表")
    section = tool.get("jixiao")
    if section is not None and not isinstance(section, dict):
        raise ConfigError(f"{path}：[tool.jixiao] 应为一个表")
    return section


def load_config(start: Path | None = None) -> Config:
    """The configuration that applies in `start` (the current folder): [tool.jixiao] of the nearest
    pyproject.toml that has one, else the user's config.toml (user_config_path), else the defaults."""
    folder = (start or Path.cwd()).resolve()
    while (path := find_pyproject(folder)) is not None:
        section = _tool_section(path, _read_toml(path))
        if section is not None:
            return parse_config(section, path, "[tool.jixiao] ")
        folder = path.parent.parent
        if folder == path.parent:  # the file system's root
            break
    user = user_config_path()
    if user.is_file():
        return parse_config(_read_toml(user), user, "")
    return Config()


def load_config_file(path: Path) -> Config:
    """`--config PATH`: a pyproject.toml (its [tool.jixiao] table) or any other TOML file with the same
    settings at the top level (jixiao.toml, config.toml)."""
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        section = _tool_section(path, data)
        if section is None:
            raise ConfigError(f"{path} 中没有 [tool.jixiao] 表")
        return parse_config(section, path, "[tool.jixiao] ")
    return parse_config(data, path, "")


def parse_config(section: dict, path: Path, table: str) -> Config:
    """The settings of one table (`table` names it in messages: "[tool.jixiao] ", or "" for a file's top level)."""
    unknown = set(section) - {"disable", "severity", "default-form"}
    if unknown:
        raise ConfigError(f"{path}：{table + '中' if table else ''}有未知的设置 {'、'.join(sorted(unknown))}（可用：disable、severity、default-form）")
    default_form = section.get("default-form", "")
    if not isinstance(default_form, str):
        raise ConfigError(f"{path}：{table}default-form 应为表样名（templates/ 下的文件夹名）")
    disable = section.get("disable", [])
    if not isinstance(disable, list):
        raise ConfigError(f"{path}：{table}disable 应为规则 id 的列表")
    severity_table = "[tool.jixiao.severity]" if table else "[severity]"
    severities_raw = section.get("severity", {})
    if not isinstance(severities_raw, dict):
        raise ConfigError(f"{path}：{severity_table} 应为“规则 id = 级别”的表")
    severities = {}
    for rule_id, name in severities_raw.items():
        _configurable(rule_id, f"{path} {severity_table}")
        if not isinstance(name, str) or name not in _SEVERITY_NAMES:
            raise ConfigError(f"{path} {severity_table}：“{rule_id}”的级别“{name}”无效（可用：error、warning、info）")
        severities[rule_id] = _SEVERITY_NAMES[name]
    disabled = frozenset(_configurable(rule_id, f"{path} {table}disable") for rule_id in disable)
    return Config(disabled, severities, path, default_form)
