from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_substitutes_event_grant')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Pass',
            name='line_reason',
            field=fields.CharField(null=True, max_length=16),
        ),
    ]
