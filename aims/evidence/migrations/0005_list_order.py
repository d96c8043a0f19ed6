from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0004_blob_integrity"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="evidence",
            index=models.Index(
                fields=["organization", "effective_from", "id"], name="evidence_recent"
            ),
        ),
    ]
