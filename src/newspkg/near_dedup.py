"""Settle near-duplicates with bounded memory: reprints linked to their cluster's representative.

Pass 1 appends each kept-so-far record's sketch (:mod:`newspkg.similarity`) to a scratch file and
the keys of its LSH bands to one file per band. Settling then, band by band, sorts the keys and
pairs the records that share one (each with its next ``window - 1`` in path order, so that a bucket
of thousands, template stories, costs a bounded number of pairs). Every candidate pair is verified
on the two sketches:

- the texts are alike: estimated Jaccard similarity at least ``jaccard``, or the shorter one at
  least ``containment`` inside the longer (a truncated copy, or one with boilerplate added);
- and their content agrees: at least ``sentences`` of the shorter text's sentences are in the
  longer one, and at least ``salient`` of its numbers and names. Template stories (market briefs,
  announcements) share most words but not the sentences that hold their figures and names; a
  shared footer alone is a small part of a text's sentences.

Linked records form clusters (connected components). The representative of a cluster is its
record with the earliest ``published_at``, then the longest text, then the smallest id: the same
whatever the order records arrive in. Every other member is marked with its id.
"""

from __future__ import annotations

import os
import struct
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import numpy.typing as npt

from newspkg.dedup import DedupKey
from newspkg.errors import ConfigError
from newspkg.similarity import HEADER, MIX, NUM_PERM, Samples, Sketch, agree, agreeing, alike

ROW = np.dtype(
    [
        ("seq", "<i8"), ("published", "<f8"), ("length", "<i8"), ("id", "<u8"),
        ("offset", "<i8"), ("size", "<i8"), ("shingles", "<i8"),
    ]
)  # fmt: skip
FLUSH_EVERY = 10_000
HEAD = struct.Struct("<2I")  # a sketch's first two words: its permutations and shingles
HEAD_BYTES = HEADER * 4
MAX_PAIRS = 1_000_000  # verified pairs remembered (8 MB), so that other bands do not verify them again
SIGNATURES_IN_MEMORY = 32 << 20  # bytes: a signature file up to this size (~130k records) is read whole
# Signatures are compared on their low 16 bits (b-bit MinHash): two differing values agree by chance
# once in 65,536, a bias of the Jaccard estimate far below its sampling error, for half the bytes.
SIGNATURE = np.dtype("<u2")
ROW_BYTES = NUM_PERM * SIGNATURE.itemsize
BATCH = 8192  # pairs compared at once: their signatures are at most 16384 rows (8 MB) in memory
LARGEST = 10  # clusters listed in the summary
NEAR_TEXT = "near-text"  # a dropped near-duplicate's reason, beside same-id and same-text
SETTINGS_KEY = "near_duplicates"  # in datapackage.json: the dataset's settings
# The field is written null by the workers (the clusters are known only once every record is):
# orjson escapes every quote inside a string, so this text is the top-level key and nothing else.
NULL_MARK = b',"near_duplicate_of":null,'


@dataclass(frozen=True, slots=True)
class NearSettings:
    """How near-duplicates are found and what becomes of them (defaults chosen on bench's development set)."""

    enabled: bool = True
    drop: bool = False  # list them with the duplicates instead of keeping them (marked) in the package
    jaccard: float = 0.4
    containment: float = 0.7
    sentences: float = 0.3
    salient: float = 0.7
    bands: int = 32
    rows: int = 4  # bands * rows signature values are used (at most NUM_PERM)
    window: int = 8  # pairs formed in a bucket: each record with the next window - 1

    def check(self) -> None:
        if not 0 < self.bands * self.rows <= NUM_PERM:
            raise ValueError(f"bands * rows must be between 1 and {NUM_PERM}")


class Mark(NamedTuple):
    seq: int
    representative: str  # its id
    raw_path: str  # of the representative


@dataclass(frozen=True, slots=True)
class Cluster:
    representative: str
    size: int


class NearDuplicateIndex:
    """``add`` every accepted record in order, ``settle(dropped)``, then walk ``marks()``."""

    def __init__(self, settings: NearSettings) -> None:
        settings.check()
        self.settings = settings
        self._scratch = tempfile.TemporaryDirectory(prefix="newspkg-near-")
        folder = Path(self._scratch.name)
        self._rows_path, self._sketch_path = folder / "rows", folder / "sketches"
        self._signature_path = folder / "signatures"  # a fixed-size row per record, read in batches
        self._band_paths = [folder / f"band-{band}" for band in range(settings.bands)]
        self._rows: BinaryIO = self._rows_path.open("wb")
        self._sketches: BinaryIO = self._sketch_path.open("wb")
        self._signatures: BinaryIO = self._signature_path.open("wb")
        self._bands = [path.open("wb") for path in self._band_paths]
        self._pending: list[tuple[int, float, int, int, int, int, int]] = []
        self._pending_signatures: list[bytes] = []
        self._offset = 0
        self.added = 0
        self._marks: list[Mark] = []
        self.clusters: list[Cluster] = []  # the largest, most members first
        self.cluster_count = 0

    def add(self, seq: int, raw_path: str, key: DedupKey, sketch: bytes) -> None:
        if not self.settings.enabled:
            return
        rid, _, length, _, published = key
        path = raw_path.encode()
        self._sketches.write(sketch + path)
        self.added += 1
        perms, shingles = HEAD.unpack_from(sketch)
        self._pending.append((seq, published, length, int(rid, 16), self._offset, len(sketch), shingles))
        self._offset += len(sketch) + len(path)
        self._pending_signatures.append(sketch[HEAD_BYTES : HEAD_BYTES + 4 * perms])
        if len(self._pending) >= FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        np.array(self._pending, dtype=ROW).tofile(self._rows)
        joined = b"".join(self._pending_signatures)
        signatures = np.frombuffer(joined, dtype="<u4").reshape(len(self._pending), -1)
        self._signatures.write(signatures.astype(SIGNATURE).tobytes())  # the low 16 bits
        for band, keys in enumerate(band_keys(signatures, self.settings.bands, self.settings.rows)):
            keys.tofile(self._bands[band])
        self._pending, self._pending_signatures = [], []

    def settle(self, dropped: npt.NDArray[np.int64]) -> None:
        """Cluster the records not in ``dropped`` (the seqs of exact duplicates, sorted)."""
        self._flush()
        self._close_files()
        rows = np.fromfile(self._rows_path, dtype=ROW)
        if len(rows) < 2:
            return
        alive = np.flatnonzero(~np.isin(rows["seq"], dropped))
        components = Components(len(rows))
        checked: npt.NDArray[np.uint64] = np.zeros(0, dtype=np.uint64)  # pairs verified so far, sorted
        # both read at offsets: a map's pages (and those around them) would stay in this process's memory
        with self._sketch_path.open("rb") as sketch_file, self._signature_path.open("rb") as signature_file:
            sketches = Sketches(sketch_file.fileno(), rows)
            signatures = Signatures(signature_file.fileno(), self._signature_path, len(rows))
            for pairs in self._candidates(alive):
                fresh = pairs[~_within(pairs, checked)]
                roots = components.roots()
                first, second = _split(fresh)
                fresh = fresh[roots[first] != roots[second]]
                for start in range(0, len(fresh), BATCH):
                    batch = fresh[start : start + BATCH]
                    for one, other in self._verified(rows, sketches, signatures, batch):
                        components.union(one, other)
                fits = len(checked) + len(fresh) <= MAX_PAIRS  # else forgotten: a pair may be verified again
                checked = _merged(checked, fresh) if fits else fresh
            self._cluster(rows, sketches, components)

    def _candidates(self, alive: npt.NDArray[np.int64]) -> Iterator[npt.NDArray[np.uint64]]:
        """For each band, the row pairs (i << 32 | j, i < j) that share its key, each once, sorted:
        each record with the next ``window - 1`` of its bucket, in path order."""
        for path in self._band_paths:
            keys = np.fromfile(path, dtype=np.uint64)[alive]
            order = np.argsort(keys, kind="stable")  # a bucket's records in path order
            ordered = keys[order]
            in_band = []
            for step in range(1, min(self.settings.window, len(keys))):
                same = np.flatnonzero(ordered[:-step] == ordered[step:])
                first, second = alive[order[same]].astype(np.uint64), alive[order[same + step]].astype(np.uint64)
                in_band.append(np.minimum(first, second) << np.uint64(32) | np.maximum(first, second))
            yield _distinct(np.concatenate(in_band)) if in_band else np.zeros(0, dtype=np.uint64)

    def _verified(
        self, rows: npt.NDArray[np.void], sketches: Sketches, signatures: Signatures, batch: npt.NDArray[np.uint64]
    ) -> list[tuple[int, int]]:
        """The pairs whose texts are alike (their signatures compared as arrays) and whose content
        agrees (the samples of the few alike pairs, each sketch read once, compared as arrays)."""
        first, second = _split(batch)
        signature, other_signature = signatures.pairs(first, second)
        # the values that agree, counted 8 at a time: each row's 128 booleans are 16 words of 8 bytes
        jaccard = np.bitwise_count((signature == other_signature).view(np.uint64)).sum(axis=1) / NUM_PERM
        shingles = rows["shingles"]
        similar = alike(jaccard, shingles[first], shingles[second], self.settings.jaccard, self.settings.containment)
        first, second = first[similar], second[similar]
        if len(first) == 0:
            return []
        needed = np.unique(np.concatenate([first, second]))
        samples = Samples([sketches.read(row) for row in needed.tolist()])
        one, other = np.searchsorted(needed, first), np.searchsorted(needed, second)
        first_shorter = shingles[first] <= shingles[second]  # as agree() decides which is shorter
        shorter, longer = np.where(first_shorter, one, other), np.where(first_shorter, other, one)
        agreed = agreeing(samples, shorter, longer, self.settings.sentences, self.settings.salient)
        return list(zip(first[agreed].tolist(), second[agreed].tolist(), strict=True))

    def _cluster(self, rows: npt.NDArray[np.void], sketches: Sketches, components: Components) -> None:
        marks, clusters = [], []
        published, length, ids = rows["published"], rows["length"], rows["id"]
        for group in components.groups():
            best = min(group, key=lambda row: (published[row], -length[row], ids[row]))
            rep_id = f"{int(ids[best]):016x}"
            rep_path = sketches.path(best)
            marks += [Mark(int(rows["seq"][row]), rep_id, rep_path) for row in group if row != best]
            clusters.append(Cluster(rep_id, len(group)))
        self._marks = sorted(marks)
        self.cluster_count = len(clusters)
        self.clusters = sorted(clusters, key=lambda c: (-c.size, c.representative))[:LARGEST]

    def marks(self) -> Iterator[Mark]:
        """Every record that is a near-duplicate, in ``seq`` order, with its cluster's representative."""
        return iter(self._marks)

    def figures(self) -> dict[str, Any]:
        """What build/report.json says of near-duplicates."""
        largest = [{"representative": c.representative, "records": c.size} for c in self.clusters]
        return {
            "records": len(self._marks),
            "clusters": self.cluster_count,
            "dropped": self.settings.drop,
            "largest_clusters": largest,
        }

    def _close_files(self) -> None:
        for file in (self._rows, self._sketches, self._signatures, *self._bands):
            file.close()

    def close(self) -> None:
        self._close_files()
        self._scratch.cleanup()


def mark_near_duplicate(line: bytes, representative: str) -> bytes:
    """The record's line with ``near_duplicate_of`` set (the workers wrote it null)."""
    marked = b',"near_duplicate_of":"' + representative.encode() + b'",'
    if NULL_MARK not in line:
        raise ValueError("a record line without near_duplicate_of")
    return line.replace(NULL_MARK, marked, 1)


def near_settings(descriptor: Mapping[str, Any], drop: bool = False) -> NearSettings:
    """The dataset's settings, from datapackage.json's ``near_duplicates`` object; ``drop`` (the
    command line's) wins. A bad value stops the build with a message naming the key."""
    given = descriptor.get(SETTINGS_KEY, {})
    where = f"datapackage.json: {SETTINGS_KEY}"
    if not isinstance(given, dict):
        raise ConfigError(f"{where}: must be an object of settings")
    defaults = NearSettings()
    values: dict[str, Any] = {}
    for name, value in given.items():
        if name not in NearSettings.__dataclass_fields__:
            known = ", ".join(NearSettings.__dataclass_fields__)
            raise ConfigError(f"{where}.{name}: not a setting (known: {known})")
        expected = type(getattr(defaults, name))
        if type(value) is not expected and not (expected is float and type(value) is int):
            raise ConfigError(f"{where}.{name}: must be a {expected.__name__}, not {value!r}")
        if expected is float and not 0 <= value <= 1:
            raise ConfigError(f"{where}.{name}: must be between 0 and 1, not {value!r}")
        if expected is int and value < 1:
            raise ConfigError(f"{where}.{name}: must be at least 1, not {value!r}")
        values[name] = float(value) if expected is float else value
    settings = replace(defaults, **values)
    if not 0 < settings.bands * settings.rows <= NUM_PERM:
        raise ConfigError(f"{where}: bands * rows must be at most {NUM_PERM}, not {settings.bands * settings.rows}")
    return replace(settings, drop=True) if drop else settings


def band_keys(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> list[npt.NDArray[np.uint64]]:
    """One 64-bit key per record and band: its ``rows`` signature values mixed."""
    keys = []
    for band in range(bands):
        mixed = np.full(len(signatures), band, dtype=np.uint64)
        for column in range(band * rows, (band + 1) * rows):
            mixed = (mixed ^ signatures[:, column].astype(np.uint64)) * MIX
        keys.append(mixed)
    return keys


def linked(one: Sketch, other: Sketch, settings: NearSettings) -> bool:
    """Whether two texts are near-duplicates (see the module's docstring)."""
    jaccard = np.array([np.mean(one.signature.astype(SIGNATURE) == other.signature.astype(SIGNATURE))])
    similar = alike(
        jaccard, np.array([one.shingles]), np.array([other.shingles]), settings.jaccard, settings.containment
    )
    return bool(similar[0]) and agree(one, other, settings.sentences, settings.salient)


class Components:
    """Linked records as a union-find over row numbers: each row's parent, a root its own (the
    smallest row of its component is its root)."""

    def __init__(self, rows: int) -> None:
        self._parent = np.arange(rows, dtype=np.int64)

    def root(self, node: int) -> int:
        parent = self._parent
        while (up := int(parent[node])) != node:
            parent[node] = parent[up]  # halve the path
            node = up
        return node

    def union(self, one: int, other: int) -> None:
        a, b = self.root(one), self.root(other)
        if a != b:
            self._parent[max(a, b)] = min(a, b)

    def roots(self) -> npt.NDArray[np.int64]:
        """Every row's root, as an array (a row never linked is its own)."""
        roots = self._parent
        while True:
            above = roots[roots]
            if np.array_equal(above, roots):
                return roots.copy()
            roots = above

    def groups(self) -> list[list[int]]:
        """The components of two rows or more, each in row order, by their smallest row."""
        roots = self.roots()
        linked = np.flatnonzero(roots != np.arange(len(roots)))
        members = np.union1d(linked, roots[linked])
        order = np.argsort(roots[members], kind="stable")
        grouped, starts = members[order], np.flatnonzero(np.diff(roots[members][order], prepend=-1))
        return [part.tolist() for part in np.split(grouped, starts[1:])] if len(grouped) else []


def _split(pairs: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    return (pairs >> np.uint64(32)).astype(np.int64), (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)


def _merged(one: npt.NDArray[np.uint64], other: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Two sorted arrays of distinct values as one (a stable sort merges the two runs in linear time)."""
    merged = np.concatenate([one, other])
    merged.sort(kind="stable")
    return merged


def _distinct(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The values once each, sorted (sorting integers is far faster than np.unique's hashing)."""
    values.sort()
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def _within(values: npt.NDArray[Any], sorted_set: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Which values are in a sorted array."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    places = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    found: npt.NDArray[np.bool_] = sorted_set[places] == values
    return found


class Signatures:
    """The signature file's rows: all read at once when the file is small, else each at its offset
    (a map of a large file would keep every page around the ones read in this process's memory)."""

    def __init__(self, descriptor: int, path: Path, count: int) -> None:
        self._descriptor = descriptor
        small = count * ROW_BYTES <= SIGNATURES_IN_MEMORY
        self._all = np.fromfile(path, dtype=SIGNATURE).reshape(count, NUM_PERM) if small else None

    def pairs(
        self, first: npt.NDArray[np.int64], second: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.uint16], npt.NDArray[np.uint16]]:
        """The signatures of each pair's two rows."""
        if self._all is not None:
            return self._all.take(first, axis=0), self._all.take(second, axis=0)
        needed = np.unique(np.concatenate([first, second]))
        read = self._rows(needed)
        return read[np.searchsorted(needed, first)], read[np.searchsorted(needed, second)]

    def _rows(self, wanted: npt.NDArray[np.int64]) -> npt.NDArray[np.uint16]:
        data = b"".join(os.pread(self._descriptor, ROW_BYTES, row * ROW_BYTES) for row in wanted.tolist())
        return np.frombuffer(data, dtype=SIGNATURE).reshape(len(wanted), NUM_PERM)


class Sketches:
    """The scratch file of sketches and raw paths, read at each row's offset."""

    def __init__(self, descriptor: int, rows: npt.NDArray[np.void]) -> None:
        self._descriptor, self._rows = descriptor, rows
        self._sizes, self._offsets = rows["size"], rows["offset"]
        self._size = os.fstat(descriptor).st_size

    def read(self, row: int) -> bytes:
        return os.pread(self._descriptor, int(self._sizes[row]), int(self._offsets[row]))

    def path(self, row: int) -> str:
        start = int(self._rows["offset"][row]) + int(self._rows["size"][row])
        end = int(self._rows["offset"][row + 1]) if row + 1 < len(self._rows) else self._size
        return os.pread(self._descriptor, end - start, start).decode()
