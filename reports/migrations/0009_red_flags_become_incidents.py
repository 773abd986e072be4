"""Carry the red flags raised so far into incidents: one row per finding.

Earlier keys embedded counts and dates (benford:{scope}:{n}, stop:{p}:{since},
rev:{who}:{n}, round:{n}, ending:{e}:{n}, acct:{tail}:{n}:{names}), so nightly screening
raised the same finding again and again (issue #17). Each old row is kept as history of
the incident it belongs to: its evidence becomes FlagEvidence, its raise a "carried"
event and its closing (who, when, why) a "closed" event. The incident is closed only if
every row of it was; its first row survives with the stable key, the others go.

The key mapping is frozen here: old migrations never run today's rules."""

import re

from django.db import migrations

VOLATILE = [
    (re.compile(r"^benford:(.+):\d+$"), r"benford:\1"),
    (re.compile(r"^stop:([^:]+):\d{4}-\d{2}-\d{2}$"), r"stop:\1"),
    (re.compile(r"^rev:(.+):\d+$"), r"rev:\1"),
    (re.compile(r"^round:\d+$"), "round:community"),
    (re.compile(r"^ending:([^:]+):\d+$"), r"ending:\1"),
    (re.compile(r"^acct:([^:]*):\d+:.*$"), r"acct:\1"),
]


def stable_key(key):
    for pattern, replacement in VOLATILE:
        if pattern.match(key):
            return pattern.sub(replacement, key)
    return key


def carry_flags_into_incidents(apps, schema_editor):
    RedFlag = apps.get_model("reports", "RedFlag")
    FlagEvidence = apps.get_model("reports", "FlagEvidence")
    FlagEvent = apps.get_model("reports", "FlagEvent")
    groups = {}
    for flag in RedFlag.objects.order_by("raised_at", "id"):
        groups.setdefault((flag.community_id, flag.rule, stable_key(flag.key)), []).append(flag)
    for (_community, _rule, key), rows in groups.items():
        survivor = rows[0]
        refs = set()
        for row in rows:
            FlagEvent.objects.create(flag=survivor, kind="carried", at=row.raised_at,
                                     by="screening", note=row.explanation[:2000],
                                     evidence_added=len(row.evidence or []))
            if row.closed_at:
                FlagEvent.objects.create(flag=survivor, kind="closed", at=row.closed_at,
                                         by=row.closed_by, note=row.note)
            for item in row.evidence or []:
                ref = f"{item.get('kind', 'item')}:{item.get('id', item.get('label', ''))}"
                if ref in refs:
                    continue
                refs.add(ref)
                made = FlagEvidence.objects.create(
                    flag=survivor, ref=ref[:120], kind=str(item.get("kind", ""))[:20],
                    object_id=item.get("id") if isinstance(item.get("id"), int) else None,
                    label=str(item.get("label", ""))[:200])
                FlagEvidence.objects.filter(pk=made.pk).update(found_at=row.raised_at)
        closed = [r for r in rows if r.closed_at]
        latest = rows[-1]
        RedFlag.objects.filter(pk__in=[r.pk for r in rows[1:]]).delete()
        survivor.key = key
        survivor.explanation = latest.explanation
        survivor.evidence = latest.evidence
        survivor.updated_at = latest.raised_at
        if len(closed) == len(rows):
            last = max(closed, key=lambda r: r.closed_at)
            survivor.status = "closed"
            survivor.closed_at, survivor.closed_by, survivor.note = (
                last.closed_at, last.closed_by, last.note)
        else:
            survivor.status = "open"
            survivor.closed_at, survivor.closed_by, survivor.note = None, "", ""
        survivor.save()


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0008_incidents_and_declarations"),
    ]

    operations = [
        migrations.RunPython(carry_flags_into_incidents, migrations.RunPython.noop),
    ]
