"""The CLI builds this repository's seeds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result


def test_build_accepts_four_seeds_and_rejects_seed_003(project: Path, run: Callable[..., Result]) -> None:
    """The seeds give four records and one acknowledged reject, and the build exits 0."""
    result = run("build", root=project)
    assert result.exit_code == 0, result.output
    lines = (project / "build" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    assert "003_3600dcbb47c9ccce.txt" in (project / "build" / "rejects.jsonl").read_text(encoding="utf-8")
