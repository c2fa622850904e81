"""Shared fixtures. The spaCy pipeline is loaded once per test session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("UNSPIN_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def engine():
    from unspin.pipeline import default_engine

    return default_engine()


@pytest.fixture(scope="session")
def sample_text() -> str:
    path = REPO / "src" / "unspin" / "data" / "sample_article.txt"
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (set UNSPIN_DATA)")
    return SHARED_DATA


def assert_offsets_valid(analysis) -> None:
    """Every span of every layer lies inside the text."""
    assert analysis.check_offsets() == []
