"""The default engine: a local process pool, each worker converting whole shards."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice

from newspkg.convert import Outcome
from newspkg.engines import Job, convert_shard, run_in_process
from newspkg.readers import ItemRef

SHARDS_IN_FLIGHT_PER_WORKER = 4  # enough to keep workers busy, few enough to bound memory
MIN_SHARDS_PER_WORKER = 2  # below this, a worker's start-up outweighs what it saves


def run_local(job: Job, work: Iterable[list[ItemRef]], jobs: int) -> Iterator[Outcome]:
    """Outcomes of every shard, in shard order; at most jobs × 4 shards are in flight."""
    work = iter(work)
    first = list(islice(work, jobs * MIN_SHARDS_PER_WORKER))
    if jobs <= 1 or len(first) < jobs * MIN_SHARDS_PER_WORKER:  # starting workers would cost more than it saves
        yield from run_in_process(job, chain(first, work))
        return
    work = chain(first, work)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        window: deque[Future[list[Outcome]]] = deque()
        for shard in work:
            window.append(pool.submit(convert_shard, job, shard))
            if len(window) >= jobs * SHARDS_IN_FLIGHT_PER_WORKER:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()
