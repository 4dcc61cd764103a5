import copy
from pathlib import Path

import pytest
import yaml  # for jixiao's own form definition (never for a filing: see generator/yamlio.py)

from generator.cli import run
from generator.common.caching import cache_dir

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "projects" / "2024"
FORM = yaml.safe_load((REPO / "templates" / "yinchuan-2024" / "form.yaml").read_text(encoding="utf-8"))
# The cache of whoever runs the suite, as the environment it started in resolves it: no test may touch it.
USER_CACHE = cache_dir()
LEVELS = {level["name"]: [group["name"] for group in level["groups"]] for level in FORM["indicators"]["levels"]}

# Independent expectations for the header of each seed filing (amounts as printed, goal prefix).
SEED_HEADERS = {
    "市政府办公室工作经费": ("150", "150", "0", "根据市政府工作重点和政府安排,负责政务信息工作,"),
    "督查室工作经费": ("12", "12", "0", "本项目通过举办全市督查系统培训班,"),
    "政府信息公开工作经费": ("70", "70", "0", "将政务公开工作经费、政府网站更新改造、设备购置等费用列入预算,"),
    "政府办信息中心工作经费": ("30", "30", "0", "为全力做好市政府门户网站日常管理运行"),
    "聘用人员工作经费": ("52.5", "52.5", "0", "保障按时足额发放工资及缴纳养老保险金和医疗保险,"),
    "信创设备购置经费": ("13.2", "13.2", "0", "为深入贯彻落实自治区党委办公厅、人民政府相关精神,"),
}


def invoke(capsys, *args: str) -> tuple[int, str, str]:
    """Run the jixiao command line in this process: its exit code, stdout and stderr (never a traceback)."""
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def as_printed(data: dict) -> dict:
    """A filing's data as the printed form can tell it: an absent group reads as an empty one, an
    absent grade as a blank one (what `import(build(x))` is compared with)."""
    data = copy.deepcopy(data)
    indicators = data.get("绩效指标") or {}
    for level, groups in LEVELS.items():
        level_groups = indicators.get(level) or {}
        for group in groups:
            level_groups.setdefault(group, {})
        indicators[level] = level_groups
    data["绩效指标"] = indicators
    data.setdefault("综合评定等级", "")
    return data


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    return sorted(SEED_DIR.glob("*.yaml"))


@pytest.fixture(scope="session", autouse=True)
def private_home(tmp_path_factory):
    """The whole run gets a home and cache folders of its own, through os.environ so that every jixiao
    process a test starts inherits them. Per-test fixtures come too late for module fixtures (set up
    before them), and a process started without JIXIAO_CACHE_DIR falls back to XDG_CACHE_HOME, then HOME."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
        patch.setenv("JIXIAO_CACHE_DIR", str(home / ".cache" / "jixiao"))
        # The user-level config.toml (review/config.py) is looked for here, never in the runner's own.
        patch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        patch.delenv("JIXIAO_CONFIG_DIR", raising=False)
        yield home


@pytest.fixture(autouse=True)
def private_check_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own check cache, so no test sees another's results (or the user's)."""
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path_factory.mktemp("check-cache")))
