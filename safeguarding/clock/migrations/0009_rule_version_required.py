import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clock", "0008_rules_of_each_version")]
    operations = [
        migrations.AlterField(
            model_name="milestonerule",
            name="version",
            field=models.ForeignKey(
                help_text="The guidance version whose rule set holds this rule",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="milestone_rules",
                to="guidance.guidanceversion",
            ),
        ),
    ]
