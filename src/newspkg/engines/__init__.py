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
from newspkg.convert import Converter, Outcome, time_limits
from newspkg.discover import Stamp, file_stamp, project_raw_paths, read_raw, source_of
from newspkg.schema import load_schemas

SHARD_SIZE = 256


@dataclass(frozen=True, slots=True)
class Job:
    """Everything a worker needs to convert files of one project; small and picklable."""

    root: str
    settings: str  # digest of the sources' configuration and the schemas: a new one means a new converter
    now: datetime | None = None
    cache: str | None = None  # path of the outcome cache, or None to convert every file


def shards(project: Project, only: set[str] | None = None, size: int = SHARD_SIZE) -> Iterator[list[str]]:
    """The project's raw paths (or those in ``only``) in sorted order, cut into lists of ``size``."""
    batch: list[str] = []
    for path in project_raw_paths(project):
        if only is None or path in only:
            batch.append(path)
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


_workers: dict[Job, tuple[Project, Converter, OutcomeCache | None]] = {}


def convert_shard(job: Job, paths: list[str]) -> list[Outcome]:
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
            return [converter.convert(read_raw(project, path, source_of(path))) for path in paths]
        with cache.reading():
            stamps = {path: file_stamp(project, path) for path in paths}  # before reading: a write changes them
            unchanged = cache.unchanged(stamps)
            outcomes = [
                unchanged.get(path) or _convert_changed(project, converter, cache, path, stamps[path]) for path in paths
            ]
    cache.flush()
    return outcomes


def _convert_changed(
    project: Project, converter: Converter, cache: OutcomeCache, path: str, stamp: Stamp | None
) -> Outcome:
    """Read a file whose stamp changed; convert it unless its bytes are the ones the cache knows."""
    raw = read_raw(project, path, source_of(path))
    outcome = cache.get(raw) or replace(converter.convert(raw), converted_because=cache.why_stale(raw))
    cache.put(raw, outcome, stamp)
    return outcome


def run_in_process(job: Job, work: Iterable[list[str]]) -> Iterator[Outcome]:
    for shard in work:
        yield from convert_shard(job, shard)
