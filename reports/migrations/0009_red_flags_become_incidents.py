"""Carry the red flags raised so far into incidents: one row per finding.

Earlier keys embedded counts and dates (benford:{scope}:{n}, stop:{p}:{since},
rev:{who}:{n}, round:{n}, ending:{e}:{n}, acct:{tail}:{n}:{names}), so nightly screening
raised the same finding again and again (issue #17). Each old row is kept as history of
the incident it belongs to: its evidence becomes FlagEvidence, its raise a "carried"
event and its closing (who, when, why) a "closed" event. The incident is closed only if
every row of it was; its first row survives with the stable key, the others go.

Where today's rules name the same finding by other objects (an invoice number compared
as letters and digits, a payee as a normalised name, an officer and a month instead of one
income, a reviewer and a month instead of one payment, a whole account instead of its
tail), the old key is rewritten to today's, so an upgrade does not show one finding twice.

The key mapping and the normalisation are frozen here: old migrations never run today's
rules."""

import re
import unicodedata

from django.db import migrations
from django.utils import timezone

VOLATILE = [
    (re.compile(r"^benford:(.+):\d+$"), r"benford:\1"),
    (re.compile(r"^stop:([^:]+):\d{4}-\d{2}-\d{2}$"), r"stop:\1"),
    (re.compile(r"^rev:(.+):\d+$"), r"rev:\1"),
    (re.compile(r"^round:\d+$"), "round:community"),
    (re.compile(r"^ending:([^:]+):\d+$"), r"ending:\1"),
    (re.compile(r"^acct:([^:]*):\d+:.*$"), r"acct:\1"),
]


TRADITIONAL = dict(pair for pair in (
    "張张 陳陈 劉刘 黃黄 趙赵 吳吴 鄭郑 楊杨 孫孙 馬马 許许 鄧邓 馮冯 蕭萧 葉叶 呂吕 羅罗 韓韩 "
    "謝谢 蔣蒋 龍龙 錢钱 湯汤 盧卢 鍾钟 莊庄 譚谭 賴赖 陸陆 顧顾 鄒邹 閻阎 華华 範范 衛卫 蘇苏 "
    "偉伟 國国 軍军 紅红 麗丽 強强 東东 輝辉 鵬鹏 傑杰 濤涛 寧宁 靜静 艷艳 鳳凤 蘭兰 雲云").split())
SEPARATORS = re.compile(r"[\s·•・.\-_()（）,，、]+")


def normal_name(text):
    text = SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).casefold()
    return "".join(TRADITIONAL.get(ch, ch) for ch in text)


def normal_account(text):
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch.isalnum()).upper()


def normal_invoice(text):
    text = normal_account(text)
    head = re.match(r"^([A-Z]*)0*(\d.*)$", text)
    return f"{head.group(1)}{head.group(2)}" if head else text


def stable_key(key):
    for pattern, replacement in VOLATILE:
        if pattern.match(key):
            return pattern.sub(replacement, key)
    return key


def _ids(flag, kind):
    return [e["id"] for e in flag.evidence or [] if e.get("kind") == kind
            and isinstance(e.get("id"), int)]


def todays_key(apps, flag):
    """The key today's rules give the finding an old row recorded."""
    key = stable_key(flag.key)
    if flag.rule == "duplicate_invoice" and key.startswith("inv:"):
        return f"invoice:{normal_invoice(key[4:].rsplit(':', 3)[0])}"
    if flag.rule == "split_payment" and key.startswith("split:"):
        return f"split:one:{normal_name(key[6:].rsplit(':', 1)[0])}"
    if flag.rule == "concentration" and key.startswith("conc:"):
        return f"conc:{normal_name(key[5:])}"
    if flag.rule == "shared_account":
        Disbursement = apps.get_model("fundmgr", "Disbursement")
        accounts = {normal_account(a) for a in Disbursement.objects.filter(
            pk__in=_ids(flag, "disbursement")).values_list("payee_account", flat=True)} - {""}
        if len(accounts) == 1:
            return f"acct:{accounts.pop()}"
    if flag.rule == "backdated" and key.startswith("back:"):
        Income = apps.get_model("fundmgr", "Income")
        income = Income.objects.filter(pk__in=_ids(flag, "income")).select_related(
            "recorded_by").first()
        if income is not None:
            who = income.recorded_by.username if income.recorded_by else "import"
            return f"backdate:{who}:{timezone.localtime(income.recorded_at):%Y-%m}"
    if flag.rule == "quick_approval" and key.startswith("quick:"):
        Approval = apps.get_model("fundmgr", "DisbursementApproval")
        vote = (Approval.objects.filter(disbursement_id__in=_ids(flag, "disbursement"),
                                        approve=True).select_related("reviewer")
                .order_by("-at").first())
        if vote is not None:
            return f"quick:{vote.reviewer.username}:{timezone.localtime(vote.at):%Y-%m}"
    return key


def carry_flags_into_incidents(apps, schema_editor):
    RedFlag = apps.get_model("reports", "RedFlag")
    FlagEvidence = apps.get_model("reports", "FlagEvidence")
    FlagEvent = apps.get_model("reports", "FlagEvent")
    groups = {}
    for flag in RedFlag.objects.order_by("raised_at", "id"):
        key = todays_key(apps, flag)[:300]
        groups.setdefault((flag.community_id, flag.rule, key), []).append(flag)
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
        ("fundmgr", "0006_key_first_unique_indexes"),
    ]

    operations = [
        migrations.RunPython(carry_flags_into_incidents, migrations.RunPython.noop),
    ]
