from django.db import migrations


def first_versions(apps, schema_editor):
    """Answers given before versions were kept: what residents read now is version 1."""
    Query = apps.get_model("reports", "Query")
    AnswerVersion = apps.get_model("answers", "AnswerVersion")
    for q in Query.objects.exclude(answer="").filter(answer_versions__isnull=True):
        AnswerVersion.objects.create(
            query=q,
            number=1,
            answer=q.answer,
            answered_by=q.answered_by,
            answered_at=q.answered_at or q.asked_at,
        )


class Migration(migrations.Migration):
    dependencies = [("answers", "0001_answer_versions")]
    operations = [migrations.RunPython(first_versions, migrations.RunPython.noop)]
