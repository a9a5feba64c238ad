from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_passes_student_requested_at')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BellSchedule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.OneToOneField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name='bell_schedule', on_delete=OnDelete.CASCADE)),
                ('day_types', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('weekdays', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'bell_schedules', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The day types of a school and the day type each weekday follows.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScheduleOverride',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name='schedule_overrides', on_delete=OnDelete.CASCADE)),
                ('date', fields.DateField()),
                ('day_type', fields.CharField(null=True, max_length=40)),
                ('note', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'schedule_overrides', 'app': 'models', 'unique_together': (('school', 'date'),), 'pk_attr': 'id', 'table_description': 'A date that follows another day type than its weekday, or has no school (a null type).'},
            bases=['Model'],
        ),
    ]
