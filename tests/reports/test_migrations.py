"""The release before #17 kept one RedFlag row per raise, under keys with counts and
dates in them; migrating carries those rows into incidents (reports 0009)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reports", "0006_red_flags")]
AFTER = [("reports", "0009_red_flags_become_incidents")]


@pytest.mark.django_db(transaction=True)
def test_old_flags_become_one_incident_per_finding(ledger_purge):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Book = old.get_model("ledger", "Book")
    Hub = old.get_model("fundmgr", "HubEnterprise")
    Community = old.get_model("fundmgr", "Community")
    RedFlag = old.get_model("reports", "RedFlag")
    hub = Hub.objects.create(code="MH", name="枢纽", subdistrict="街道")
    c = Community.objects.create(
        code="MIG",
        name="迁移社区",
        subdistrict="街道",
        hub=hub,
        book=Book.objects.create(code="MIG", name="MIG"),
    )
    at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    for n in (510, 515, 530):
        RedFlag.objects.create(
            community=c,
            rule="benford",
            key=f"benford:MIG:{n}",
            explanation=f"{n} 个金额",
            evidence=[],
        )
    RedFlag.objects.filter(key="benford:MIG:510").update(
        closed_at=at, closed_by="auditor", note="定价所致"
    )
    RedFlag.objects.create(
        community=c,
        rule="stopped_income",
        key="stop:P1:2026-03-01",
        explanation="x",
        evidence=[],
        closed_at=at,
        closed_by="auditor",
        note="最终结算",
    )
    RedFlag.objects.create(
        community=c,
        rule="stopped_income",
        key="stop:P1:2026-03-02",
        explanation="y",
        evidence=[],
        closed_at=at,
        closed_by="auditor",
        note="同上",
    )
    for n, payee in ((4, "宏达办公用品店"), (9, "宏达 办公用品店")):
        RedFlag.objects.create(
            community=c,
            rule="split_payment",
            key=f"split:{payee}:{n}",
            explanation="s",
            evidence=[],
        )
    RedFlag.objects.create(
        community=c,
        rule="duplicate_invoice",
        key="inv:HD-2026-118:2026-12-01:1950.00:宏达办公用品店",
        explanation="i",
        evidence=[],
    )
    RedFlag.objects.create(
        community=c,
        rule="duplicate_payment",
        key="pay:1:2",
        explanation="z",
        evidence=[
            {"kind": "income", "id": 1, "label": "R1"},
            {"kind": "income", "id": 2, "label": "R2"},
        ],
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Incident = new.get_model("reports", "RedFlag")
    rows = {f.key: f for f in Incident.objects.filter(community_id=c.pk)}
    # Today's keys: the same findings the new rules raise, so an upgrade shows each once.
    assert set(rows) == {
        "benford:MIG",
        "stop:P1",
        "pay:1:2",
        "split:one:宏达办公用品店",
        "invoice:HD2026118",
    }
    assert rows["split:one:宏达办公用品店"].events.count() == 2
    benford = rows["benford:MIG"]
    assert benford.status == "open" and benford.closed_at is None  # two raises still open
    assert sorted(benford.events.values_list("kind", flat=True)) == [
        "carried",
        "carried",
        "carried",
        "closed",
    ]
    stop = rows["stop:P1"]
    assert (stop.status, stop.closed_by) == ("closed", "auditor")
    assert set(rows["pay:1:2"].evidence_items.values_list("ref", flat=True)) == {
        "income:1",
        "income:2",
    }
