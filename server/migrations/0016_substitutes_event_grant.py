from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_districts_sso_substitutes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='PassEvent',
            name='grant',
            field=fields.ForeignKeyField('models.SubstituteGrant', source_field='grant_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='SubstituteGrant',
            index=Index(fields=['substitute_id', 'ends_at']),
        ),
        ops.AddIndex(
            model_name='SubstituteGrant',
            index=Index(fields=['ends_at']),
        ),
    ]
