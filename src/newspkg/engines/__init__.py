"""Where the per-file work runs.

Every engine runs :func:`convert_shard` over the same shards (sorted lists of raw paths) and yields
the outcomes in shard order, so the outputs never depend on the engine or the number of workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from newspkg.cache import OutcomeCache
from newspkg.config import Project, load_project
from newspkg.convert import Converted, Converter, Outcome, sketched, time_limits
from newspkg.discover import RawFile, Stamp, file_stamp, project_items, read_raw
from newspkg.readers import ItemRef, Listings
from newspkg.schema import load_schemas

SHARD_SIZE = 256


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs to convert files of one project; small and picklable."""

    root: str
    settings: str  # digest of the sources' configuration and the schemas: a new one means a new converter
    now: datetime | None = None
    cache: str | None = None  # path of the outcome cache, or None to convert every file


def shards(
    project: Project, only: set[str] | None = None, size: int = SHARD_SIZE, kept: Listings | None = None
) -> Iterator[list[ItemRef]]:
    """The project's items (or those named in ``only``) in sorted order, cut into lists of ``size``
    (``kept``: the listings of crawls and exports kept from earlier builds)."""
    batch: list[ItemRef] = []
    for item in project_items(project, kept):
        if only is None or item.name in only:
            batch.append(item)
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


_workers: dict[Job, tuple[Project, Converter, OutcomeCache | None]] = {}


def convert_shard(job: Job, items: list[ItemRef]) -> list[Outcome]:
    """The unit of work of every engine: read and convert one shard (the converter is made once per process)."""
    if job not in _workers:
        for _, _, stale in _workers.values():  # a worker serves one build at a time
            if stale is not None:
                stale.close()
        _workers.clear()
        project = load_project(Path(job.root))
        converter = Converter(project, load_schemas(project.schema_dir), job.now)
        cache = OutcomeCache(Path(job.cache), converter) if job.cache else None
        _workers[job] = (project, converter, cache)
    project, converter, cache = _workers[job]
    with time_limits():
        if cache is None:
            return sketched([converter.converted(read_raw(project, item)) for item in items])
        with cache.reading():
            # before reading: a write changes them
            stamps = {item.name: file_stamp(project, item.file) for item in items}
            unchanged = cache.unchanged(stamps)
            changed = [item for item in items if item.name not in unchanged]
            unchanged.update(_convert_changed(project, converter, cache, changed, stamps))
            outcomes = [unchanged[item.name] for item in items]
    cache.flush()
    return outcomes


def _convert_changed(
    project: Project, converter: Converter, cache: OutcomeCache, items: list[ItemRef], stamps: dict[str, Stamp | None]
) -> dict[str, Outcome]:
    """Read the items whose files' stamps changed; convert those whose bytes the cache does not know
    (their texts sketched together) and keep them in the cache."""
    read: list[tuple[RawFile, Converted]] = []
    for item in items:
        raw = read_raw(project, item)
        known = cache.get(raw)
        converted = Converted(known, None) if known is not None else _converted(converter, cache, raw)
        read.append((replace(raw, data=b""), converted))  # its bytes are no longer needed
    outcomes = sketched([converted for _, converted in read])
    for item, (raw, _), outcome in zip(items, read, outcomes, strict=True):
        cache.put(raw, outcome, stamps[item.name])
    return {item.name: outcome for item, outcome in zip(items, outcomes, strict=True)}


def _converted(converter: Converter, cache: OutcomeCache, raw: RawFile) -> Converted:
    outcome, text = converter.converted(raw)
    return Converted(replace(outcome, converted_because=cache.why_stale(raw)), text)


def run_in_process(job: Job, work: Iterable[list[ItemRef]]) -> Iterator[Outcome]:
    for shard in work:
        yield from convert_shard(job, shard)
