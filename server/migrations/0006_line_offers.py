from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
import functools
from json import dumps, loads

class Migration(migrations.Migration):
    dependencies = [('models', '0005_appointments')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Pass',
            name='offer_expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Pass',
            name='line_priority',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Pass',
            name='override',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
