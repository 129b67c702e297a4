"""The Ray engine (``pip install 'newspkg[ray]'``): the same shard function, submitted as Ray tasks.

Workers read raw files from the same path as the driver: on a cluster, the dataset repository must
be on a filesystem every node mounts at that path.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from newspkg.convert import Outcome
from newspkg.engines import Job, convert_shard
from newspkg.errors import ConfigError
from newspkg.readers import ItemRef

TASKS_IN_FLIGHT_PER_CPU = 4


def run_ray(job: Job, work: Iterable[list[ItemRef]], address: str | None, jobs: int | None) -> Iterator[Outcome]:
    """Outcomes of every shard, in shard order, with a bounded number of tasks in flight."""
    try:
        import ray
    except ImportError:
        raise ConfigError("the ray engine needs Ray: pip install 'newspkg[ray]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        options: dict[str, Any] = {"address": address, "include_dashboard": False, "log_to_driver": False}
        if address is None and jobs:
            options["num_cpus"] = jobs
        ray.init(**options)
    try:
        remote = ray.remote(convert_shard)
        cpus = ray.cluster_resources().get("CPU", 1)  # type: ignore[no-untyped-call]
        in_flight = max(1, int(cpus)) * TASKS_IN_FLIGHT_PER_CPU
        window: deque[Any] = deque()
        for shard in work:
            window.append(remote.remote(job, shard))
            if len(window) >= in_flight:
                yield from ray.get(window.popleft())
        while window:
            yield from ray.get(window.popleft())
    finally:
        if started_here:
            ray.shutdown()
