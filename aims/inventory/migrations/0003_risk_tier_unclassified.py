"""New AI systems start "Not yet classified" under the EU AI Act, no longer "Minimal risk".

Only the default changes: every existing system keeps the tier stored for it (no row is
rewritten), since nothing recorded tells a tier chosen from one left at the old default.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_text_limits"),
    ]

    operations = [
        migrations.AlterField(
            model_name="aisystem",
            name="risk_tier",
            field=models.CharField(
                choices=[
                    ("prohibited", "Prohibited"),
                    ("high", "High risk"),
                    ("limited", "Limited risk"),
                    ("minimal", "Minimal risk"),
                    ("unclassified", "Not yet classified"),
                ],
                default="unclassified",
                max_length=20,
                verbose_name="EU AI Act risk tier",
            ),
        ),
    ]
