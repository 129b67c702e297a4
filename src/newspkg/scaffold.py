"""Start a dataset repository (``newspkg init``) and add a source to one (``newspkg sources add``).

What is written builds and validates at once; nothing that exists is overwritten unless asked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from newspkg import __version__, adapters, readers, rules
from newspkg.config import SOURCE_FILE, SOURCE_NAME
from newspkg.errors import ConfigError
from newspkg.hints import Hint

EXAMPLE_SOURCE = "example"
EXAMPLE_POST = """---
title: "Welcome to the dataset"
date: 2024-01-15 09:30:00
author: Your Name
url: https://example.org/news/welcome/
tags: [example]
---

This example post shows what newspkg makes of a raw file. Replace it with your own: put the raw
files of each site in a folder under raw/, describe them in its source.toml, and run
`newspkg build`.
"""
GITIGNORE = """# newspkg: the outcome cache and a killed build's leftovers are never committed.
build/.cache/
build/.*.partial
/.*.partial
.newspkg-commit.journal
.venv/
build/report.html
"""
WORKFLOW = """# Checks every push: raw files convert, committed outputs are up to date, the package is valid.
name: data
on: [push, pull_request]
jobs:
  newspkg:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {{python-version: "3.11"}}
      # from the release's tag: newspkg is not on PyPI yet
      - run: pip install "newspkg @ git+https://github.com/newspkg/newspkg@v{version}"
      - run: newspkg validate --format github
      - run: newspkg build --check
      - run: newspkg validate datapackage.json --format github
"""
PRE_COMMIT = """# pre-commit (https://pre-commit.com): the same checks before every commit.
repos:
  - repo: https://github.com/newspkg/newspkg
    rev: v{version}
    hooks:
      - id: newspkg-validate
      - id: newspkg-build-check
      - id: newspkg-validate-package
"""
DATA_README = """# {title}

A corpus of news articles, one validated record per article, published as a
[Frictionless Data Package](https://datapackage.org/) (`datapackage.json`) with a JSONL and a
Parquet resource in `build/`. Made with [newspkg](https://github.com/newspkg/newspkg) {version}.

- `raw/<source>/`: the raw files as received, and how each source is read (`source.toml`)
- `build/articles.jsonl`, `build/articles.parquet`: the records; `build/rejects.jsonl`: the raw
  files that could not become records, with the reasons
- `schema/`: the record schema and this dataset's extensions

Rebuild and check it:

```sh
pip install "newspkg @ git+https://github.com/newspkg/newspkg@v{version}"
newspkg build                       # raw/ → build/ and datapackage.json
newspkg validate datapackage.json   # the package as a data user will check it
```

Describe the data here: where it comes from and what it covers. This README is the dataset card:
each build adds its Hugging Face header and rewrites the sections between `<!-- newspkg:… -->`
markers (counts, fields, provenance, how to verify and cite) from `datapackage.json`; everything
else is yours and kept.
"""


@dataclass(frozen=True)
class Written:
    created: list[str]  # relative paths
    kept: list[str]  # existing files left alone (without --force)


def init(folder: Path, *, force: bool = False) -> Written:
    """Lay out a dataset repository in ``folder`` (made if missing)."""
    name = folder.resolve().name.lower().replace("_", "-").replace(" ", "-") or "news"
    descriptor = {
        "name": name,
        "title": f"{name}: news articles (fill in a title)",
        "description": "What the articles are, where they come from, and what period they cover (fill in).",
        "version": "0.1.0",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "contributors": [{"title": "Your Name", "roles": ["creator"]}],
    }
    files = {
        "datapackage.json": json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
        "README.md": DATA_README.format(title=descriptor["title"], version=__version__),
        ".gitignore": GITIGNORE,
        ".github/workflows/newspkg.yml": WORKFLOW.format(version=__version__),
        ".pre-commit-config.yaml": PRE_COMMIT.format(version=__version__),
        "schema/sources/.gitkeep": "",
        f"raw/{EXAMPLE_SOURCE}/{SOURCE_FILE}": source_toml("jekyll", language="en", timezone="UTC"),
        f"raw/{EXAMPLE_SOURCE}/2024-01-15-welcome.md": EXAMPLE_POST,
    }
    return _write(folder, files, force)


def add_source(
    root: Path,
    name: str,
    adapter: str,
    *,
    language: str,
    timezone: str,
    reader: str | None = None,
    force: bool = False,
) -> Written:
    """``raw/<name>/source.toml``, every key explained, the adapter's hints listed."""
    if reader is not None:
        readers.get(reader)  # an unknown name is refused before anything is written
    if not SOURCE_NAME.match(name):
        raise ConfigError(f"{name!r} cannot name a source: use lower-case letters, digits and -")
    if not (root / "raw").is_dir():
        raise ConfigError(f"{root / 'raw'} is not a folder: run newspkg init first, or pass --root")
    return _write(root, {f"raw/{name}/{SOURCE_FILE}": source_toml(adapter, language, timezone, reader)}, force)


def source_toml(adapter: str, language: str, timezone: str, reader: str | None = None) -> str:
    declared: Sequence[Hint] = getattr(adapters.get(adapter), "hints", ())
    hints = "".join(f"# {hint.name}: {hint.kind}. {hint.meaning[:1].upper()}{hint.meaning[1:]}.\n" for hint in declared)
    mappable: Sequence[str] = getattr(adapters.get(adapter), "fields", ())
    fields = "".join(f'# {name} = "{name}"\n' for name in mappable)
    if fields:
        fields = (
            "\n# Which key of an item holds each record field, dotted for a nested one; without [fields],\n"
            f"# each field is read from the key of its own name.\n[fields]\n{fields}"
        )
    return f"""# How newspkg reads the raw files of this folder. Every key is explained; uncomment what you need.

# The format of the raw files: jekyll (Jekyll, Hugo and other static-site posts), html (saved pages
# and WARC crawls), records (JSON Lines, JSON or CSV exports, mapped by [fields]), text, or a plugin's name.
adapter = "{adapter}"
# Which reader turns each raw file into items: file (a file of its own, plain or gzip-compressed),
# jsonl, json, csv (an export's lines, values or rows), warc, arc (a crawl's responses), or a plugin's
# name. Without it, each file's content (then its name) decides among the readers the adapter takes.
{"" if reader else "# "}reader = "{reader or "jsonl"}"
# The BCP 47 tag of the texts, e.g. en, fr, zh-Hans; or "auto" for a source mixing languages: each
# record's language is then detected from its text (a declared tag is checked: language:mismatch).
language = "{language}"
# The IANA zone in which times without an offset are read, e.g. Europe/Paris.
timezone = "{timezone}"
# The site that published these articles.
# publisher = "Example News"
# Relative and protocol-relative links resolve against this.
# base_url = "https://example.org/"
# Tried after UTF-8 (and before detection) for files without a byte-order mark.
# encoding = "gb18030"
# schema/sources/<name>.schema.json extends the record for this source.
# schema = "<name>"
# Only files matching these patterns (relative to this folder) are raw files; then files matching
# exclude are left out.
# include = ["*.md"]
# exclude = ["drafts/*", "*.png"]
# Only crawled pages (WARC records) whose URL matches include_urls are articles; then pages matching
# exclude_urls are left out. Both are counted as filtered, by reason.
# include_urls = ["https://example.org/news/*"]
# exclude_urls = ["*/tag/*", "*.xml"]

# Larger or slower files become rejects, never a stuck build.
# [limits]
# max_bytes = 8388608
# max_seconds = 10

# A reject you accept: it stays listed in every report, and CI stays green.
# [acknowledged."a-file.html"]
# reason = "a list page, not an article"
# Many at once: a pattern over file and item names, and the rules its rejects may break.
# [acknowledged."crawl.warc.gz::*"]
# reason = "the crawl's list and tag pages"
# rules = ["{rules.NOT_AN_ARTICLE.name}"]

# What the {adapter} adapter may be told about the site.
[hints]
{hints}{fields}"""


def _write(root: Path, files: dict[str, str], force: bool) -> Written:
    created, kept = [], []
    for relative, text in files.items():
        path = root / relative
        if path.exists() and not force:
            kept.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(relative)
    return Written(created, kept)
