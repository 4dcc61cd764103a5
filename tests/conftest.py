from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "projects" / "2024"


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    return sorted(SEED_DIR.glob("*.yaml"))
