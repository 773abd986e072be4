"""Online resident voting: single-use codes printed on slips, stored hashed only; one
ballot per code, in the window, on its own vote; the count equals the ballots, which
hold no personal data; the public page shows counts only."""

import datetime as dt
import io
import re
import threading

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from fundmgr.decisions import online
from fundmgr.decisions import services as decisions
from fundmgr.decisions.models import (
    DecisionItem,
    OnlineBallot,
    OnlineCode,
    OnlineTally,
    OnlineVote,
    Outcome,
)
from reports.votes import slips_pdf
from tests import factories as f
from tests.reports.test_statements import fonts_of

pytestmark = pytest.mark.django_db

OPENS = dt.datetime.fromisoformat("2026-06-15 12:00 +08:00")
CLOSES = dt.datetime.fromisoformat("2026-06-20 20:00 +08:00")
DURING = "2026-06-16 09:00 +08:00"
AFTER = "2026-06-21 09:00 +08:00"
KEY = "test-client"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False), translation.override("en"):
        yield


@pytest.fixture
def world():
    c = f.community()
    officer = f.user(None, (c, "officer"))
    reviewer = f.user(None, (c, "reviewer"))
    return c, officer, reviewer


def _meeting(c, officer, reference="议〔2026〕1号", items=("活动室改造", "增设路灯")):
    return decisions.meeting_record(
        community=c,
        body="council",
        reference=reference,
        held_on=dt.date(2026, 6, 1),
        members_entitled=9,
        members_present=7,
        user=officer,
        minutes_sha256=f.MINUTES_SHA,
        items=[{"title": t} for t in items],
    )


def _open(meeting, officer, households=12, **kw):
    return online.online_vote_open(
        meeting=meeting, opens_at=OPENS, closes_at=CLOSES, households=households, user=officer, **kw
    )


def _cast(vote, code, choice="for", **kw):
    numbers = vote.items.values_list("number", flat=True)
    choices = kw.pop("choices", None) or dict.fromkeys(numbers, choice)
    online.online_ballot_cast(vote=vote, code=code, choices=choices, client_key=KEY)


def test_codes_are_unique_and_the_database_holds_only_their_keyed_hashes(world):
    c, officer, _r = world
    vote, codes = _open(_meeting(c, officer), officer, households=200)
    assert len(codes) == len(set(codes)) == 200 == vote.codes_issued
    assert all(re.fullmatch(f"[{online.ALPHABET}]{{12}}", code) for code in codes)
    assert not set("ILOU") & set("".join(codes))
    stored = set(OnlineCode.objects.filter(vote=vote).values_list("digest", flat=True))
    assert stored == {online.digest(code) for code in codes}
    # No column of any row holds a plain code, nor a printed (dashed) one.
    dump = " ".join(str(v) for row in OnlineCode.objects.values() for v in row.values())
    assert not any(code in dump or online.display(code) in dump for code in codes)


def test_the_slips_pdf_has_one_slip_per_code_and_embeds_the_font(world):
    c, officer, _r = world
    vote, codes = _open(_meeting(c, officer), officer, households=13)
    reader = PdfReader(io.BytesIO(slips_pdf(vote, codes)))
    assert len(reader.pages) == 2  # ten slips a page
    text = "".join(page.extract_text() for page in reader.pages)
    printed = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    assert sorted(p.replace("-", "") for p in printed) == sorted(codes)
    assert text.count("/v/") == 13 and c.name in text and "议〔2026〕1号" in text
    fonts = fonts_of(reader)
    assert fonts and all(embedded for _n, embedded in fonts), fonts
    assert any("WenQuanYiMicroHei" in name for name, _e in fonts)


def test_the_officer_gets_the_slips_once_and_the_meeting_page_never_shows_a_code(world):
    c, officer, _r = world
    meeting = _meeting(c, officer)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(officer)
    url = f"/officer/c/{c.code}/meetings/{meeting.pk}/online/"
    response = client.post(
        url,
        {"opens_at": "2026-06-15T12:00", "closes_at": "2026-06-20T20:00", "households": "3"},
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    printed = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", reader.pages[0].extract_text())
    assert len(printed) == 3
    assert OnlineCode.objects.filter(vote__meeting=meeting).count() == 3
    again = client.post(
        url,
        {"opens_at": "2026-06-15T12:00", "closes_at": "2026-06-20T20:00", "households": "3"},
    )
    assert again.status_code == 400 and b"already has an online vote" in again.content
    page = client.get(f"/officer/c/{c.code}/meetings/{meeting.pk}/").content.decode()
    assert "3 codes issued, 0 used" in page
    assert not any(p in page or p.replace("-", "") in page for p in printed)


def test_only_an_officer_opens_a_vote(world):
    c, officer, reviewer = world
    meeting = _meeting(c, officer)
    with pytest.raises(PermissionError):
        _open(meeting, reviewer)
    assert not OnlineVote.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"households": 0}, "households"),
        ({"households": online.MAX_CODES + 1}, "households"),
        ({"closes_at": OPENS}, "closes_at"),
        (
            {"opens_at": OPENS - dt.timedelta(days=10), "closes_at": OPENS - dt.timedelta(days=9)},
            "closes_at",
        ),
        ({"numbers": [7]}, "items"),
    ],
)
def test_bad_votes_are_refused_naming_the_field_and_nothing_written(world, change, field):
    c, officer, _r = world
    args = {
        "meeting": _meeting(c, officer),
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "households": 10,
        "user": officer,
        **change,
    }
    with pytest.raises(ValidationError) as exc:
        online.online_vote_open(**args)
    assert field in exc.value.message_dict
    assert not OnlineVote.objects.exists() and not OnlineCode.objects.exists()


def test_a_major_matter_without_its_prior_review_cannot_be_put_to_the_vote(world):
    c, officer, _r = world
    meeting = _meeting(c, officer)
    DecisionItem.objects.filter(meeting=meeting, number=2).update(major=True)
    with pytest.raises(ValidationError, match="前置审议"):
        _open(meeting, officer)
    vote, _codes = _open(meeting, officer, numbers=[1])
    assert list(vote.items.values_list("number", flat=True)) == [1]


def test_a_code_votes_once_and_a_second_use_writes_nothing(world):
    c, officer, _r = world
    vote, codes = _open(_meeting(c, officer), officer)
    with time_machine.travel(DURING, tick=False):
        _cast(vote, online.display(codes[0]).lower())  # as typed from the slip
        assert OnlineBallot.objects.count() == 2
        with pytest.raises(ValidationError) as exc:
            _cast(vote, codes[0], "against")
    assert exc.value.message_dict["code"] == [online.USED_CODE]
    assert OnlineBallot.objects.count() == 2
    assert set(OnlineBallot.objects.values_list("choice", flat=True)) == {"for"}
    assert OnlineCode.objects.filter(used=True).count() == 1


def test_a_vote_outside_its_window_is_refused(world):
    c, officer, _r = world
    vote, codes = _open(_meeting(c, officer), officer)
    with pytest.raises(ValidationError, match="not open"):  # before it opens (10:00 < 12:00)
        _cast(vote, codes[0])
    with time_machine.travel(AFTER, tick=False), pytest.raises(ValidationError, match="not open"):
        _cast(vote, codes[1])
    assert not OnlineBallot.objects.exists()
    assert not OnlineCode.objects.filter(used=True).exists()


def test_a_code_of_another_meeting_is_refused(world):
    c, officer, _r = world
    vote_a, _codes_a = _open(_meeting(c, officer), officer)
    _vote_b, codes_b = _open(_meeting(c, officer, reference="议〔2026〕2号"), officer)
    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as exc:
        _cast(vote_a, codes_b[0])
    assert exc.value.message_dict["code"] == [online.BAD_CODE]
    assert not OnlineBallot.objects.exists()
    assert not OnlineCode.objects.filter(used=True).exists()


def test_every_item_needs_a_choice_and_a_half_ballot_is_not_written(world):
    c, officer, _r = world
    vote, codes = _open(_meeting(c, officer), officer)
    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as exc:
        _cast(vote, codes[0], choices={1: "for"})
    assert "choices" in exc.value.message_dict
    assert not OnlineBallot.objects.exists()
    assert not OnlineCode.objects.filter(used=True).exists()


def test_wrong_codes_are_limited_per_client_address(world):
    c, officer, _r = world
    vote, codes = _open(_meeting(c, officer), officer)
    with time_machine.travel(DURING, tick=False):
        for _ in range(online.FAILED_TRIES_PER_HOUR):
            with pytest.raises(ValidationError):
                online.online_code_check(code="ABCD-EFGH-JKMN", client_key=KEY)
        with pytest.raises(PermissionError):
            online.online_code_check(code=codes[0], client_key=KEY)
        with pytest.raises(PermissionError):
            _cast(vote, codes[0])
        online.online_code_check(code=codes[0], client_key="another-address")
    assert not OnlineBallot.objects.exists()


def test_the_count_equals_the_ballots_and_becomes_each_items_online_tally(world):
    c, officer, reviewer = world
    meeting = _meeting(c, officer)
    vote, codes = _open(meeting, officer)
    plan = [("for", "against")] * 5 + [("against", "for")] * 3 + [("abstain", "abstain")] * 2
    with time_machine.travel(DURING, tick=False):
        for code, (one, two) in zip(codes, plan, strict=False):
            _cast(vote, code, choices={1: one, 2: two})
        with pytest.raises(ValidationError, match="count it after"):
            online.online_vote_close(vote=vote, user=officer)
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(PermissionError):
            online.online_vote_close(vote=vote, user=reviewer)
        online.online_vote_close(vote=vote, user=officer)
        with pytest.raises(ValidationError, match="already counted"):
            online.online_vote_close(vote=vote, user=officer)
    counts = {t.item.number: t.counts for t in OnlineTally.objects.select_related("item")}
    assert counts == {1: (5, 3, 2), 2: (3, 5, 2)}
    for number, (vf, va, vb) in counts.items():
        ballots = OnlineBallot.objects.filter(item__number=number, vote=vote)
        assert (vf, va, vb) == tuple(
            ballots.filter(choice=ch).count() for ch in ("for", "against", "abstain")
        )
    # Beside the body's paper tallies: the item's own outcome is untouched.
    assert set(meeting.items.values_list("outcome", flat=True)) == {Outcome.AWAITING}


def test_ballot_rows_hold_no_personal_data(world):
    c, officer, _r = world
    vote, codes = _open(_meeting(c, officer), officer)
    with time_machine.travel(DURING, tick=False):
        Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 Secret").post(
            f"/v/{vote.pk}/", {"code": codes[0], "item-1": "for", "item-2": "abstain"}
        )
    assert OnlineBallot.objects.count() == 2
    assert {fl.name for fl in OnlineBallot._meta.get_fields()} == {"id", "vote", "item", "choice"}
    assert {fl.name for fl in OnlineCode._meta.get_fields()} == {"id", "vote", "digest", "used"}
    rows = " ".join(
        str(v)
        for model in (OnlineBallot, OnlineCode)
        for row in model.objects.values()
        for v in row.values()
    )
    assert "203.0.113" not in rows and "Mozilla" not in rows


def test_the_public_pages_vote_then_show_counts_only(world):
    c, officer, _r = world
    meeting = _meeting(c, officer)
    vote, codes = _open(meeting, officer, households=5)
    client = Client()
    with time_machine.travel(DURING, tick=False):  # in Chinese, the site's first language
        assert client.get("/v/").status_code == 200
        ballot = client.post("/v/", {"code": online.display(codes[0])})
        assert ballot.status_code == 200 and "活动室改造" in ballot.content.decode()
        done = client.post(f"/v/{vote.pk}/", {"code": codes[0], "item-1": "for", "item-2": "for"})
        assert done.status_code == 200
        client.post(f"/v/{vote.pk}/", {"code": codes[1], "item-1": "against", "item-2": "for"})
        used = client.post(f"/v/{vote.pk}/", {"code": codes[0], "item-1": "against"})
        assert used.status_code == 400 and "已经用过" in used.content.decode()
        bad = client.post("/v/", {"code": "nonsense"})
        assert bad.status_code == 400 and "无效" in bad.content.decode()
        page = client.get(f"/c/{c.code}/decision/{meeting.pk}/").content.decode()
        assert "5" in page and "计票后公布" in page
    assert OnlineBallot.objects.count() == 4
    with time_machine.travel(AFTER, tick=False):
        closed = client.post("/v/", {"code": codes[2]})
        assert closed.status_code == 400
        online.online_vote_close(vote=vote, user=officer)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.get(f"/c/{c.code}/decision/{meeting.pk}/").content.decode()
    assert "5 codes issued" in page and "2 households voted" in page
    assert "1 for, 1 against, 0 abstaining" in page and "2 for, 0 against, 0 abstaining" in page


def test_a_prior_review_after_the_vote_opened_is_refused(world):
    c, officer, _r = world
    meeting = _meeting(c, officer)
    _open(meeting, officer)
    with pytest.raises(ValidationError, match="too late"):
        decisions.prior_review_record(
            item=meeting.items.get(number=1),
            body="社区党委会",
            held_on=dt.date(2026, 5, 28),
            outcome="agreed",
            user=officer,
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_of_one_code_count_once(world, ledger_purge):
    c, officer, _r = world
    vote, codes = _open(_meeting(c, officer), officer)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(choice):
        try:
            barrier.wait()
            with translation.override("en"):  # a thread starts in no language of ours
                _cast(OnlineVote.objects.get(pk=vote.pk), codes[0], choice)
            outcomes.append("counted")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["code"][0])
        finally:
            connection.close()

    with time_machine.travel(DURING, tick=False):
        threads = [threading.Thread(target=submit, args=(ch,)) for ch in ("for", "against")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert sorted(outcomes) == sorted(["counted", online.USED_CODE])
    assert OnlineBallot.objects.count() == 2
    assert len(set(OnlineBallot.objects.values_list("choice", flat=True))) == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_applies_to_a_database_with_meetings(world, ledger_purge):
    from django.db.migrations.executor import MigrationExecutor

    c, officer, _r = world
    executor = MigrationExecutor(connection)
    executor.migrate([("decisions", "0001_initial")])
    meeting = _meeting(c, officer)  # recorded before online votes existed
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    vote, codes = _open(meeting, officer, households=2)
    assert vote.meeting_id == meeting.pk and len(codes) == 2
