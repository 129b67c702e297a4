"""newspkg init and newspkg sources add: a repository that builds at once, never overwritten."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import yaml
from click.testing import Result

from newspkg import __version__

EXPECTED = {
    "datapackage.json", "README.md", ".gitignore", ".github/workflows/newspkg.yml", ".pre-commit-config.yaml",
    "schema/sources/.gitkeep", "raw/example/source.toml", "raw/example/2024-01-15-welcome.md",
}  # fmt: skip


def test_init_lays_out_a_repository_that_builds_and_validates(tmp_path: Path, run: Callable[..., Result]) -> None:
    result = run("init", str(tmp_path / "news"))
    assert result.exit_code == 0, result.output
    root = tmp_path / "news"
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == EXPECTED
    workflow = yaml.safe_load((root / ".github/workflows/newspkg.yml").read_text(encoding="utf-8"))
    steps = [step.get("run", "") for step in workflow["jobs"]["newspkg"]["steps"]]
    assert f'pip install "newspkg @ git+https://github.com/newspkg/newspkg@v{__version__}"' in steps
    assert {"newspkg validate --format github", "newspkg build --check"} <= set(steps)
    hooks = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]
    assert hooks["rev"] == f"v{__version__}"
    source = tomllib.loads((root / "raw/example/source.toml").read_text(encoding="utf-8"))
    assert (source["language"], source["timezone"]) == ("en", "UTC")
    assert run("build", root=root).exit_code == 0
    assert run("validate", "datapackage.json", root=root).exit_code == 0


def test_init_never_overwrites_without_force(tmp_path: Path, run: Callable[..., Result]) -> None:
    (tmp_path / "README.md").write_text("mine\n", encoding="utf-8")
    result = run("init", str(tmp_path))
    assert f"kept {tmp_path / 'README.md'}" in result.output
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "mine\n"
    run("init", str(tmp_path), "--force")
    assert (tmp_path / "README.md").read_text(encoding="utf-8") != "mine\n"


def test_sources_add_writes_an_explained_source_with_the_adapters_hints(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    run("init", str(tmp_path))
    result = run("sources", "add", "city-news", "--adapter", "text", "--language", "fr", "--timezone", "Europe/Paris",
                 root=tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (tmp_path / "raw/city-news/source.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {"adapter": "text", "language": "fr", "timezone": "Europe/Paris", "hints": {}}
    for hint in ("header_lines", "byline_pattern", "caption_after_byline", "section"):
        assert f"# {hint}: " in text
    again = run("sources", "add", "city-news", "--adapter", "text", "--language", "fr", "--timezone", "UTC",
                root=tmp_path)  # fmt: skip
    assert again.exit_code == 1
    assert "Europe/Paris" in (tmp_path / "raw/city-news/source.toml").read_text(encoding="utf-8")


def test_a_records_source_lists_the_fields_an_export_maps_and_builds_an_export(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    run("init", str(tmp_path))
    assert run("sources", "add", "feed", "--adapter", "records", "--language", "en", "--timezone", "UTC",
               root=tmp_path).exit_code == 0  # fmt: skip
    path = tmp_path / "raw/feed/source.toml"
    text = path.read_text(encoding="utf-8")
    assert '# published_at = "published_at"' in text
    assert "# text_format: " in text
    mapped = text.replace('# published_at = "published_at"', 'published_at = "date_publish"').replace(
        '# title = "title"', 'title = "title"').replace('# text = "text"', 'text = "maintext"')  # fmt: skip
    path.write_text(mapped, encoding="utf-8")
    item = '{"title": "A", "maintext": "Some words.", "date_publish": "2024-01-02 10:00:00"}\n'
    (tmp_path / "raw/feed/export.jsonl").write_text(item, encoding="utf-8")
    result = run("build", root=tmp_path)
    assert result.output.splitlines()[-1] == "OK: 2 records, 0 rejects, 0 duplicates", result.output


def test_sources_add_refuses_a_bad_name_or_adapter(tmp_path: Path, run: Callable[..., Result]) -> None:
    run("init", str(tmp_path))
    bad_name = run("sources", "add", "City News", "--adapter", "text", "--language", "en", "--timezone", "UTC",
                   root=tmp_path)  # fmt: skip
    assert bad_name.exit_code == 2
    assert "cannot name a source" in bad_name.stderr
    bad_adapter = run("sources", "add", "x", "--adapter", "htm", "--language", "en", "--timezone", "UTC",
                      root=tmp_path)  # fmt: skip
    assert bad_adapter.exit_code == 2
    assert "unknown adapter 'htm'" in bad_adapter.stderr


def test_sources_add_names_a_reader_and_refuses_an_unknown_one(tmp_path: Path, run: Callable[..., Result]) -> None:
    run("init", str(tmp_path))
    assert "# reader = " in (tmp_path / "raw/example/source.toml").read_text(encoding="utf-8")
    added = run("sources", "add", "feed", "--adapter", "records", "--reader", "jsonl", "--language", "en",
                "--timezone", "UTC", root=tmp_path)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert tomllib.loads((tmp_path / "raw/feed/source.toml").read_text(encoding="utf-8"))["reader"] == "jsonl"
    unknown = run("sources", "add", "crawl", "--adapter", "html", "--reader", "warcs", "--language", "en",
                  "--timezone", "UTC", root=tmp_path)  # fmt: skip
    assert unknown.exit_code == 2
    assert "unknown reader 'warcs'" in unknown.stderr
    assert not (tmp_path / "raw/crawl").exists()
