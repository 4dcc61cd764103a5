"""The suite is hermetic: nothing it runs writes into the cache of the person running it (~/.cache/jixiao,
or wherever their JIXIAO_CACHE_DIR or XDG_CACHE_HOME point), neither from module fixtures (set up before
any per-test fixture) nor from jixiao processes that tests start with a stripped environment."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, USER_CACHE

from generator.review.cache import cache_file

EXAMPLE = REPO / "templates" / "yinchuan-2024" / "example.yaml"


def jixiao(root: Path, *args: str, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def with_a_filing(root: Path) -> Path:
    (root / "projects" / "2024").mkdir(parents=True)
    shutil.copy(EXAMPLE, root / "projects" / "2024" / "x.yaml")
    return root


def cache_name(root: Path, monkeypatch) -> str:
    """The name of a working folder's check cache (one file per folder, named after the folder's path:
    a fresh temporary folder's name cannot be in the user's cache unless this run put it there)."""
    monkeypatch.chdir(root)
    return cache_file().name


@pytest.fixture(scope="module")
def used_by_a_module_fixture(tmp_path_factory) -> Path:
    """A folder checked and built through the command line from a module fixture, as the kill tests' and the
    hooks' fixtures do: before any per-test fixture has set JIXIAO_CACHE_DIR."""
    root = with_a_filing(tmp_path_factory.mktemp("early"))
    jixiao(root, "check", "projects", env=dict(os.environ))
    jixiao(root, "build", "projects", "--out", "out", "-q", env=dict(os.environ))
    return root


def test_jixiao_run_by_a_module_fixture_keeps_out_of_the_users_cache(used_by_a_module_fixture, private_home, monkeypatch):
    name = cache_name(used_by_a_module_fixture, monkeypatch)
    assert (private_home / ".cache" / "jixiao" / name).is_file()
    assert not (USER_CACHE / name).exists()


@pytest.mark.parametrize("unset", [("JIXIAO_CACHE_DIR",), ("JIXIAO_CACHE_DIR", "XDG_CACHE_HOME")], ids=["xdg", "home"])
def test_jixiao_without_the_cache_variables_uses_the_private_home(tmp_path, private_home, monkeypatch, unset):
    with_a_filing(tmp_path)
    jixiao(tmp_path, "check", "projects", env={k: v for k, v in os.environ.items() if k not in unset})
    name = cache_name(tmp_path, monkeypatch)
    assert (private_home / ".cache" / "jixiao" / name).is_file()
    assert not (USER_CACHE / name).exists()
