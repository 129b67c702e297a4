"""Near-duplicate detection on a development set made from real texts: pairwise precision, recall, F1.

    python bench/near_duplicates.py [--pages DIR ...] [--posts DIR ...] [--seed 0] [--choose]

Texts: the bodies of real pages (trafilatura) and Jekyll posts; none is committed. From each
text the set is generated deterministically (the same files and seed give the same set):

- real reprints: real texts that are one story (another site's copy, the other script), found by
  the exact overlap of their shingle sets (not by MinHash), one group each;
- copies that must be linked to their original: a header added, a footer added, a paragraph
  dropped, the end cut (60–85% kept), Simplified → Traditional and Traditional → Simplified (a
  Chinese text written in one script, its copy in the other), and copies with two edits at once;
- hard negatives that must stay apart: template siblings (the text with its numbers and names
  changed, and market briefs / announcements written from templates with other figures and
  names), follow-up stories (a new text that repeats a paragraph of the first as background),
  and different texts that share one long footer (each the copy of its own story).

Texts are split into dev and test halves by a hash of their path before anything is chosen:
``--choose`` searches the thresholds on dev (the best F1 with at most 1% of template pairs
linked) and prints them; without it the defaults of :class:`newspkg.near_dedup.NearSettings` are
scored. Both halves are scored against datasketch's MinHash LSH alone (same normalisation,
shingles and number of permutations; its threshold the one Jaccard threshold), each candidate
pair linked.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from newspkg.engines import SHARD_SIZE
from newspkg.near_dedup import NearDuplicateIndex, NearSettings
from newspkg.shard_sketches import sketches as sketch_shard
from newspkg.similarity import NUM_PERM, shingles_and_sentences

MAIN_PAGES = Path("/work/main/bench/devset/pages")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MIN_CHARS = 300
REPRINT_JACCARD = 0.5
REPRINT_CONTAINMENT = 0.8
HEADERS = [
    "本报讯 转载请注明出处，欢迎关注我们的公众号获取更多资讯。",
    "(Reuters) - This story was distributed by a wire service and republished with permission.",
    "【来源：新华社客户端】编者按：以下为全文转载。",
    "Editor's note: this article first appeared in our partner's newsletter.",
]
FOOTERS = [
    "责任编辑：李明 本文版权归原作者所有，如有侵权请联系删除。扫描二维码关注我们，获取更多新闻资讯。",
    "Copyright 2024 Example Media Group. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed. Sign up for our newsletter to get the top stories every morning.",
    "（完）声明：本文仅代表作者个人观点，与本网无关。其原创性以及文中陈述文字和内容未经本站证实，"
    "对本文以及其中全部或者部分内容、文字的真实性、完整性、及时性本站不作任何保证或承诺。",
]
SHARED_FOOTER = (
    "About us: we are an independent newsroom covering business, politics and technology since 1998. "
    "Our reporting is funded by readers. Support our journalism by subscribing today, and follow us "
    "on every social network for breaking news, analysis and opinion from our correspondents around "
    "the world. 关于我们：本网是独立新闻机构，欢迎订阅，联系电话见官网。"
)
NAMES = ["Alice Moreau", "Rajesh Iyer", "Kenji Sato", "Maria Lopez", "Tomasz Nowak", "Chen Wei", "Fatima Zahra"]
COMPANIES = ["Northwind", "Contoso", "Globex", "Initech", "Umbrella", "Soylent", "Hooli", "Vandelay"]
CN_COMPANIES = ["华信科技", "中联重工", "东方能源", "宏达药业", "长江电力", "金山软件", "天元材料", "海川物流"]
CN_NAMES = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "孙丽"]
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+")


@dataclass
class Item:
    key: str  # unique in the set
    text: str
    group: str | None = None  # items of one group are near-duplicates of each other
    template: str | None = None  # items of one template family must stay apart
    published: float = 0.0


@dataclass
class DevSet:
    items: list[Item] = field(default_factory=list)

    def positives(self) -> set[tuple[str, str]]:
        return _pairs_by(self.items, lambda item: item.group)

    def template_pairs(self) -> set[tuple[str, str]]:
        return _pairs_by(self.items, lambda item: item.template)


def _pairs_by(items: list[Item], label: object) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for item in items:
        name = label(item)  # type: ignore[operator]
        if name is not None:
            groups.setdefault(name, []).append(item.key)
    return {tuple(sorted(pair)) for keys in groups.values() for pair in itertools.combinations(keys, 2)}  # type: ignore[misc]


def real_texts(pages: list[Path], posts: list[Path]) -> dict[str, str]:
    """Path → body text of every page and post long enough to be a story."""
    import trafilatura

    texts = {}
    for folder in pages:
        for path in sorted(folder.rglob("*.htm*")):
            html = path.read_bytes().decode("utf-8", "replace")
            text = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
            if len(text) >= MIN_CHARS:
                texts[str(path)] = text
    for folder in posts:
        for path in sorted(folder.rglob("*.md")):
            body = path.read_text(encoding="utf-8", errors="replace").split("\n---", 2)[-1]
            body = re.sub(r"<[^>]+>", "", body).strip()
            if len(body) >= MIN_CHARS:
                texts[str(path)] = body
    unique: dict[str, str] = {}
    seen = set()
    for path, text in texts.items():  # the same page kept by two projects' tests: once
        if text not in seen:
            seen.add(text)
            unique[path] = text
    return unique


def real_reprints(texts: dict[str, str]) -> dict[str, str]:
    """Path → group of the real texts that are one story on several sites (or in both scripts):
    their exact shingle sets overlap by at least ``REPRINT_JACCARD`` (or one holds the other by
    at least ``REPRINT_CONTAINMENT``). Exact sets, so the gold does not depend on MinHash."""
    sets = {path: set(shingles_and_sentences(text)[0].tolist()) for path, text in texts.items()}
    groups: dict[str, str] = {}
    for first, second in itertools.combinations(sorted(sets), 2):
        a, b = sets[first], sets[second]
        shared = len(a & b)
        if not shared:
            continue
        if shared / len(a | b) >= REPRINT_JACCARD or shared / min(len(a), len(b)) >= REPRINT_CONTAINMENT:
            group = groups.get(first) or groups.get(second) or f"real:{first}"
            groups[first] = groups[second] = group
    return groups


def split_of(path: str) -> str:
    return "dev" if hashlib.sha256(path.encode()).digest()[0] % 2 == 0 else "test"


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def is_chinese(text: str) -> bool:
    return len(re.findall(r"[\u4e00-\u9fff]", text)) > len(text) / 4


def copies(text: str, rng: random.Random) -> list[tuple[str, str]]:
    """Transformed copies of a text: (edit, copy)."""
    import opencc

    paras = paragraphs(text)
    chinese = is_chinese(text)
    header = HEADERS[0 if chinese else 1] if rng.random() < 0.5 else HEADERS[2 if chinese else 3]
    footer = FOOTERS[0 if chinese else 1] if rng.random() < 0.5 else FOOTERS[2 if chinese else 1]
    edits = {
        "header": "\n\n".join([header, *paras]),
        "footer": "\n\n".join([*paras, footer]),
        "truncated": text[: int(len(text) * rng.uniform(0.6, 0.85))],
        "title+footer": "\n\n".join([*paras, footer]),  # the title is not in the text: what remains is the footer
    }
    if len(paras) >= 4:
        dropped = rng.randrange(1, len(paras))
        edits["paragraph-dropped"] = "\n\n".join(p for i, p in enumerate(paras) if i != dropped)
        edits["header+paragraph-dropped"] = "\n\n".join([header, *(p for i, p in enumerate(paras) if i != dropped)])
    if chinese:
        edits["traditional"] = opencc.OpenCC("s2t").convert(text)
    chosen = rng.sample(sorted(edits), k=min(3, len(edits)))
    if chinese and "traditional" not in chosen:
        chosen.append("traditional")
    return [(edit, edits[edit]) for edit in chosen]


def template_sibling(text: str, rng: random.Random) -> str | None:
    """The text with every number and (Latin) name changed: another story from the same template."""
    numbers = NUMBER.findall(text)
    if len(set(numbers)) < 4:
        return None
    changed = NUMBER.sub(lambda m: _other_number(m.group(), rng), text)
    return NAME.sub(lambda m: rng.choice(COMPANIES), changed)


def _other_number(number: str, rng: random.Random) -> str:
    digits = "".join(str(rng.randrange(10)) if c.isdigit() else c for c in number)
    return digits if digits != number else number + "1"


def briefs(rng: random.Random, family: str, count: int) -> list[str]:
    """Market briefs and company announcements from one template, with other figures and names."""
    out = []
    for _ in range(count):
        up, index, volume, pct = rng.uniform(-3, 3), rng.uniform(2800, 3600), rng.randrange(5000, 12000), rng.random()
        company, person, cn_company, cn_person = (
            rng.choice(COMPANIES), rng.choice(NAMES), rng.choice(CN_COMPANIES), rng.choice(CN_NAMES),
        )  # fmt: skip
        year, quarter = rng.randrange(2015, 2025), rng.randrange(1, 5)
        revenue, profit = rng.uniform(1, 900), rng.uniform(-50, 120)
        templates = {
            "cn-market": f"截至收盘，沪指{'上涨' if up > 0 else '下跌'}{abs(up):.2f}%，报{index:.2f}点；深成指{up * 1.2:.2f}%，"  # noqa: E501
            f"创业板指{up * 0.8:.2f}%。两市成交额{volume}亿元，较上一交易日{'放量' if pct > 0.5 else '缩量'}"
            f"{pct * 900:.0f}亿元。北向资金净{'买入' if pct > 0.3 else '卖出'}{pct * 90:.2f}亿元。"
            f"盘面上，{cn_company}等个股涨幅居前，板块轮动加快。分析人士表示，市场短期仍将维持震荡格局，"
            f"建议投资者关注业绩确定性较高的板块。",
            "cn-announcement": f"{cn_company}（股票代码：{rng.randrange(600000, 604000)}）{year}年{rng.randrange(1, 13)}月"  # noqa: E501
            f"{rng.randrange(1, 29)}日晚间发布公告称，公司{year}年第{quarter}季度实现营业收入{revenue:.2f}亿元，"
            f"同比增长{profit:.2f}%；归属于上市公司股东的净利润{revenue * 0.1:.2f}亿元。公司董事长{cn_person}表示，"
            f"公司将继续坚持创新驱动发展战略，持续加大研发投入，不断提升核心竞争力。本公司董事会及全体董事保证"
            f"本公告内容不存在任何虚假记载、误导性陈述或者重大遗漏，并对其内容的真实性、准确性和完整性承担法律责任。",
            "en-market": f"Stocks {'rose' if up > 0 else 'fell'} on Tuesday, with the benchmark index closing "
            f"{abs(up):.2f}% {'higher' if up > 0 else 'lower'} at {index:.2f} points as trading volume reached "
            f"{volume} million shares. Shares of {company} led the gains, climbing {pct * 9:.1f}% after the company "
            f"reported quarterly revenue of ${revenue:.1f} million. Analysts said investors remained cautious "
            f"ahead of the central bank's policy meeting, and that volatility was likely to persist in the coming weeks.",  # noqa: E501
            "en-announcement": f"{company} Inc. today announced financial results for the quarter ended {year}. Revenue "  # noqa: E501
            f"was ${revenue:.1f} million, compared to ${revenue * 0.9:.1f} million in the same quarter last year. "
            f'Net income was ${profit:.1f} million, or ${profit / 100:.2f} per diluted share. "We delivered another '
            f'strong quarter," said {person}, Chief Executive Officer of {company}. The company will host a '
            f"conference call to discuss the results. Forward-looking statements in this release involve risks "
            f"and uncertainties, and actual results may differ materially from those projected.",
        }
        out.append(templates[family])
    return out


def follow_up(text: str, other: str, rng: random.Random) -> str:
    """A new story (another text) that repeats a paragraph of the first as background, a
    quarter of its length at most."""
    fitting = [p for p in paragraphs(text) if len(p) <= len(other) / 3] or [text[: len(other) // 3]]
    return "\n\n".join([other, rng.choice(fitting)])


def make_set(texts: dict[str, str], part: str, seed: int) -> DevSet:
    rng = random.Random(f"{seed}-{part}")
    chosen = {path: text for path, text in texts.items() if split_of(path) == part}
    paths = sorted(chosen)
    # a follow-up's new story is a text of the other half: no item of this half holds it
    elsewhere = [text for path, text in sorted(texts.items()) if split_of(path) != part]
    groups = real_reprints(chosen)
    devset = DevSet()
    for n, path in enumerate(paths):
        text = chosen[path]
        group = groups.get(path, f"g{n}")
        original = text
        if is_chinese(text) and rng.random() < 0.3:  # a Traditional original, its Simplified copy
            import opencc

            original = opencc.OpenCC("s2t").convert(text)
        devset.items.append(Item(f"{n}:original", original, group, published=rng.random()))
        for edit, copy in copies(text, rng):
            devset.items.append(Item(f"{n}:{edit}", copy, group, published=rng.random()))
        if (sibling := template_sibling(text, rng)) is not None:
            devset.items.append(Item(f"{n}:template", sibling, template=f"t{n}", published=rng.random()))
            _mark_template(devset, n)
        other = elsewhere[n % len(elsewhere)]
        devset.items.append(Item(f"{n}:follow-up", follow_up(text, other, rng), published=rng.random()))
        # every other text gets the one footer too: a copy of its own story, apart from the others
        if n % 2 == 0:
            devset.items.append(Item(f"{n}:shared-footer", "\n\n".join([text, SHARED_FOOTER]), group))
    for family in ("cn-market", "cn-announcement", "en-market", "en-announcement"):
        for n, brief in enumerate(briefs(rng, family, 12)):
            devset.items.append(Item(f"{family}:{n}", brief, template=family, published=rng.random()))
    return devset


def _mark_template(devset: DevSet, n: int) -> None:
    """The original and its template sibling are one template family (its copies are the original's group)."""
    for item in devset.items:
        if item.key == f"{n}:original":
            item.template = f"t{n}"


def ours(devset: DevSet, settings: NearSettings, sketches: list[bytes]) -> set[tuple[str, str]]:
    index = NearDuplicateIndex(settings)
    try:
        for seq, (item, data) in enumerate(zip(devset.items, sketches, strict=True)):
            key = (f"{seq:016x}", "", len(item.text), 0.0, item.published)
            index.add(seq, item.key, key, data)
        index.settle(np.zeros(0, dtype=np.int64))
        clusters: dict[int, list[str]] = {}
        for mark in index.marks():
            clusters.setdefault(int(mark.representative, 16), [devset.items[int(mark.representative, 16)].key])
            clusters[int(mark.representative, 16)].append(devset.items[mark.seq].key)
    finally:
        index.close()
    return {tuple(sorted(p)) for keys in clusters.values() for p in itertools.combinations(keys, 2)}  # type: ignore[misc]


def plain_minhash_lsh(devset: DevSet, threshold: float) -> set[tuple[str, str]]:
    """datasketch's MinHash LSH alone: every candidate pair linked, clusters by union."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes = {}
    for item in devset.items:
        grams, _ = shingles_and_sentences(item.text)
        minhash = MinHash(num_perm=NUM_PERM, seed=1)
        minhash.update_batch([int(g).to_bytes(8, "little") for g in grams])
        lsh.insert(item.key, minhash)
        hashes[item.key] = minhash
    parent = {item.key: item.key for item in devset.items}

    def root(key: str) -> str:
        while parent[key] != key:
            key = parent[key]
        return key

    for key, minhash in hashes.items():
        for other in lsh.query(minhash):
            a, b = root(key), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for key in parent:
        groups.setdefault(root(key), []).append(key)
    return {tuple(sorted(p)) for keys in groups.values() for p in itertools.combinations(keys, 2)}  # type: ignore[misc]


def scores(devset: DevSet, predicted: set[tuple[str, str]]) -> dict[str, float]:
    gold, templates = devset.positives(), devset.template_pairs()
    hits = len(predicted & gold)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    linked = len(predicted & templates) / len(templates) if templates else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "template_linked": linked}


def choose(devset: DevSet, sketches: list[bytes]) -> NearSettings:
    best: tuple[float, NearSettings] | None = None
    for jaccard, containment, sentences, salient in itertools.product(
        (0.4, 0.5, 0.6, 0.7), (0.7, 0.8, 0.9), (0.3, 0.4, 0.5, 0.6), (0.5, 0.6, 0.7, 0.8)
    ):
        settings = replace(
            NearSettings(), jaccard=jaccard, containment=containment, sentences=sentences, salient=salient
        )
        found = scores(devset, ours(devset, settings, sketches))
        if found["template_linked"] <= 0.01 and (best is None or found["f1"] > best[0]):
            best = (found["f1"], settings)
    assert best is not None, "no setting links at most 1% of template pairs"
    return best[1]


def row(name: str, part: str, found: dict[str, float], items: int, pairs: int) -> str:
    cells = [f"{found[k]:.3f}" for k in ("precision", "recall", "f1")] + [f"{found['template_linked']:.1%}"]
    return f"| {name} | {part} | {items} | {pairs} | " + " | ".join(cells) + " |"


def sketched(texts: list[str]) -> list[bytes]:
    """The texts' sketches, a shard at a time, as a build's workers make them."""
    shards = (texts[start : start + SHARD_SIZE] for start in range(0, len(texts), SHARD_SIZE))
    return [data for shard in shards for data in sketch_shard(shard)]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_pages = [MAIN_PAGES, SHARED / "html"]
    parser.add_argument("--pages", type=Path, nargs="*", default=[p for p in default_pages if p.is_dir()])
    parser.add_argument("--posts", type=Path, nargs="*", default=[SHARED / "finews"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--choose", action="store_true", help="search the thresholds on the dev half")
    args = parser.parse_args(list(argv) if argv is not None else None)
    texts = real_texts(args.pages, args.posts)
    sets = {part: make_set(texts, part, args.seed) for part in ("dev", "test")}
    reprints = {
        part: sum(1 for item in devset.items if item.group and item.group.startswith("real:"))
        for part, devset in sets.items()
    }
    print(f"real texts that are one story on several sites: {reprints}")
    sketches = {part: sketched([item.text for item in devset.items]) for part, devset in sets.items()}
    settings = choose(sets["dev"], sketches["dev"]) if args.choose else NearSettings()
    print(f"{len(texts)} real texts; settings: {settings}")
    print("| method | half | texts | gold pairs | precision | recall | F1 | template pairs linked |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for part, devset in sets.items():
        pairs = len(devset.positives())
        print(
            row(
                "newspkg (LSH + verification)",
                part,
                scores(devset, ours(devset, settings, sketches[part])),
                len(devset.items),
                pairs,
            )
        )
        plain = scores(devset, plain_minhash_lsh(devset, settings.jaccard))
        print(row(f"datasketch MinHash LSH, threshold {settings.jaccard}", part, plain, len(devset.items), pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
