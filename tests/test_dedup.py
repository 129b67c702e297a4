"""Duplicate settlement: the on-disk index agrees with the rule written out plainly in Python."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newspkg import dedup
from newspkg.dedup import DedupKey, DuplicateIndex, Twin

# Ids and texts that records share often (or not at all); lengths and dates that tie often too.
KEYS = st.tuples(
    st.sampled_from([f"{n:016x}" for n in range(20)]),
    st.sampled_from([f"{n:064x}" for n in range(20)]),
    st.integers(1, 4),
    st.sampled_from([0.0, 1.0, 2.0]),
    st.sampled_from([0.0, 1.0, 2.0]),
)


def plainly(keys: list[DedupKey]) -> list[tuple[int, Twin]]:
    """The rule of newspkg.dedup: per URL the best record, then per text the best of those; best is
    the longest text, then the latest modification, then the earliest publication, then the first."""
    records = dict(enumerate(keys, start=1))

    def best(seqs: list[int]) -> int:
        return min(seqs, key=lambda s: (-records[s][2], -records[s][3], records[s][4], s))

    by_id: dict[str, list[int]] = {}
    for seq, key in records.items():
        by_id.setdefault(key[0], []).append(seq)
    id_winner = {rid: best(seqs) for rid, seqs in by_id.items()}
    by_text: dict[str, list[int]] = {}
    for seq in id_winner.values():
        by_text.setdefault(records[seq][1], []).append(seq)
    text_winner = {fingerprint: best(seqs) for fingerprint, seqs in by_text.items()}
    found = []
    for seq, key in records.items():
        kept_by_id = id_winner[key[0]]
        final = text_winner[records[kept_by_id][1]]
        if final != seq:
            reason = "same-id" if final == kept_by_id else "same-text"
            found.append((seq, Twin(final, records[final][0], f"raw/s/{final}.txt", reason)))
    return found


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.lists(KEYS, max_size=40), st.booleans())
def test_settlement_follows_the_rule(keys: list[DedupKey], hashes_collide: bool) -> None:
    """Also when every hash collides: candidates are then every record, and the outcome the same."""
    with pytest.MonkeyPatch.context() as patch:
        if hashes_collide:
            patch.setattr(dedup, "_hash", lambda value: 0)
        index = DuplicateIndex()
        try:
            for seq, key in enumerate(keys, start=1):
                index.add(seq, f"raw/s/{seq}.txt", key)
            index.settle()
            assert list(index.duplicates()) == plainly(keys)
        finally:
            index.close()
