"""The per-file work: raw bytes in, one :class:`Outcome` out. Pure: no writing, no clock but `now`."""

from __future__ import annotations

import contextlib
import hashlib
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

import orjson

from newspkg import __version__, adapters, language, rules
from newspkg.codec import dump_line
from newspkg.config import SOURCE_FILE, Project, SourceConfig
from newspkg.decode import decode
from newspkg.dedup import DedupKey, dedup_key
from newspkg.discover import SIDECAR_SUFFIX, RawFile
from newspkg.errors import ConfigError
from newspkg.hints import check_hints, did_you_mean
from newspkg.issues import Issue, Severity, has_errors
from newspkg.normalize import unify_line_ends
from newspkg.records import finish
from newspkg.schema import SchemaSet
from newspkg.shard_sketches import sketches
from newspkg.sidecar import SidecarError, apply_sidecar
from newspkg.similarity import VERSION as SKETCH_VERSION
from newspkg.validate import RecordChecker, modified_before_published, order_message


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one raw file became: a record with no errors is accepted; anything else is a reject.

    The record travels as its JSONL line (what the package stores) plus its duplicate key and its
    text's sketch: the build writes lines and settles duplicates and near-duplicates without ever
    decoding a record again. An accepted
    outcome reused from the cache travels without its line (``line_cached``): the build reads it
    from the cache only if the record is kept, so unchanged records never cross a process boundary.
    """

    raw_path: str
    raw_sha256: str
    source: str
    line: bytes | None  # the record's JSONL line; None when nothing could be extracted (or line_cached)
    key: DedupKey | None = None
    issues: tuple[Issue, ...] = ()
    acknowledged: str | None = None  # the reason, when the source acknowledges this file's reject
    from_cache: bool = False  # reused from an earlier build instead of converted
    line_cached: bool = False  # the line was left in the outcome cache (see newspkg.cache.CachedLines)
    converted_because: str = ""  # with the cache: why it was converted (see OutcomeCache.why_stale)
    filtered: str = ""  # why the source does not take this item of a container: neither record nor reject
    sketch: bytes | None = None  # the text's near-duplicate sketch (see newspkg.similarity), with the key

    @classmethod
    def of(
        cls, raw: RawFile, record: dict[str, Any] | None, issues: tuple[Issue, ...], acknowledged: str | None
    ) -> Outcome:
        """The outcome without its sketch (see :func:`sketched`)."""
        if record is None:
            return cls(raw.path, raw.sha256, raw.source, None, None, issues, acknowledged)
        return cls(raw.path, raw.sha256, raw.source, dump_line(record), dedup_key(record), issues, acknowledged)

    def __reduce__(self) -> tuple[type[Outcome], tuple[Any, ...]]:
        # Outcomes cross process boundaries by the hundred thousand: fields by position pickle
        # faster than through the default for a slotted dataclass (its state as a dict).
        return Outcome, tuple(getattr(self, name) for name in self.__slots__)

    @property
    def record(self) -> dict[str, Any] | None:
        """The record, decoded from its line (each call decodes: keep the result); None without one
        here, as for an accepted outcome reused from the cache."""
        return None if self.line is None else orjson.loads(self.line)

    @property
    def has_line(self) -> bool:
        return self.line is not None or self.line_cached

    @property
    def accepted(self) -> bool:
        return self.has_line and not has_errors(self.issues)


class Converted(NamedTuple):
    """An outcome whose sketch is still to be made, and the text to make it of (None: nothing to
    compare, or the outcome has its sketch)."""

    outcome: Outcome
    text: str | None


def sketched(converted: Sequence[Converted]) -> list[Outcome]:
    """The outcomes, each with its text's sketch: a shard's texts are sketched together (see
    :mod:`newspkg.shard_sketches`)."""
    made = iter(sketches([text for _, text in converted if text is not None]))
    return [outcome if text is None else replace(outcome, sketch=next(made)) for outcome, text in converted]


@dataclass
class Converter:
    """Holds what every file of a project needs: adapters, the record keys, the checker."""

    project: Project
    schemas: SchemaSet
    now: datetime | None = None
    _sources: dict[str, SourceConfig] = field(init=False)
    _checker: RecordChecker = field(init=False)
    _digests: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._sources = {source.name: source for source in self.project.sources}
        for source in self.project.sources:  # fail now, naming the file to fix, not once per raw file
            where = f"raw/{source.name}/{SOURCE_FILE}"
            try:
                adapter = adapters.get(source.adapter)
            except ConfigError as error:
                raise ConfigError(f"{where}: adapter: {error}") from None
            check_hints(source.hints, getattr(adapter, "hints", None), where, adapter.name)
            _check_fields(source, getattr(adapter, "fields", None), self.schemas.added_fields(source.schema), where)
            self.schemas.schema_for(source.schema)
        extension_of = {s.name: s.schema for s in self.project.sources}
        self._checker = RecordChecker(self.schemas, extension_of, self.now, integrity=False)

    def settings_digest(self, source: str) -> str:
        """A digest of everything besides the raw bytes that determines a file's outcome."""
        if source not in self._digests:
            config = self._sources[source]
            adapter = adapters.get(config.adapter)
            code = adapters.code_digest(type(adapter))
            shaping = [f"{name}=={found}" for name, found in adapters.libraries(adapter).items()]
            settings = (__version__, adapter.name, adapter.version, code, config.digest(), self.schemas.digest())
            # the language detector checks (or sets) every record's language
            parts = (*settings, *shaping, language.DETECTOR, SKETCH_VERSION)
            self._digests[source] = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        return self._digests[source]

    def acknowledgement_of(self, source: str, raw_path: str, issues: Sequence[Issue]) -> str | None:
        """Why the source acknowledges this file's reject with these issues, if it does (by the file's
        or item's path within the source, or a pattern and rules)."""
        errors = {issue.rule for issue in issues if issue.severity == Severity.ERROR}
        return self._sources[source].acknowledgement(raw_path.split("/", 2)[2], errors)

    def convert(self, raw: RawFile) -> Outcome:
        """What the file became, its text sketched (many files: :meth:`converted`, then :func:`sketched`)."""
        return sketched([self.converted(raw)])[0]

    def converted(self, raw: RawFile) -> Converted:
        """What the file became, its text not sketched yet."""
        if raw.filtered:
            return Converted(Outcome(raw.path, raw.sha256, raw.source, None, filtered=raw.filtered), None)
        source = self._sources[raw.source]
        try:
            with time_limit(source.max_seconds):
                record, issues = self._convert(raw, source)
        except TimeLimitExceeded:
            message = f"converting took over {source.max_seconds:g} s ([limits] max_seconds in source.toml)"
            record, issues = None, [rules.RAW_TIMEOUT.issue(raw.path, message)]
        except adapters.NotAnArticle as error:
            record, issues = None, [rules.NOT_AN_ARTICLE.issue(raw.path, str(error))]
        except Exception as error:  # an adapter bug must become a reject, never a crashed build
            record, issues = None, [rules.ADAPTER_ERROR.issue(raw.path, f"{type(error).__name__}: {error}")]
        outcome = Outcome.of(raw, record, tuple(issues), self.acknowledgement_of(raw.source, raw.path, issues))
        text = record["text"] if record is not None and not has_errors(issues) else None  # rejects are never compared
        return Converted(outcome, text if isinstance(text, str) else None)

    def _convert(self, raw: RawFile, source: SourceConfig) -> tuple[dict[str, Any] | None, list[Issue]]:
        if raw.unreadable:
            return None, [rules.RAW_UNREADABLE.issue(raw.path, f"{raw.path} {raw.unreadable}")]
        if len(raw.data) > source.max_bytes:
            message = (
                f"{len(raw.data)} bytes is over the limit of {source.max_bytes} ([limits] max_bytes in source.toml)"
            )
            return None, [rules.RAW_TOO_LARGE.issue(raw.path, message)]
        if raw.undecodable:  # a saved page as .html.gz whose gzip stream is broken or a bomb
            return None, [rules.DECODE_INVALID.issue(raw.path, f"{raw.path}: {raw.undecodable}")]
        decoded = decode(raw.data, source.encoding)
        text = unify_line_ends(decoded.text)
        if not text.strip():
            return None, [rules.RAW_EMPTY.issue(raw.path, "the file is empty or only whitespace")]
        if decoded.lossy:
            message = "the bytes are not valid in any encoding tried (UTF-8, declared, detected, GB18030)"
            return None, [rules.DECODE_INVALID.issue(raw.path, message)]
        if raw.sidecar is not None and len(raw.sidecar) > source.max_bytes:
            message = f"{raw.path}{SIDECAR_SUFFIX} is over the limit of {source.max_bytes} bytes ([limits] max_bytes)"
            return None, [rules.SIDECAR_INVALID.issue(raw.path, message)]
        adapter = adapters.get(source.adapter)
        draft = adapter.parse(raw, text, source)
        from_sidecar: list[str] = []
        if raw.sidecar is not None:
            try:
                draft, from_sidecar = apply_sidecar(draft, raw.sidecar, self.schemas.added_fields(source.schema))
            except SidecarError as error:
                return None, [rules.SIDECAR_INVALID.issue(raw.path, f"{raw.path}{SIDECAR_SUFFIX}: {error}")]
        record = finish(draft, raw, source, adapter, decoded.encoding, self.schemas.empty_values, from_sidecar)
        # an adapter's substitution, unless the sidecar replaced the field anyway
        substituted = [(rule, key, message) for rule, key, message in draft.warnings if key not in from_sidecar]
        noted = [rule.issue(raw.path, message, record["id"], f"/{key}") for rule, key, message in substituted]
        noted += _noted(record, raw, source)
        checked = self._checker.check(record, raw.path)
        return record, sorted({*noted, *checked}) if noted else checked


def _noted(record: dict[str, Any], raw: RawFile, source: SourceConfig) -> list[Issue]:
    """What converting found wrong in the source's own statements, with the record kept: a
    modified_at before published_at (left null), a text plainly not in the declared language."""
    noted = []
    if modified_before_published(record):
        message = order_message(record) + ": modified_at left null"
        noted.append(rules.DATE_ORDER.issue(raw.path, message, record["id"], "/modified_at"))
        record["modified_at"] = None
    if not source.detects_language and (found := language.plainly_other(record["language"], record["text"])):
        message = f"the text reads as {found}, not {record['language']} as source.toml declares"
        noted.append(rules.LANGUAGE_MISMATCH.issue(raw.path, message, record["id"], "/language"))
    return noted


def _check_fields(source: SourceConfig, takes: Sequence[str] | None, added: frozenset[str], where: str) -> None:
    """[fields] maps record fields the adapter fills from an item (and those the source's extension adds)."""
    if source.fields and takes is None:
        raise ConfigError(f"{where}: [fields]: adapter {source.adapter!r} maps no fields (records does)")
    known = [*(takes or ()), *sorted(added)]
    for name in source.fields:
        if name not in known:
            guess = did_you_mean(name, known)
            raise ConfigError(
                f"{where}: [fields] {name}: not a field the adapter fills{guess} (known: {', '.join(known)})"
            )


class TimeLimitExceeded(BaseException):  # not swallowed by an adapter's `except Exception`
    """Raised inside a conversion that ran out of time."""


def _expire(signum: int, frame: object) -> None:
    raise TimeLimitExceeded


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` of wall time (Unix, main thread; elsewhere unlimited)."""
    if not _alarms_work():
        yield
        return
    with _expiring():
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)


@contextmanager
def _expiring() -> Iterator[None]:
    """SIGALRM raises TimeLimitExceeded inside the block; the previous handler comes back after it.

    Nested blocks leave the handler alone: a worker sets it once per shard, not once per file.
    """
    previous = signal.getsignal(signal.SIGALRM)
    if previous is _expire:
        yield
        return
    signal.signal(signal.SIGALRM, _expire)
    try:
        yield
    finally:
        signal.signal(signal.SIGALRM, previous)


def time_limits() -> contextlib.AbstractContextManager[None]:
    """Around many conversions: their time limits then cost a timer each, not a signal handler each."""
    return _expiring() if _alarms_work() else contextlib.nullcontext()


def _alarms_work() -> bool:
    """Interval timers exist (Unix) and this is the main thread (the only one signals reach)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
