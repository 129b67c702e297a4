"""Every rule newspkg checks, as data: its name, severity, the stage that emits it, what it means.

Checks name their findings by these rules, never by string literals, and the README's rules table
is printed from this registry (``newspkg rules --format markdown``; a test keeps them in sync).
Two names are families: ``schema:<keyword>`` (the JSON Schema keyword a record breaks) and
``package:<type>`` (frictionless's type of a Data Package profile error).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from newspkg.issues import Issue, Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING


class Stage(enum.StrEnum):
    CONVERT = "convert"  # a raw file becoming a record: reading, decoding, the adapter, the sidecar
    RECORD = "record"  # a record against its schema and the rules: at build, validate and in a package
    BUILD = "build"  # a build as a whole
    PACKAGE = "package"  # a published package: descriptor, files, shipped schemas, JSONL against Parquet
    DOWNLOAD = "download"  # fetching a package


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    severity: Severity  # the usual one; `meaning` says when a finding is milder
    stage: Stage
    meaning: str

    def issue(
        self,
        file: str,
        message: str,
        record_id: str = "",
        pointer: str = "",
        line: int = 0,
        severity: Severity | None = None,
    ) -> Issue:
        return Issue(file, record_id, pointer, self.name, message, severity or self.severity, line)

    def named(self, member: str) -> Rule:
        """A member of a family (``schema:<keyword>``): this rule under its own name."""
        family, _, _ = self.name.partition("<")
        return Rule(family + member, self.severity, self.stage, self.meaning)


RAW_EMPTY = Rule("raw:empty", ERROR, Stage.CONVERT, "the file is empty or only whitespace")
RAW_UNREADABLE = Rule(
    "raw:unreadable", ERROR, Stage.CONVERT, "the file cannot be read (symbolic links are never followed)"
)
RAW_TOO_LARGE = Rule("raw:too-large", ERROR, Stage.CONVERT, "the file is over `[limits] max_bytes`")
RAW_TIMEOUT = Rule("raw:timeout", ERROR, Stage.CONVERT, "converting took over `[limits] max_seconds`")
DECODE_INVALID = Rule("decode:invalid", ERROR, Stage.CONVERT, "the bytes are not text in any encoding tried")
SIDECAR_INVALID = Rule(
    "sidecar:invalid", ERROR, Stage.CONVERT, "the sidecar `<file>.meta.toml` cannot be read or applied"
)
NOT_AN_ARTICLE = Rule("page:not-article", ERROR, Stage.CONVERT, "the file is not one article (a home or list page)")
ADAPTER_ERROR = Rule("adapter-error", ERROR, Stage.CONVERT, "the adapter raised an error on the file")
LANGUAGE_MISMATCH = Rule(
    "language:mismatch",
    WARNING,
    Stage.CONVERT,
    "the text is plainly in another language (or Chinese script) than source.toml's `language` declares",
)
DATE_FALLBACK = Rule(
    "date:fallback",
    WARNING,
    Stage.CONVERT,
    "the file states a date that is no date: `published_at` is taken from its file name or folders",
)

SCHEMA = Rule(
    "schema:<keyword>",
    ERROR,
    Stage.RECORD,
    "the record breaks its JSON Schema (`schema:required`: a required field is missing)",
)
URL_SCHEME = Rule("url:scheme", ERROR, Stage.RECORD, "the URL is not an absolute http(s) URL")
URL_FORMAT = Rule("url:format", ERROR, Stage.RECORD, "the URL is not well-formed")
URL_MISSING = Rule("url:missing", WARNING, Stage.RECORD, "the file has no URL, so the id falls back to the raw path")
DATE_FUTURE = Rule("date:future", ERROR, Stage.RECORD, "`published_at` or `modified_at` is in the future")
DATE_TOO_EARLY = Rule("date:too-early", ERROR, Stage.RECORD, "`published_at` or `modified_at` is before 1990")
DATE_ORDER = Rule(
    "date:order",
    WARNING,
    Stage.RECORD,
    "`modified_at` is earlier than `published_at` (a site's own inconsistency: a build keeps `published_at` "
    "and leaves `modified_at` null)",
)
DATE_URL_MISMATCH = Rule(
    "date:url-mismatch", WARNING, Stage.RECORD, "a date in the URL is more than a day from `published_at`"
)
DATE_FILENAME_MISMATCH = Rule(
    "date:filename-mismatch", WARNING, Stage.RECORD, "a date in the file name is more than a day from `published_at`"
)
TEXT_ENCODING = Rule(
    "text:encoding",
    ERROR,
    Stage.RECORD,
    "U+FFFD, control characters or mojibake in title or text; a `zh` text whose non-ASCII letters are mostly not "
    "Han, or with hardly a Han character among its letters",
)
TEXT_MARKUP = Rule("text:markup", ERROR, Stage.RECORD, "HTML tags left in title or text")
TEXT_BOILERPLATE = Rule(
    "text:boilerplate", WARNING, Stage.RECORD, "copyright, disclaimer or contact phrases left in the text"
)
CHAR_COUNT = Rule("record:char-count", ERROR, Stage.RECORD, "`char_count` is not the length of `text`")
FINGERPRINT = Rule(
    "record:fingerprint", ERROR, Stage.RECORD, "`fingerprint` is not the digest of `text` (`--thorough`)"
)
RECORD_ID = Rule("record:id", ERROR, Stage.RECORD, "`id` is not derived from the URL (or the raw path)")

ACKNOWLEDGED_MISSING = Rule(
    "acknowledged:missing", WARNING, Stage.BUILD, "`source.toml` acknowledges a file that is not there"
)
ACKNOWLEDGED_STALE = Rule(
    "acknowledged:stale", WARNING, Stage.BUILD, "an acknowledged reject is now accepted: drop the acknowledgement"
)
LICENSE_TEXT = Rule(
    "license:text",
    WARNING,
    Stage.BUILD,
    "the package holds no text of its licence: newspkg ships none for `licenses[0].name`, and no file is named",
)

PROFILE = Rule("package:<type>", ERROR, Stage.PACKAGE, "the descriptor breaks the Data Package profile")
PACKAGE_RESOURCE = Rule("package:resource", ERROR, Stage.PACKAGE, "an article resource is missing or listed twice")
PACKAGE_PATH = Rule("package:path", ERROR, Stage.PACKAGE, "a path is absolute, hidden, or leads out of the package")
PACKAGE_REMOTE = Rule(
    "package:remote",
    ERROR,
    Stage.PACKAGE,
    "a path is a URL: never fetched (a warning with `--allow-remote`, but for articles)",
)
PACKAGE_SCHEMA = Rule(
    "package:schema",
    ERROR,
    Stage.PACKAGE,
    "a shipped schema is missing, misplaced, broken or refers outside the package",
)
PACKAGE_JOURNAL = Rule("package:journal", ERROR, Stage.PACKAGE, "an interrupted build left its journal")
RESOURCE_MISSING = Rule("resource:missing", ERROR, Stage.PACKAGE, "a resource file is missing or not a regular file")
RESOURCE_BYTES = Rule("resource:bytes", ERROR, Stage.PACKAGE, "a resource file's size is not the declared one")
RESOURCE_HASH = Rule("resource:hash", ERROR, Stage.PACKAGE, "a resource file's sha256 is not the declared one")
RESOURCE_ROWS = Rule(
    "resource:rows",
    ERROR,
    Stage.PACKAGE,
    "an article file holds another number of records than its `stats.rows`",
)
JSONL_SYNTAX = Rule("jsonl:syntax", ERROR, Stage.PACKAGE, "a JSONL line is not a JSON object (or is over 64 MiB)")
RECORD_KEYS = Rule("record:keys", ERROR, Stage.PACKAGE, "a record's keys are not the schema's, in its order")
UNIQUE_ID = Rule("unique-id", ERROR, Stage.PACKAGE, "two records have the same `id`")
PARQUET_UNREADABLE = Rule("parquet:unreadable", ERROR, Stage.PACKAGE, "the Parquet file cannot be read")
PARQUET_TOO_LARGE = Rule(
    "parquet:too-large",
    ERROR,
    Stage.PACKAGE,
    "a Parquet row group is over 72 MiB uncompressed, or decodes to more: not read, its rows not compared",
)
PARQUET_SCHEMA = Rule(
    "parquet:schema", ERROR, Stage.PACKAGE, "the Parquet schema is not the one derived from the record schema"
)
PARQUET_ROWS = Rule(
    "parquet:rows", ERROR, Stage.PACKAGE, "the Parquet file has more or fewer rows than the JSONL records"
)
PARQUET_MISMATCH = Rule("parquet:mismatch", ERROR, Stage.PACKAGE, "a Parquet row differs from its JSONL record")

DOWNLOAD_SIZE = Rule(
    "download:size", ERROR, Stage.DOWNLOAD, "a file is over its declared size, or the package over `--max-bytes`"
)
DOWNLOAD_HTTP = Rule("download:http", ERROR, Stage.DOWNLOAD, "the server answered with an HTTP error")
DOWNLOAD_NETWORK = Rule("download:network", ERROR, Stage.DOWNLOAD, "the connection failed or a redirect was refused")
DOWNLOAD_IO = Rule("download:io", ERROR, Stage.DOWNLOAD, "a fetched file cannot be written")
DOWNLOAD_PATH = Rule(
    "download:path", ERROR, Stage.DOWNLOAD, "a file would be written through a link leading out of the folder"
)

RULES: tuple[Rule, ...] = tuple(value for value in dict(globals()).values() if isinstance(value, Rule))

# Outcomes under these depend on the clock or the machine's load, not on the file alone.
CLOCK_DEPENDENT = frozenset({DATE_FUTURE.name, RAW_TIMEOUT.name})


def markdown_table() -> str:
    """The README's rules table."""
    rows = [f"| `{rule.name}` | {rule.severity} | {rule.stage} | {rule.meaning} |" for rule in RULES]
    return "\n".join(["| rule | severity | stage | what it means |", "|---|---|---|---|", *rows]) + "\n"
