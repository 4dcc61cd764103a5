from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "projects" / "2024"


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    return sorted(SEED_DIR.glob("*.yaml"))


@pytest.fixture(autouse=True)
def private_check_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own check cache, so no test sees another's results (or the user's)."""
    monkeypatch.setenv("JIXIAO_CACHE_DIR", str(tmp_path_factory.mktemp("check-cache")))
