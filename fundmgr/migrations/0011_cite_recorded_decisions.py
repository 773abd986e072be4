"""Link the policies and collective-decision disbursements recorded before #19 to the
decision item they name, where that can be read off what was typed without guessing: the
typed reference (a policy's decision_ref, a disbursement's minutes_ref) is the reference
of a meeting of the same community, held on or before the day it authorised, with
exactly one passed item (and, for a disbursement, the votes typed are that item's).
Anything else keeps its free text and no decision: a migration never invents one."""

from django.db import migrations
from django.utils import timezone


def _only_passed_item(apps, community_id, reference, on):
    Meeting = apps.get_model("decisions", "Meeting")
    DecisionItem = apps.get_model("decisions", "DecisionItem")
    meeting = Meeting.objects.filter(
        community_id=community_id, reference=(reference or "").strip()
    ).first()
    if meeting is None or meeting.held_on > on:
        return None
    passed = list(DecisionItem.objects.filter(meeting=meeting, outcome="passed")[:2])
    return passed[0] if len(passed) == 1 else None


def cite_recorded_decisions(apps, schema_editor):
    SplitPolicy = apps.get_model("fundmgr", "SplitPolicy")
    Disbursement = apps.get_model("fundmgr", "Disbursement")
    for policy in SplitPolicy.objects.filter(decision__isnull=True).exclude(decision_ref=""):
        item = _only_passed_item(
            apps, policy.community_id, policy.decision_ref, policy.effective_from
        )
        if item is not None:
            SplitPolicy.objects.filter(pk=policy.pk).update(decision=item)
    old = Disbursement.objects.filter(decision__isnull=True, tier="committee").exclude(
        minutes_ref=""
    )
    for d in old:
        decided = timezone.localtime(d.decided_at or d.requested_at).date()
        item = _only_passed_item(apps, d.community_id, d.minutes_ref, decided)
        if item is not None and (item.votes_for, item.votes_against) == (
            d.votes_for,
            d.votes_against,
        ):
            Disbursement.objects.filter(pk=d.pk).update(decision=item)


class Migration(migrations.Migration):
    dependencies = [("fundmgr", "0010_decision_citations"), ("decisions", "0001_initial")]

    # Reverse: nothing to undo by hand; 0010's reverse drops the columns.
    operations = [migrations.RunPython(cite_recorded_decisions, migrations.RunPython.noop)]
