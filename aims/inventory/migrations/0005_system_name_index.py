from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0004_version_and_material_change"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="aisystem",
            index=models.Index(fields=["organization", "name"], name="system_name"),
        ),
    ]
