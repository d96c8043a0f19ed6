import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("checks", "0003_text_limits"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskLease",
            fields=[
                ("task_id", models.UUIDField(primary_key=True, serialize=False)),
                ("worker_id", models.CharField(max_length=64)),
                ("heartbeat_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
    ]
