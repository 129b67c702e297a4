"""The near-duplicate stage alone: time and peak RSS of NearDuplicateIndex at N records.

    python bench/near_stage.py --records 1000000 [--seed 0]
    python bench/near_stage.py --jsonl CORPUS/build/articles.jsonl   # the records of a built package

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
import itertools
import resource
import time
from pathlib import Path

import numpy as np
import orjson

from newspkg.dedup import dedup_key
from newspkg.near_dedup import NearDuplicateIndex, NearSettings
from newspkg.shard_sketches import sketches
from newspkg.similarity import NUM_PERM

REPRINT_RATE = 0.05
TEMPLATE_RATE = 0.01
CHUNK = 10_000
SHARD_SIZE = 256  # texts sketched at once: a worker's shard (newspkg.engines, not imported: its imports weigh)


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
    parser.add_argument("--jsonl", type=Path, help="sketch the records of a built package instead (their texts)")
    args = parser.parse_args()
    index = NearDuplicateIndex(NearSettings())
    sketching = time.process_time()
    added, templates = (from_jsonl if args.jsonl else made_up)(index, args)
    sketching = time.process_time() - sketching - added
    settle_wall, settle_cpu = time.perf_counter(), time.process_time()
    index.settle(np.zeros(0, dtype=np.int64))
    settle_wall, settle_cpu = time.perf_counter() - settle_wall, time.process_time() - settle_cpu
    marks = list(index.marks())
    linked_templates = sum(1 for mark in marks if mark.seq in templates) if templates is not None else "-"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    index.close()
    records = args.records if not args.jsonl else index.added
    sketched = f"{sketching / records * 1000:.3f}" if args.jsonl else "-"
    columns = ["records", "sketch CPU (ms/record)", "add CPU (s)", "settle wall (s)", "settle CPU (s)"]
    columns += ["peak RSS (MB)", "marked", "clusters", "templates linked"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---:|" * len(columns))
    print(
        f"| {records:,} | {sketched} | {added:.1f} | {settle_wall:.1f} | {settle_cpu:.1f} | {peak:.0f} "
        f"| {len(marks):,} | {index.cluster_count:,} | {linked_templates} |"
    )


def made_up(index: NearDuplicateIndex, args: argparse.Namespace) -> tuple[float, set[int]]:
    """Add made-up sketches; the CPU seconds the adding took, and which records are template stories."""
    rng = np.random.default_rng(args.seed)
    kept: dict[int, bytes] = {}
    template, _ = make(np.random.default_rng(args.seed + 1), 0, {}, b"")
    templates: set[int] = set()
    adding = 0.0
    for seq in range(1, args.records + 1):
        data, is_template = make(rng, seq, kept, template)
        if is_template:
            templates.add(seq)
        before = time.process_time()
        index.add(seq, f"raw/s/{seq:08d}.txt", (f"{seq:016x}", "", 1000, 0.0, float(seq)), data)
        adding += time.process_time() - before
    return adding, templates


def from_jsonl(index: NearDuplicateIndex, args: argparse.Namespace) -> tuple[float, None]:
    """Sketch and add every record of a JSONL file, as a build's workers (a shard's texts at once)
    and pass 1 do."""
    adding = 0.0
    with args.jsonl.open("rb") as lines:
        seq = 0
        while records := [orjson.loads(line) for line in itertools.islice(lines, SHARD_SIZE)]:
            for record, data in zip(records, sketches([record["text"] for record in records]), strict=True):
                seq += 1
                before = time.process_time()
                index.add(seq, record["provenance"]["raw_path"], dedup_key(record), data)
                adding += time.process_time() - before
    return adding, None


if __name__ == "__main__":
    main()
