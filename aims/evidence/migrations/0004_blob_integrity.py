from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0003_text_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="blob",
            name="integrity",
            field=models.CharField(
                choices=[
                    ("unchecked", "Not checked yet"),
                    ("intact", "Intact"),
                    ("altered", "Altered: content no longer matches its hash"),
                    ("missing", "Missing from storage"),
                ],
                default="unchecked",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="blob",
            name="checked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
