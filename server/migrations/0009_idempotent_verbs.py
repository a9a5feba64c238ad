from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_overdue')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='IdempotencyKey',
            options={'table': 'idempotency_keys', 'app': 'models', 'unique_together': (('user', 'key'),), 'pk_attr': 'id', 'table_description': 'The pass a keyed request of a user created or changed, and what it answered.'},
        ),
        ops.AddField(
            model_name='IdempotencyKey',
            name='response',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='IdempotencyKey',
            name='verb',
            field=fields.CharField(default='create', max_length=16),
        ),
        ops.AddIndex(
            model_name='User',
            index=Index(fields=['school_id', 'student_number']),
        ),
    ]
