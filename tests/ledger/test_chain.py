"""Property tests for the canonical serialisation and the hash chain (pure, no ORM)."""

import datetime as dt
import hashlib
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.chain import (
    GENESIS_HASH,
    EntryRecord,
    LineRecord,
    StoredEntry,
    canonical,
    chain_hash,
    check_chain,
    entry_hash,
)

text = st.text(max_size=30)
fen = st.integers(min_value=-(10**15), max_value=10**15).filter(bool)
aware = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8))]),
)


@st.composite
def balanced_lines(draw):
    amounts = draw(st.lists(fen, min_size=1, max_size=5))
    amounts.append(-sum(amounts))
    if amounts[-1] == 0:
        amounts[-1:] = [1, -1]
    return tuple(
        LineRecord(draw(st.sampled_from(["1001", "2201", "2202", "3001"])), a, "CNY", draw(text))
        for a in amounts
    )


@st.composite
def records(draw, book="B1", seq=None):
    return EntryRecord(
        book=book,
        seq=seq if seq is not None else draw(st.integers(1, 10**9)),
        date=draw(st.dates()),
        memo=draw(text),
        actor=draw(text),
        posted_at=draw(aware),
        lines=draw(balanced_lines()),
        idempotency_key=draw(st.none() | text),
        reverses=draw(st.none() | st.integers(1, 10**6)),
        reason=draw(text),
    )


@given(records())
def test_canonical_is_deterministic_json_that_round_trips(record):
    payload = canonical(record)
    assert payload == canonical(replace(record))
    doc = json.loads(payload.decode("utf-8"))
    assert doc["seq"] == record.seq
    assert doc["memo"] == record.memo
    assert [line[1] for line in doc["lines"]] == [line.amount_fen for line in record.lines]
    assert sum(line[1] for line in doc["lines"]) == 0


@given(records())
def test_the_same_instant_in_any_timezone_serialises_the_same(record):
    shifted = replace(
        record, posted_at=record.posted_at.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    )
    assert canonical(shifted) == canonical(record)


FIELD_CHANGES = {
    "book": lambda r: replace(r, book=r.book + "x"),
    "seq": lambda r: replace(r, seq=r.seq + 1),
    "date": lambda r: replace(
        r,
        date=r.date + dt.timedelta(days=1)
        if r.date < dt.date.max
        else r.date - dt.timedelta(days=1),
    ),
    "memo": lambda r: replace(r, memo=r.memo + "改"),
    "actor": lambda r: replace(r, actor=r.actor + "x"),
    "posted_at": lambda r: replace(r, posted_at=r.posted_at + dt.timedelta(microseconds=1)),
    "key": lambda r: replace(r, idempotency_key=(r.idempotency_key or "") + "k"),
    "reverses": lambda r: replace(r, reverses=(r.reverses or 0) + 1),
    "reason": lambda r: replace(r, reason=r.reason + "因"),
    "amount moved by one fen": lambda r: replace(
        r,
        lines=(
            replace(r.lines[0], amount_fen=r.lines[0].amount_fen + 1),
            replace(r.lines[1], amount_fen=r.lines[1].amount_fen - 1),
            *r.lines[2:],
        ),
    ),
    "account": lambda r: replace(
        r, lines=(replace(r.lines[0], account=r.lines[0].account + "9"), *r.lines[1:])
    ),
    "currency": lambda r: replace(r, lines=(replace(r.lines[0], currency="USD"), *r.lines[1:])),
    "line description": lambda r: replace(
        r, lines=(replace(r.lines[0], description=r.lines[0].description + "x"), *r.lines[1:])
    ),
    "line order": lambda r: replace(r, lines=(*r.lines[1:], r.lines[0])),
}


@pytest.mark.parametrize("change", FIELD_CHANGES, ids=list(FIELD_CHANGES))
@given(record=records())
def test_any_change_to_any_field_changes_the_hash(change, record):
    changed = FIELD_CHANGES[change](record)
    if changed == record:  # e.g. reordering identical lines: nothing changed
        return
    assert canonical(changed) != canonical(record)
    assert entry_hash(GENESIS_HASH, changed) != entry_hash(GENESIS_HASH, record)


def test_a_known_entry_has_a_known_hash():
    """Pins the format: if this changes, every published chain head would break."""
    record = EntryRecord(
        book="SQ001",
        seq=1,
        date=dt.date(2026, 3, 1),
        memo="服务包收入",
        actor="officer",
        posted_at=dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC),
        lines=(
            LineRecord("1001", 10000, "CNY"),
            LineRecord("2201", -7000, "CNY"),
            LineRecord("2202", -2500, "CNY"),
            LineRecord("3001", -500, "CNY"),
        ),
    )
    expected_payload = (
        '{"actor":"officer","book":"SQ001","date":"2026-03-01","key":null,'
        '"lines":[["1001",10000,"CNY",""],["2201",-7000,"CNY",""],["2202",-2500,"CNY",""],'
        '["3001",-500,"CNY",""]],"memo":"服务包收入","posted_at":"2026-03-01T08:30:00.000000Z",'
        '"reason":"","reverses":null,"seq":1,"v":1}'
    ).encode()
    assert canonical(record) == expected_payload
    assert (
        entry_hash(GENESIS_HASH, record) == hashlib.sha256(bytes(32) + expected_payload).hexdigest()
    )


def test_floats_and_naive_times_are_refused():
    record = EntryRecord(
        book="B",
        seq=1,
        date=dt.date(2026, 1, 1),
        memo="m",
        actor="a",
        posted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        lines=(LineRecord("1", 1.5, "CNY"), LineRecord("2", -1.5, "CNY")),  # type: ignore[arg-type]
    )
    with pytest.raises(TypeError):
        canonical(record)
    with pytest.raises(ValueError):
        canonical(replace(record, lines=(), posted_at=dt.datetime(2026, 1, 1)))


def _chain(recs):
    head, stored = GENESIS_HASH, []
    for i, rec in enumerate(recs, start=1):
        digest = entry_hash(head, rec)
        stored.append(
            StoredEntry(
                id=i * 10, record=rec, prev_hash=head, hash=digest, line_count=len(rec.lines)
            )
        )
        head = digest
    return stored, head


@st.composite
def chains(draw):
    n = draw(st.integers(1, 8))
    return [replace(draw(records()), seq=i) for i in range(1, n + 1)]


@given(chains())
def test_an_untouched_chain_verifies(recs):
    stored, head = _chain(recs)
    assert list(check_chain("B1", "CNY", stored, head_seq=len(recs), head_hash=head)) == []


@settings(max_examples=200)
@given(recs=chains(), data=st.data())
def test_changing_any_entry_is_reported_at_that_entry(recs, data):
    stored, head = _chain(recs)
    victim = data.draw(st.integers(0, len(stored) - 1))
    change = data.draw(st.sampled_from(sorted(set(FIELD_CHANGES) - {"seq", "book"})))
    tampered = FIELD_CHANGES[change](stored[victim].record)
    if canonical(tampered) == canonical(stored[victim].record):
        return
    stored[victim] = replace(stored[victim], record=tampered)
    problems = list(check_chain("B1", "CNY", stored, head_seq=len(recs), head_hash=head))
    assert problems, change
    assert problems[0].seq == victim + 1


@given(chains())
def test_a_dropped_or_reordered_entry_is_reported(recs):
    stored, head = _chain(recs)
    if len(stored) >= 2:
        swapped = [stored[1], stored[0], *stored[2:]]
        assert list(check_chain("B1", "CNY", swapped, head_seq=len(recs), head_hash=head))
    truncated = stored[:-1]
    problems = list(check_chain("B1", "CNY", truncated, head_seq=len(recs), head_hash=head))
    assert problems and "entries but" in problems[-1].reason


def test_chain_hash_refuses_a_short_previous_hash():
    with pytest.raises(ValueError):
        chain_hash("abcd", b"x")


@pytest.mark.parametrize(
    ("lines", "declared", "reason"),
    [
        ((LineRecord("1001", 100, "CNY"),), 1, "has 1 lines, declared 1"),
        (
            (LineRecord("1001", 100, "CNY"), LineRecord("3101", -100, "CNY")),
            3,
            "has 2 lines, declared 3",
        ),
        (
            (LineRecord("1001", 100, "CNY"), LineRecord("3101", -100, "USD")),
            2,
            "a line is not in the book's currency CNY",
        ),
        (
            (LineRecord("1001", 0, "CNY"), LineRecord("3101", 0, "CNY")),
            2,
            "a line has a zero amount",
        ),
        (
            (LineRecord("1001", 100, "CNY"), LineRecord("3101", -99, "CNY")),
            2,
            "unbalanced: lines sum to 1 fen",
        ),
    ],
)
def test_an_entry_that_cannot_be_right_is_named_with_its_reason(lines, declared, reason):
    rec = EntryRecord(
        book="B1",
        seq=1,
        date=dt.date(2026, 3, 1),
        memo="",
        actor="a",
        posted_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        lines=lines,
    )
    digest = entry_hash(GENESIS_HASH, rec)
    stored = [
        StoredEntry(id=7, record=rec, prev_hash=GENESIS_HASH, hash=digest, line_count=declared)
    ]
    problems = list(check_chain("B1", "CNY", stored, head_seq=1, head_hash=digest))
    assert [(p.seq, p.entry_id, p.reason) for p in problems] == [(1, 7, reason)]
    assert str(problems[0]) == f"book B1 entry #1 (id 7): {reason}"


@given(chains())
def test_a_head_that_does_not_match_the_last_entry_is_reported(recs):
    stored, _head = _chain(recs)
    problems = list(check_chain("B1", "CNY", stored, head_seq=len(recs), head_hash="0" * 64))
    assert [str(p) for p in problems] == ["book B1: book head hash does not match the last entry"]


@given(chains())
def test_an_entry_not_chained_to_the_one_before_is_reported(recs):
    stored, head = _chain(recs)
    stored[-1] = replace(stored[-1], prev_hash="f" * 64)
    problems = list(check_chain("B1", "CNY", stored, head_seq=len(recs), head_hash=head))
    assert problems[0].seq == len(recs)
    assert problems[0].reason == "previous hash does not match the entry before it"
