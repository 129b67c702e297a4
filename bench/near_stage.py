"""The near-duplicate stage alone: time and peak RSS of NearDuplicateIndex at N records.

    python bench/near_stage.py --records 1000000 [--seed 0]

Sketches are made up (computing a million real ones takes the workers' time, which the 100k build
of bench/run.py measures): random signatures, sentence and salient samples, then planted
structure so that the candidate search and the verification have work: 5% of the records are
reprints of an earlier one (a fifth of their signature values changed, their samples shared), and
1% are template stories sharing one bucket in every band (their figures differ, so none may be
linked). Prints one markdown row: records, seconds to add, seconds to settle, CPU seconds, peak
RSS of the process, records marked, clusters, and how many template stories were linked (must be 0).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from newspkg.near_dedup import NearDuplicateIndex, NearSettings
from newspkg.similarity import NUM_PERM

REPRINT_RATE = 0.05
TEMPLATE_RATE = 0.01
CHUNK = 10_000


def make(rng: np.random.Generator, seq: int, kept: dict[int, bytes], template: bytes) -> tuple[bytes, bool]:
    roll = rng.random()
    if roll < TEMPLATE_RATE:
        return _with_own_samples(template, rng), True
    if roll < TEMPLATE_RATE + REPRINT_RATE and kept:
        original = np.frombuffer(kept[int(rng.integers(len(kept)))], dtype="<u4").copy()
        changed = rng.choice(NUM_PERM, NUM_PERM // 5, replace=False)
        original[4 + changed] = rng.integers(0, 2**32, len(changed), dtype=np.uint64).astype(np.uint32)
        return original.tobytes(), False
    header = np.array([NUM_PERM, 800, 40, 20], dtype="<u4")
    signature = rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
    sentences = np.sort(rng.integers(0, 2**32, 40, dtype=np.uint64).astype(np.uint32))
    salient = np.sort(rng.integers(0, 2**32, 20, dtype=np.uint64).astype(np.uint32))
    data = b"".join(part.astype("<u4").tobytes() for part in (header, signature, sentences, salient))
    if len(kept) < 1000:
        kept[len(kept)] = data
    elif rng.random() < 0.01:
        kept[int(rng.integers(1000))] = data
    return data, False


def _with_own_samples(template: bytes, rng: np.random.Generator) -> bytes:
    """The template's signature (every band collides) with its own sentences and figures."""
    words = np.frombuffer(template, dtype="<u4").copy()
    words[4 + NUM_PERM :] = np.sort(rng.integers(0, 2**32, len(words) - 4 - NUM_PERM, dtype=np.uint64)).astype(
        np.uint32
    )
    return words.tobytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    kept: dict[int, bytes] = {}
    template, _ = make(np.random.default_rng(args.seed + 1), 0, {}, b"")
    templates: set[int] = set()
    index = NearDuplicateIndex(NearSettings())
    cpu, started = time.process_time(), time.perf_counter()
    made = 0.0
    for seq in range(1, args.records + 1):
        before = time.perf_counter()
        data, is_template = make(rng, seq, kept, template)
        made += time.perf_counter() - before
        if is_template:
            templates.add(seq)
        key = (f"{seq:016x}", "", 1000, 0.0, float(seq))
        index.add(seq, f"raw/s/{seq:08d}.txt", key, data)
    added = time.perf_counter() - started - made
    settle_start = time.perf_counter()
    index.settle(np.zeros(0, dtype=np.int64))
    settled = time.perf_counter() - settle_start
    cpu = time.process_time() - cpu
    marks = list(index.marks())
    linked_templates = sum(1 for mark in marks if mark.seq in templates)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    index.close()
    columns = ["records", "add (s, without making sketches)", "settle (s)", "CPU (s, all)", "peak RSS (MB)"]
    columns += ["marked", "clusters", "templates linked"]
    print("| " + " | ".join(columns) + " |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.records:,} | {added:.1f} | {settled:.1f} | {cpu:.1f} | {peak:.0f} | {len(marks):,} "
        f"| {index.cluster_count:,} | {linked_templates} |"
    )


if __name__ == "__main__":
    main()
