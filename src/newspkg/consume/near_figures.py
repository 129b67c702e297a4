"""Near-duplicates in figures, from the records' ``near_duplicate_of``: what ``newspkg stats``, the
report page and the dataset card show.

A record marked with a representative's id is a near-duplicate (a reprint) of it; a cluster is a
representative with the records that name it. Memory holds one count per cluster, for at most
:data:`MAX_CLUSTERS` clusters: beyond that the clusters are counted as "more than" and the largest
are those among the first tracked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from newspkg.consume.figures import Cluster, NearDuplicates

FIELD = "near_duplicate_of"
LARGEST = 10
MAX_CLUSTERS = 100_000


class NearTally:
    """Near-duplicate figures gathered one record at a time."""

    def __init__(self) -> None:
        self.marked = 0
        self.members: Counter[str] = Counter()  # representative → records marked with it
        self.capped = False

    def add(self, record: Mapping[str, Any]) -> None:
        representative = record.get(FIELD)
        if not isinstance(representative, str) or not representative:
            return
        self.marked += 1
        if representative in self.members or len(self.members) < MAX_CLUSTERS:
            self.members[representative] += 1
        else:
            self.capped = True

    def figures(self) -> NearDuplicates:
        """Records marked, clusters (and whether that is a lower bound), the largest clusters with
        their sizes (the representative counted)."""
        largest = sorted(self.members.items(), key=lambda item: (-item[1], item[0]))[:LARGEST]
        clusters = [Cluster(representative, count + 1) for representative, count in largest]
        return NearDuplicates(self.marked, len(self.members), self.capped, clusters)


def from_parquet(path: Path) -> NearDuplicates:
    """The figures of a Parquet resource, a row group's column at a time (for the card)."""
    import pyarrow.parquet as pq

    tally = NearTally()
    parquet = pq.ParquetFile(path)
    if FIELD not in parquet.schema_arrow.names:
        return tally.figures()
    for group in range(parquet.num_row_groups):
        for value in parquet.read_row_group(group, columns=[FIELD]).column(0).to_pylist():
            tally.add({FIELD: value})
    return tally.figures()


def summary(figures: NearDuplicates) -> str:
    """One sentence: how many records are near-duplicates, in how many clusters."""
    noun = "cluster" if figures.clusters == 1 else "clusters"
    clusters = f"{'more than ' if figures.clusters_at_least else ''}{figures.clusters:,} {noun}"
    return (
        f"{figures.records:,} records are near-duplicates (reprints) of another, in {clusters}; "
        f"{FIELD} names each one's representative"
    )


def text_lines(figures: NearDuplicates | None) -> Iterator[str]:
    """``newspkg stats``'s lines: the counts, then the largest clusters."""
    if not figures or not figures.records:
        return
    yield ""
    yield summary(figures)
    largest = ", ".join(f"{c.representative} ({c.records:,})" for c in figures.largest_clusters)
    yield f"  largest clusters (representative, records): {largest}"


def card_sentence(figures: NearDuplicates | None) -> str:
    """The card's sentence (empty when nothing repeats)."""
    return f"Near-duplicates: {summary(figures)}." if figures and figures.records else ""
