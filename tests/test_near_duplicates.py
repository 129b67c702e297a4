"""Near-duplicates: reprints linked to their cluster's representative, template stories kept apart."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import opencc
import orjson
import pytest
from click.testing import Result

from conftest import build_outputs, shared_or_skip
from newspkg import convert
from newspkg.build import Engine, build
from newspkg.config import load_project
from newspkg.near_dedup import NearDuplicateIndex, NearSettings, linked, mark_near_duplicate
from newspkg.schema import load_schemas
from newspkg.shard_sketches import sketches
from newspkg.similarity import Sketch, sketch

HEADER = "本报讯 转载请注明出处，欢迎关注我们的公众号获取更多资讯。"
LEAD = "今日快讯：以下内容由多家财经媒体综合整理，供读者参考阅读。"  # not boilerplate the adapters remove
FOOTER = "责任编辑：李明 本文版权归原作者所有，如有侵权请联系删除。扫描二维码关注我们，获取更多新闻资讯。"
BRIEF = (
    "截至收盘，沪指上涨{up}%，报{index}点；深成指上涨{sz}%。两市成交额{volume}亿元，较上一交易日放量{more}亿元。"
    "北向资金净买入{north}亿元。盘面上，{company}等个股涨幅居前，板块轮动加快。分析人士表示，市场短期仍将维持震荡格局，"
    "建议投资者关注业绩确定性较高的板块。"
)


def story() -> str:
    """A real Chinese story (not one of the repository's): a post's paragraphs, links left out."""
    post = shared_or_skip("corpus", "finews", "462e8aa7", "_posts", "2022-05-26-202205262391921712.md")
    body = post.read_text(encoding="utf-8").split("\n---", 1)[1]
    return "\n\n".join(line.strip() for line in body.splitlines() if line.strip() and line[0] not in "<[!#")


def brief(**figures: str) -> str:
    return BRIEF.format(**figures)


BRIEF_A = brief(up="0.52", index="3245.67", sz="0.81", volume="8123", more="356", north="45.21", company="华信科技")
BRIEF_B = brief(up="1.37", index="3310.02", sz="1.95", volume="9467", more="812", north="12.08", company="东方能源")


def is_linked(one: str, other: str) -> bool:
    return linked(Sketch(sketch(one)), Sketch(sketch(other)), NearSettings())


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: f"{HEADER}\n\n{text}",
        lambda text: f"{text}\n\n{FOOTER}",
        lambda text: text[: int(len(text) * 0.7)],
        lambda text: "\n\n".join(p for i, p in enumerate(text.split("\n\n")) if i != 1),
        lambda text: opencc.OpenCC("s2t").convert(text),
    ],
    ids=["header", "footer", "truncated", "paragraph-dropped", "traditional"],
)
def test_a_reprint_is_linked_to_its_original(edit: Callable[[str], str]) -> None:
    """Another header or footer, a paragraph less, the end cut, the other script: still one story."""
    assert is_linked(story(), edit(story()))


def test_template_stories_are_kept_apart() -> None:
    """Two market briefs of one template share most words, not their figures and names."""
    assert not is_linked(BRIEF_A, BRIEF_B)
    assert not is_linked(f"{BRIEF_A}\n\n{FOOTER}", f"{BRIEF_B}\n\n{FOOTER}")


def test_a_shared_footer_alone_links_nothing() -> None:
    text = story()
    assert not is_linked(f"{text}\n\n{FOOTER * 3}", f"{BRIEF_A}\n\n{FOOTER * 3}")


def test_the_representative_does_not_depend_on_the_order_records_arrive_in() -> None:
    """Earliest published, then the longest text, then the smallest id: whichever seq each has."""
    text = story()
    copies = [  # (id, published, text)
        ("00000000000000aa", 20.0, text),
        ("00000000000000bb", 10.0, f"{text}\n\n{FOOTER}"),
        ("00000000000000cc", 10.0, text[: len(text) // 2 + 200]),
        ("00000000000000dd", 30.0, BRIEF_A),
    ]
    found = []
    for order in (copies, copies[::-1], [copies[2], copies[0], copies[3], copies[1]]):
        index = NearDuplicateIndex(NearSettings())
        try:
            for seq, (rid, published, body) in enumerate(order, start=1):
                index.add(seq, f"raw/s/{rid}.txt", (rid, "", len(body), 0.0, published), sketch(body))
            index.settle(np.zeros(0, dtype=np.int64))
            found.append({order[mark.seq - 1][0]: mark.representative for mark in index.marks()})
        finally:
            index.close()
    assert found == [{"00000000000000aa": "00000000000000bb", "00000000000000cc": "00000000000000bb"}] * 3


def test_exact_duplicates_are_left_out_of_the_clusters() -> None:
    text = story()
    index = NearDuplicateIndex(NearSettings())
    try:
        for seq, rid in enumerate(("00000000000000aa", "00000000000000bb"), start=1):
            index.add(seq, f"raw/s/{seq}.txt", (rid, "", len(text), 0.0, float(seq)), sketch(text))
        index.settle(np.array([2], dtype=np.int64))
        assert list(index.marks()) == []
    finally:
        index.close()


def test_marking_rewrites_only_the_field() -> None:
    line = b'{"id":"00000000000000aa","text":"a \\",\\"near_duplicate_of\\":null,","near_duplicate_of":null,"x":1}'
    marked = mark_near_duplicate(line, "00000000000000bb")
    assert orjson.loads(marked) == {**orjson.loads(line), "near_duplicate_of": "00000000000000bb"}


# -- in a build ---------------------------------------------------------------------------------

WIRE_TOML = 'adapter = "text"\ntimezone = "Asia/Shanghai"\nlanguage = "zh-Hans"\npublisher = "通讯社"\n'


def add_wire(project: Path, names: dict[str, str] | None = None) -> dict[str, str]:
    """raw/wire/: a story, two reprints of it (the earliest has a lead added), two template briefs.
    Returns file stem → url. ``names`` renames files (the order they arrive in)."""
    text = story()
    files = {
        "a-original": ("2022-01-02T08:00:00", text),
        "b-lead": ("2022-01-01T08:00:00", f"{LEAD}\n\n{text}"),
        "c-traditional": ("2022-01-03T08:00:00", opencc.OpenCC("s2t").convert(text)),
        "d-brief": ("2022-01-04T15:00:00", BRIEF_A),
        "e-brief": ("2022-01-05T15:00:00", BRIEF_B),
    }
    folder = project / "raw" / "wire"
    folder.mkdir()
    (folder / "source.toml").write_text(WIRE_TOML, encoding="utf-8")
    urls = {}
    for stem, (published, body) in files.items():
        name = (names or {}).get(stem, stem)
        urls[stem] = f"https://wire.example/{stem}.html"
        (folder / f"{name}.txt").write_text(f"{body}\n", encoding="utf-8")
        sidecar = f'title = "稿件 {stem}"\npublished_at = "{published}"\nurl = "{urls[stem]}"\n'
        (folder / f"{name}.txt.meta.toml").write_text(sidecar, encoding="utf-8")
    return urls


def marks_by_url(root: Path) -> dict[str, str | None]:
    records = [orjson.loads(line) for line in (root / "build" / "articles.jsonl").read_bytes().splitlines()]
    by_id = {record["id"]: record["url"] for record in records}
    return {record["url"]: by_id.get(record["near_duplicate_of"]) for record in records}


def test_a_build_marks_reprints_with_the_earliest_copy(project: Path, run: Callable[..., Result]) -> None:
    urls = add_wire(project)
    result = run("build", root=project)
    assert result.exit_code == 0, result.output
    marks = marks_by_url(project)
    assert marks[urls["a-original"]] == marks[urls["c-traditional"]] == urls["b-lead"]
    assert [url for url, of in marks.items() if of is not None] == [urls["a-original"], urls["c-traditional"]]
    report = json.loads((project / "build" / "report.json").read_text(encoding="utf-8"))
    assert report["near_duplicates"]["records"] == 2
    assert report["near_duplicates"]["largest_clusters"][0]["records"] == 3
    assert "2 near-duplicates marked" in result.output
    assert "2 near-duplicates marked" in run("validate", root=project).output  # raw files: settled as a build would


def test_stats_the_report_page_and_the_card_show_them(project: Path, run: Callable[..., Result]) -> None:
    urls = add_wire(project)
    assert run("build", root=project).exit_code == 0
    representative = next(
        r["id"]
        for r in map(orjson.loads, (project / "build" / "articles.jsonl").read_bytes().splitlines())
        if r["url"] == urls["b-lead"]
    )
    stats = json.loads(run("stats", str(project), "--format", "json", "--no-verify").output)
    assert stats["near_duplicates"]["records"] == 2
    assert stats["near_duplicates"]["largest_clusters"] == [{"representative": representative, "records": 3}]
    assert (
        f"largest clusters (representative, records): {representative} (3)"
        in run("stats", str(project), "--no-verify").output
    )
    page = run("report", str(project), "--no-verify", "-o", "-").output
    assert '<section id="near-duplicates">' in page
    assert f"<td>{representative}</td>" in page  # the largest clusters' table
    card = (project / "build" / "README.md").read_text(encoding="utf-8")
    assert "Near-duplicates: 2 records are near-duplicates (reprints) of another, in 1 cluster" in card


def test_the_outputs_do_not_depend_on_jobs_cache_or_file_order(
    project: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    add_wire(project)
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    outputs = []
    for engine in (Engine(jobs=1, cache=False), Engine(jobs=2, shard_size=1), Engine(jobs=2, shard_size=1)):
        build(loaded, schemas, project, engine=engine)  # the second fills the cache, the third reads it
        outputs.append({path: (project / path).read_bytes() for path in build_outputs(project)})
    assert outputs[0] == outputs[1] == outputs[2]
    renamed = tmp_path / "renamed"
    shutil.copytree(project, renamed, ignore=shutil.ignore_patterns("wire", "build"))
    add_wire(renamed, {"a-original": "z-original", "b-lead": "y-footer"})  # now the last files in order
    assert run("build", root=renamed).exit_code == 0
    assert marks_by_url(renamed) == marks_by_url(project)


def test_drop_near_duplicates_lists_them_with_the_duplicates(project: Path, run: Callable[..., Result]) -> None:
    urls = add_wire(project)
    result = run("build", "--drop-near-duplicates", root=project)
    assert result.exit_code == 0, result.output
    assert set(marks_by_url(project).values()) == {None}
    report = json.loads((project / "build" / "report.json").read_text(encoding="utf-8"))
    near = [d for d in report["duplicates_of"] if d["reason"] == "near-text"]
    assert sorted(Path(d["raw_path"]).name for d in near) == ["a-original.txt", "c-traditional.txt"]
    assert {d["kept_raw_path"] for d in near} == {"raw/wire/b-lead.txt"}
    assert urls["b-lead"] in marks_by_url(project)
    assert report["accepted"] + report["rejected"] + report["duplicates"] + report["filtered"] == report["inputs"]


def test_the_dataset_can_drop_them_or_switch_them_off(project: Path, run: Callable[..., Result]) -> None:
    add_wire(project)
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["near_duplicates"] = {"enabled": False}
    (project / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert run("build", root=project).exit_code == 0
    assert set(marks_by_url(project).values()) == {None}
    descriptor["near_duplicates"] = {"drop": True}
    (project / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert run("build", root=project).exit_code == 0
    assert len(marks_by_url(project)) == 4 + 3  # the repository's 4 records, the wire's 5 less 2


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"jaccard": "high"}, "near_duplicates.jaccard: must be a float"),
        ({"jaccard": 1.5}, "near_duplicates.jaccard: must be between 0 and 1"),
        ({"threshold": 0.5}, "near_duplicates.threshold: not a setting"),
        ({"bands": 64, "rows": 4}, "near_duplicates: bands * rows must be at most 128"),
        ([1], "near_duplicates: must be an object"),
    ],
)
def test_bad_settings_stop_the_build_naming_the_key(
    project: Path, run: Callable[..., Result], settings: object, message: str
) -> None:
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["near_duplicates"] = settings
    (project / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = run("build", root=project)
    assert result.exit_code == 2
    assert f"datapackage.json: {message}" in result.output


def test_a_rebuild_sketches_only_the_files_it_converts(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sketches are cached with each outcome: after one file changes, one text is sketched."""
    add_wire(project)
    loaded = load_project(project)
    schemas = load_schemas(loaded.schema_dir)
    build(loaded, schemas, project, engine=Engine(jobs=1))
    sketched: list[str] = []

    def counting(texts: list[str]) -> list[bytes]:
        sketched.extend(texts)
        return sketches(texts)

    monkeypatch.setattr(convert, "sketches", counting)
    changed = project / "raw" / "wire" / "d-brief.txt"
    changed.write_text(BRIEF_A.replace("华信科技", "宏达药业") + "\n", encoding="utf-8")
    build(loaded, schemas, project, engine=Engine(jobs=1))
    assert len(sketched) == 1
    assert "宏达药业" in sketched[0]


def _opencc_dictionary(name: str, scratch: Path) -> list[tuple[str, str]]:
    """The (key, first value) entries of one of OpenCC's compiled dictionaries, through its bundled tool."""
    import subprocess

    share = Path(opencc.__file__).parent / "clib"
    tool = share / "bin" / "opencc_dict"
    if not tool.is_file():
        pytest.skip("this opencc wheel ships no opencc_dict to read its dictionaries with")
    text = scratch / f"{name}.txt"
    source = share / "share" / "opencc" / f"{name}.ocd2"
    subprocess.run([tool, "-i", source, "-o", text, "-f", "ocd2", "-t", "text"], check=True)
    lines = text.read_text(encoding="utf-8").splitlines()
    return [(key, values.split(" ")[0]) for key, values in (line.split("\t") for line in lines)]


def test_a_text_opencc_would_leave_unchanged_is_not_converted(tmp_path: Path) -> None:
    """The skip is safe: every entry of the Traditional → Simplified dictionaries that changes its
    text holds a character flagged as one OpenCC may change (or one outside the BMP, always converted)."""
    from newspkg.similarity import BMP, _tables

    may_change = _tables()[1]
    for name in ("TSPhrases", "TSCharactersExt", "TSCharacters", "CJK_Compatibility_Ideographs"):
        changing = [key for key, value in _opencc_dictionary(name, tmp_path) if value != key]
        assert changing, name
        unflagged = [key for key in changing if not any(ord(c) >= BMP or may_change[ord(c)] for c in key)]
        assert unflagged == [], name


def test_the_skip_gives_the_sketch_opencc_gives() -> None:
    """Phrases OpenCC changes though each of their characters alone stays (深沈, 瞭解, 回覆) are converted."""
    texts = ["他的性格很深沈，回覆了我们，藉此瞭解情况。", "破坏了环境，坏消息传来。", "简体中文的新闻报道，今天发布。"]
    converter = opencc.OpenCC("t2s")
    for text in (text * 3 for text in texts):
        assert sketch(text) == sketch(converter.convert(text))


ODD_TEXTS = [
    "",
    "。",
    "一二三",  # fewer characters than a shingle
    "价格3.5元,增长1,234/5:6.7.，又跌了12..3和.4点",
    "１２３，４５６元。ＡＢＣ公司的营收",  # full-width digits and letters: NFKC
    "٣٤٥ و ۱۲ 和 ५६",  # decimal digits of other scripts
    "½是一半，㈠是括号里的一。",  # an NFKC form of several characters
    "𠀀𠀁是扩展区的字，𝟏𝟐是数学数字。",  # outside the BMP
    "臺灣的經濟發展，回覆了我們。數據1.2.",  # Traditional: OpenCC changes it
    "今天 Apple 和 Google 发布新品，Tim Cook 说 iPhone 16 售价 999 美元。",
    "Reprints change what surrounds a story. Mr Smith paid 3,400 dollars on 12/5 to Acme Ltd.",
    "\n\n\n",
]


def test_a_shards_texts_sketched_together_are_sketched_as_each_alone() -> None:
    """The workers sketch a shard's texts together: each sketch is, byte for byte, the one the
    text alone gives, whatever its neighbours (a number or sentence at the end of one text and
    the start of the next included)."""
    texts = [story(), opencc.OpenCC("s2t").convert(story()), BRIEF_A, BRIEF_B, f"{BRIEF_A}\n\n{FOOTER}", *ODD_TEXTS]
    texts += ["12", "34。结尾5", "6开头", "Acme", "Ltd"] + [one + other for one in ODD_TEXTS for other in ODD_TEXTS]
    alone = [sketch(text) for text in texts]
    assert sketches(texts) == alone
    assert sketches(texts[::-1]) == alone[::-1]
    assert [sketches([text])[0] for text in texts] == alone
    assert sketches([]) == []


def test_the_digits_found_without_a_pattern_are_the_ones_the_pattern_finds() -> None:
    """Numbers are found in a shard's array through a table of the BMP's decimal digits: exactly
    what ``\\d`` matches."""
    import re

    from newspkg.shard_sketches import _decimal
    from newspkg.similarity import BMP

    digit = re.compile(r"\d")
    assert _decimal().tolist() == [digit.fullmatch(chr(point)) is not None for point in range(BMP)]


def test_pairs_compared_at_once_agree_as_one_by_one() -> None:
    """The settle step's array comparison of samples decides as agree() does, cut samples and empty sets included."""
    from newspkg.similarity import SENTENCE_SAMPLE, Samples, agree, agreeing

    rng = np.random.default_rng(0)
    texts = [story(), BRIEF_A, BRIEF_B, f"{BRIEF_A}\n\n{FOOTER}", "", "short", FOOTER * 3, HEADER]
    made = [_made_up_sketch(rng, sentences, salient) for sentences in (0, 5, 80, 200) for salient in (0, 3, 60)]
    sketches = [sketch(text) for text in texts] + made
    read = [Sketch(data) for data in sketches]
    pairs = [(a, b) for a in range(len(sketches)) for b in range(len(sketches)) if a != b]
    by_length = [(a, b) if read[a].shingles <= read[b].shingles else (b, a) for a, b in pairs]
    one, other = (np.array(side) for side in zip(*by_length, strict=True))
    for least in (0.0, 0.3, 0.7, 1.0):
        at_once = agreeing(Samples(sketches), one, other, least, least).tolist()
        assert at_once == [agree(read[a], read[b], least, least) for a, b in pairs]
    assert any(Sketch(data).sentences_total > SENTENCE_SAMPLE for data in made)  # cut samples were compared


def _made_up_sketch(rng: np.random.Generator, sentences: int, salient: int) -> bytes:
    """A sketch whose samples overlap others' (hashes drawn from a small pool), with its shorter text first."""
    from newspkg.similarity import NUM_PERM, SALIENT_SAMPLE, SENTENCE_SAMPLE

    sentence_hashes = np.unique(rng.integers(0, 300, sentences)).astype("<u4")
    salient_hashes = np.unique(rng.integers(0, 100, salient)).astype("<u4")
    header = np.array([NUM_PERM, sentences * 10, len(sentence_hashes), len(salient_hashes)], dtype="<u4")
    parts = [header, np.zeros(NUM_PERM, "<u4"), sentence_hashes[:SENTENCE_SAMPLE], salient_hashes[:SALIENT_SAMPLE]]
    return b"".join(part.tobytes() for part in parts)
