from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.enums import EncounterMode
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_bell_schedules')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EncounterLog',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('group', fields.ForeignKeyField('models.EncounterGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='log', on_delete=OnDelete.CASCADE)),
                ('mode', fields.CharEnumField(description='BLOCK: block\nALERT: alert', enum_type=EncounterMode, max_length=8)),
                ('student', fields.ForeignKeyField('models.User', source_field='student_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('others', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('destination', fields.ForeignKeyField('models.Location', source_field='destination_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('hall_pass', fields.ForeignKeyField('models.Pass', source_field='hall_pass_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('outcome', fields.CharField(max_length=16)),
            ],
            options={'table': 'encounter_log', 'app': 'models', 'indexes': [Index(fields=['school_id', 'at'])], 'pk_attr': 'id', 'table_description': 'One encounter a group prevented (block) or let happen and reported (alert).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='EncounterGroup',
            name='created_by',
            field=fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='EncounterGroup',
            name='updated_at',
            field=fields.DatetimeField(null=True, auto_now=True, auto_now_add=False),
        ),
    ]
