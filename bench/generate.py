"""Write a seeded synthetic dataset repository for benchmarks.

    python bench/generate.py OUT_DIR --files N --seed S

OUT_DIR gets raw/<source>/source.toml and schema/ copied from this repository, a minimal
datapackage.json, and N raw files in the formats of the seed files: Jekyll posts (finews) and text
dumps (shanxidayuan, zhuzhou-gaoke), with ~2% rejects (bare text in raw/unknown) and ~2%
duplicates (same URL or same text as an earlier file). Bodies are sentences sampled from the seed
files, so sizes and character mix are realistic. The same N and seed give byte-identical files.

Next to raw/ it writes what a run can check the build against: bench-corpus.json (counts a build
must report) and bench-corpus.jsonl (one line per file: what newspkg should extract from it).
bench-corpus.json is written last, so its presence means the corpus is complete.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VERSION = 2  # bump when the output changes, so that run.py does not reuse an older corpus
SUMMARY_FILE = "bench-corpus.json"
FILES_FILE = "bench-corpus.jsonl"

REJECT_RATE = 0.02
DUPLICATE_RATE = 0.02
SOURCE_WEIGHTS = {"finews": 0.5, "shanxidayuan": 0.3, "zhuzhou-gaoke": 0.2}
# Text dumps come from old Chinese sites: some are GB18030. No source.toml declares an encoding,
# so those files exercise newspkg's detection. Jekyll posts are UTF-8, sometimes with a BOM.
ENCODINGS = {
    "finews": {"utf-8": 0.95, "utf-8-sig": 0.05},
    "text": {"utf-8": 0.85, "utf-8-sig": 0.05, "gb18030": 0.10},
}
CRLF_RATE = 0.05  # text dumps saved on Windows
START = datetime(2019, 1, 1)
SPAN_SECONDS = 4 * 365 * 86400  # 2019–2022: in the past, after 1990, no DST in Asia/Shanghai
FILES_PER_MONTH_FOLDER = 8000  # above this (per source and month), folders split by day too
RESERVOIR = 500  # recent originals a duplicate may copy; bounds memory at any N

# Sentences that would read as page furniture, labels or markup are left out of the pool: the
# generator must produce files whose extraction is known, not test the boilerplate filters.
UNWANTED = re.compile(
    r"[<>\[\]|\"\\&]|版权|声明|Copyright|copyright|ICP|客服|电话|地址|验证码|评论|APP|本文|来源|记者|通讯员|发布"
)
SENTENCE = re.compile(r"[^。！？]+[。！？][”’」]?")
CLAUSE_SPLIT = re.compile(r"[，,、；;：:“”‘’（）()《》！？。.!?\s]+")
CJK = re.compile(r"[\u4e00-\u9fff]")
LINE_STARTS_TO_AVOID = ("△", "▲", "▽", "图为", "——", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")

PAPERS = {
    "yangquanribao": "阳泉日报", "rizhaoribao": "日照日报", "shanxiribao": "山西日报",
    "jinzhongribao": "晋中日报", "zhuzhouribao": "株洲日报", "taiyuanribao": "太原日报",
}  # fmt: skip
REGIONS = {"jinzhong": "晋中", "taiyuan": "太原", "yangquan": "阳泉", "datong": "大同", "changzhi": "长治"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红玉兰凯鹏祥波"


@dataclass(frozen=True)
class Pool:
    """What bodies, titles and captions are sampled from, taken from the seed files."""

    sentences: list[str]
    full_stops: list[str]  # sentences ending in "。": a line holding one never reads as a title
    clauses: list[str]  # short phrases for titles and captions


@dataclass
class Article:
    """One generated file and what newspkg is expected to extract from it."""

    serial: int
    kind: str  # "article", "reject", "dup-url", "dup-text"
    source: str
    published: datetime
    title: str | None
    url: str | None
    paragraphs: list[str]
    encoding: str = "utf-8"


def load_pool(seed_files: list[Path]) -> Pool:
    sentences: set[str] = set()
    for path in seed_files:
        text = path.read_text(encoding="utf-8")
        text = text.split("\n---", 1)[-1] if text.startswith("---") else text  # drop front matter
        for line in text.split("\n"):
            line = re.sub(r"<[^>]*>", "", line).strip()
            if len(line) < 30 or UNWANTED.search(line):
                continue
            sentences.update(s.strip() for s in SENTENCE.findall(line) if 8 <= len(s.strip()) <= 200)
    ordered = sorted(s for s in sentences if not s.startswith(LINE_STARTS_TO_AVOID))
    clauses = sorted({c for s in ordered for c in CLAUSE_SPLIT.split(s) if 4 <= len(c) <= 14 and CJK.match(c)})
    return Pool(ordered, [s for s in ordered if s.endswith("。")], clauses)


class Generator:
    def __init__(self, out: Path, files: int, seed: int, pool: Pool) -> None:
        self.out = out
        self.files = files
        self.rng = random.Random(seed)
        self.pool = pool
        self.gap = max(1, SPAN_SECONDS // max(files, 1))  # one date slot per file: dates are unique
        self.by_day = files * max(SOURCE_WEIGHTS.values()) / 48 > FILES_PER_MONTH_FOLDER
        self.titles: set[str] = set()
        self.originals: dict[str, list[Article]] = {name: [] for name in SOURCE_WEIGHTS}
        self.folders: set[Path] = set()

    # -- planning: what each file is -------------------------------------------------------------

    def plan(self, serial: int) -> Article:
        rng = self.rng
        published = START + timedelta(seconds=serial * self.gap + rng.randrange(self.gap))
        roll = rng.random()
        if roll < REJECT_RATE:
            return Article(serial, "reject", "unknown", published, None, None, self.body(full_stop_first=True))
        source = rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()))[0]
        if roll < REJECT_RATE + DUPLICATE_RATE and self.originals[source]:
            return self.duplicate(serial, source, published)
        article = Article(serial, "article", source, published, self.title(), None, self.body())
        article.url = self.url(article)
        self.remember(article)
        return article

    def duplicate(self, serial: int, source: str, published: datetime) -> Article:
        # Each original is copied once: a chain (a re-crawl of A, then A's text elsewhere) would make
        # the expected count depend on which copy newspkg keeps, which is its business, not the corpus's.
        originals = self.originals[source]
        original = originals.pop(self.rng.randrange(len(originals)))
        if original.url and self.rng.random() < 0.5:
            # A re-crawl: same URL, title and date, the text edited a little.
            extra = [*original.paragraphs, self.rng.choice(self.pool.sentences)]
            return Article(serial, "dup-url", source, original.published, original.title, original.url, extra)
        # Syndication: the same text under another title, date and URL.
        article = Article(serial, "dup-text", source, published, self.title(), None, original.paragraphs)
        article.url = self.url(article)
        return article

    def remember(self, article: Article) -> None:
        originals = self.originals[article.source]
        if len(originals) >= RESERVOIR:
            originals[self.rng.randrange(RESERVOIR)] = article
        else:
            originals.append(article)

    def title(self) -> str:
        """Two clauses joined by a space, like 开创集团履行社会责任 彰显国企担当; never repeated."""
        for _ in range(20):
            title = f"{self.rng.choice(self.pool.clauses)} {self.rng.choice(self.pool.clauses)}"
            if title not in self.titles:
                break
        else:
            title = f"{title} 之{len(self.titles)}"  # the pool is exhausted at this N: force uniqueness
        self.titles.add(title)
        return title

    def url(self, article: Article) -> str | None:
        if article.source == "finews":
            day = article.published.strftime("%Y%m%d")  # the URL's date must agree with published_at
            return f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW{day}{article.serial:010d}"
        if article.source == "shanxidayuan":
            region = self.rng.choice(list(REGIONS))
            return f"http://www.shanxidayuan.com/gsyl/{region}/{5000 + article.serial}.html"
        return None  # zhuzhou-gaoke pages carry no URL

    def body(self, full_stop_first: bool = False) -> list[str]:
        """Paragraphs of 1–4 sentences, 1–10 KB in all (a triangular spread around 3 KB)."""
        rng = self.rng
        target_chars = int(rng.triangular(1000, 10000, 3000) / 3)  # CJK is 3 bytes in UTF-8
        paragraphs, chars = [], 0
        while chars < target_chars:
            paragraph = "".join(rng.choice(self.pool.sentences) for _ in range(rng.randint(1, 4)))
            paragraphs.append(paragraph)
            chars += len(paragraph)
        if full_stop_first:
            paragraphs[0] = rng.choice(self.pool.full_stops) + paragraphs[0]
        return paragraphs

    # -- rendering: the bytes of each file -------------------------------------------------------

    def render(self, article: Article) -> tuple[Path, bytes]:
        rng = self.rng
        fmt = "finews" if article.source == "finews" else "text"
        encodings = ENCODINGS[fmt]
        article.encoding = rng.choices(list(encodings), weights=list(encodings.values()))[0]
        renderer = {
            "finews": self.finews, "shanxidayuan": self.shanxidayuan,
            "zhuzhou-gaoke": self.zhuzhou, "unknown": self.bare,
        }[article.source]  # fmt: skip
        text = renderer(article)
        if fmt == "text" and rng.random() < CRLF_RATE:
            text = text.replace("\n", "\r\n")
        return self.path(article), text.encode(article.encoding)

    def path(self, article: Article) -> Path:
        day = article.published
        folder = self.out / "raw" / article.source / f"{day:%Y}" / f"{day:%m}"
        if self.by_day:
            folder /= f"{day:%d}"
        if article.source == "finews":  # Jekyll names carry the date, which newspkg cross-checks
            return folder / f"{day:%Y-%m-%d}-{article.serial:07d}.txt"
        return folder / f"{article.serial:07d}_{self.rng.getrandbits(64):016x}.txt"

    def finews(self, article: Article) -> str:
        slug = self.rng.choice(list(PAPERS))
        paper = PAPERS[slug]
        bylines = []
        if self.rng.random() < 0.3:
            bylines = [f"全媒体记者{self.name()}", f"通讯员{self.name()}{self.name()}"]
        paragraphs = "\n ".join(f"<p>{p}</p>" for p in [*bylines, *article.paragraphs])
        return (
            f'---\nlayout: post\ntitle: "{article.title}"\ndate: {article.published:%Y-%m-%d %H:%M:%S} +0800\n'
            f"categories: {slug}\ntags: {paper}新闻\n---\n"
            f'{paragraphs}<p class="em_media">（文章来源：{paper}）</p>\n\n<{article.url}>\n\n'
            f"[返回{paper}新闻](//finews.withounder.com/category/{slug}.html)｜[返回首页](//finews.withounder.com/)\n"
        )

    def shanxidayuan(self, article: Article) -> str:
        assert article.url is not None
        region = REGIONS[article.url.split("/")[-2]]
        tags = " ".join(self.rng.sample(["开发区", "企业", "项目", "招商", "民生", "经济"], 2))
        caption = self.caption()
        body = "\n\n".join(article.paragraphs)
        return (
            "大院网-山西大院资讯网\n\n \n\n \n\n0\n\n \n\n"
            f"{article.title}\n\n网络编辑 {region} {article.published:%Y-%m-%d %H:%M:%S} 0 {region} {tags}\n\n"
            f"{caption}\n\n{body}\n\n\n \n\n0\n\n \n\n版权声明\n\n本文仅代表作者观点,不代表本站立场。\n"
            f"本文系作者授权发表,未经许可,不得转载。\n本文地址:{article.url}\n\n留言与评论(共有 条评论)\n\n"
            "   \n验证码:\n\n关于山西大院新闻网\n\nCopyright ©山西大院新闻网\n"
        )

    def zhuzhou(self, article: Article) -> str:
        modified = article.published + timedelta(seconds=self.rng.randrange(10 * 86400))
        caption = self.caption()
        middle = len(article.paragraphs) // 2
        body = [*article.paragraphs[:middle], f"△{caption}", *article.paragraphs[middle:]]
        return (
            f"园区资讯\n\n{article.title}\n\n" + "\n\n\n\n".join(body) + "\n\n"
            f"发布者:系统管理员   点击数:{self.rng.randrange(50, 2000)}   "
            f"发布时间:{article.published:%Y-%m-%d %H:%M:%S}   更新时间:{modified:%Y-%m-%d %H:%M:%S}\n"
            "400-833-0505\n公司:株洲高科撩园信息科技有限公司\n客服电话:17507417477\n"
            "Copyright 2015-2021 湖南高科园创园区管理服务有限公司 湘ICP备20014089号-1\n"
        )

    def bare(self, article: Article) -> str:
        """Like seed 003: body only, one paragraph a line, no title, date or URL anywhere."""
        return "\n".join(article.paragraphs) + "\n"

    def caption(self) -> str:
        return self.rng.choice(self.pool.clauses)

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.randint(1, 2)))

    # -- writing ---------------------------------------------------------------------------------

    def write(self, path: Path, data: bytes) -> None:
        if path.parent not in self.folders:  # one mkdir per folder, not per file
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        path.write_bytes(data)


def copy_repository_skeleton(out: Path) -> None:
    """source.toml of every source and schema/ from this repository, and a minimal descriptor."""
    for toml in sorted((REPO / "raw").glob("*/source.toml")):
        target = out / "raw" / toml.parent.name / "source.toml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(toml, target)
    shutil.copytree(REPO / "schema", out / "schema", dirs_exist_ok=True)
    descriptor = {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "newspkg-bench-corpus",
        "title": "Synthetic newspkg benchmark corpus (sentences sampled from the seed files)",
        "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}],
    }
    (out / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n")


def expected(article: Article, path: Path, out: Path) -> dict[str, object]:
    """What newspkg should extract from the file: one line of bench-corpus.jsonl."""
    published = None if article.kind == "reject" else f"{article.published:%Y-%m-%dT%H:%M:%S}+08:00"
    return {
        "path": path.relative_to(out).as_posix(),
        "kind": article.kind,
        "encoding": article.encoding,
        "title": article.title,
        "published_at": published,
        "url": article.url,
    }


def generate(out: Path, files: int, seed: int) -> dict[str, object]:
    (out / SUMMARY_FILE).unlink(missing_ok=True)  # an interrupted run must not look complete
    if (out / "raw").exists():
        shutil.rmtree(out / "raw")  # stale files from another N or seed would change the counts
    copy_repository_skeleton(out)
    seed_files = sorted(p for p in (REPO / "raw").glob("*/*.txt"))
    generator = Generator(out, files, seed, load_pool(seed_files))
    kinds: dict[str, int] = {}
    encodings: dict[str, int] = {}
    total_bytes = 0
    with (out / FILES_FILE).open("w", encoding="utf-8") as manifest:
        for serial in range(files):
            article = generator.plan(serial)
            path, data = generator.render(article)
            generator.write(path, data)
            manifest.write(json.dumps(expected(article, path, out), ensure_ascii=False) + "\n")
            kinds[article.kind] = kinds.get(article.kind, 0) + 1
            encodings[article.encoding] = encodings.get(article.encoding, 0) + 1
            total_bytes += len(data)
    duplicates = kinds.get("dup-url", 0) + kinds.get("dup-text", 0)
    summary = {
        "version": VERSION,
        "files": files,
        "seed": seed,
        "bytes": total_bytes,
        "kinds": dict(sorted(kinds.items())),
        "encodings": dict(sorted(encodings.items())),
        "expected": {
            "inputs": files,
            "accepted": kinds.get("article", 0),
            "rejected": kinds.get("reject", 0),
            "duplicates": duplicates,
        },
    }
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the dataset repository to write (raw/ in it is replaced)")
    parser.add_argument("--files", type=int, required=True, help="number of raw files")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args()
    started = time.perf_counter()
    summary = generate(args.out, args.files, args.seed)
    megabytes = summary["bytes"] / 1e6  # type: ignore[operator]
    print(
        f"wrote {args.files} files ({megabytes:.1f} MB) to {args.out} in {time.perf_counter() - started:.1f} s: "
        f"{summary['kinds']}, encodings {summary['encodings']}"
    )


if __name__ == "__main__":
    main()
