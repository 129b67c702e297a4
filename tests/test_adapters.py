"""adapters: the registry (entry points, register, get) and adapter failures becoming rejects."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import Result

from conftest import REPO
from newspkg import adapters
from newspkg.adapters import Draft
from newspkg.config import SourceConfig, load_project
from newspkg.convert import Converter
from newspkg.discover import RawFile, discover
from newspkg.errors import ConfigError
from newspkg.schema import load_schemas

EXPLODING = "exploding-test"
GOOD_FILE = "good.txt"
BAD_FILE = "bad.txt"
GOOD_TEXT = "测试标题\n\n2022-03-01 10:00:00\n\n这是正文的第一段，内容完整。\n\n这是正文的第二段。\n"
BAD_TEXT = "BOOM: this file makes the adapter raise\n"


class ExplodingAdapter:
    """Parses like the text adapter, but raises on a file that contains BOOM."""

    name = EXPLODING
    version = "0.0.1"

    def parse(self, raw: RawFile, text: str, source: SourceConfig) -> Draft:
        if "BOOM" in text:
            raise RuntimeError("kaboom in parse")
        return adapters.get("text").parse(raw, text, source)


@pytest.fixture
def exploding(monkeypatch: pytest.MonkeyPatch) -> ExplodingAdapter:
    """The exploding adapter registered for this test only."""
    adapters.available()  # load the entry points into the real registry before copying it
    monkeypatch.setattr(adapters.REGISTRY, "entries", dict(adapters.REGISTRY.entries))
    adapter = ExplodingAdapter()
    assert adapters.register(adapter) is adapter
    return adapter


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A project with one source, read by the exploding adapter: one good file and one bad file."""
    root = tmp_path / "tiny"
    source = root / "raw" / "broken"
    source.mkdir(parents=True)
    (source / "source.toml").write_text(
        f'adapter = "{EXPLODING}"\ntimezone = "UTC"\nlanguage = "en"\n', encoding="utf-8"
    )
    (source / GOOD_FILE).write_text(GOOD_TEXT, encoding="utf-8")
    (source / BAD_FILE).write_text(BAD_TEXT, encoding="utf-8")
    shutil.copytree(REPO / "schema", root / "schema")
    return root


def test_builtin_adapter_comes_from_its_entry_point() -> None:
    """get("jekyll") returns the object the newspkg.adapters entry point named jekyll loads."""
    (entry_point,) = [ep for ep in entry_points(group=adapters.ENTRY_POINT_GROUP) if ep.name == "jekyll"]
    adapter = adapters.get("jekyll")
    assert adapter is entry_point.load()
    assert adapter.name == "jekyll"


def test_available_lists_the_builtins() -> None:
    """Both built-in adapters are available by name."""
    assert {"jekyll", "text"} <= set(adapters.available())


def test_unknown_adapter_is_a_config_error_naming_the_known_ones() -> None:
    """An unknown name raises ConfigError, whose message lists the known adapters."""
    with pytest.raises(ConfigError, match="unknown adapter 'no-such-adapter'") as raised:
        adapters.get("no-such-adapter")
    assert "jekyll" in str(raised.value)
    assert "text" in str(raised.value)


def test_registered_adapter_is_found_by_name(exploding: ExplodingAdapter) -> None:
    """An adapter passed to register() is what get() returns for its name."""
    assert adapters.get(EXPLODING) is exploding


def test_adapter_that_raises_becomes_an_adapter_error_reject(exploding: ExplodingAdapter, tiny_project: Path) -> None:
    """An exception inside parse gives a reject with rule adapter-error naming the exception, not a crash."""
    project = load_project(tiny_project)
    converter = Converter(project, load_schemas(project.schema_dir), now=datetime(2026, 1, 1, tzinfo=UTC))
    outcomes = {Path(raw.path).name: converter.convert(raw) for raw in discover(project)}
    bad = outcomes[BAD_FILE]
    assert not bad.accepted
    assert bad.record is None
    assert [(issue.rule, str(issue.severity)) for issue in bad.issues] == [("adapter-error", "error")]
    assert "RuntimeError: kaboom in parse" in bad.issues[0].message
    assert outcomes[GOOD_FILE].accepted, [issue.to_dict() for issue in outcomes[GOOD_FILE].issues]


def test_build_finishes_despite_an_adapter_error(
    exploding: ExplodingAdapter, tiny_project: Path, run: Callable[..., Result]
) -> None:
    """`newspkg build` writes the good record and rejects the bad file, exiting 1 (problems), not 2 or a crash.

    One job: an adapter registered at run time exists in this process only, not in pool workers.
    """
    result = run("build", "--jobs", "1", root=tiny_project)
    assert result.exit_code == 1, result.output
    records = (tiny_project / "build" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["title"] for line in records] == ["测试标题"]
    (reject,) = [
        json.loads(line) for line in (tiny_project / "build" / "rejects.jsonl").read_text("utf-8").splitlines()
    ]
    assert reject["raw_path"] == f"raw/broken/{BAD_FILE}"
    assert [issue["rule"] for issue in reject["issues"]] == ["adapter-error"]


def test_text_adapter_keeps_a_first_paragraph_that_mentions_a_date() -> None:
    """A first paragraph with a date in it is body text, not a byline: the labelled footer date wins."""
    from newspkg.adapters.text import adapter as text_adapter

    page = (
        "园区资讯\n\n完善园区配套设施\n\n"
        "阳泉开创投资控股集团有限公司成立于2019年12月13日，是全资国有企业。”\n\n"
        "第二段正文。\n\n"
        "发布者:系统管理员   点击数:838   发布时间:2019-02-02 03:40:16   更新时间:2019-02-11 05:46:41\n"
    )
    raw = RawFile(path="raw/zhuzhou-gaoke/x.txt", source="zhuzhou-gaoke", data=page.encode(), sha256="0" * 64)
    source = SourceConfig(name="zhuzhou-gaoke", adapter="text", hints={"header_lines": ["园区资讯"]})
    draft = text_adapter.parse(raw, page, source)
    assert (draft.published_at, draft.date_source) == ("2019-02-02 03:40:16", "footer")
    assert draft.paragraphs[0].startswith("阳泉开创投资控股集团有限公司成立于2019年12月13日")
