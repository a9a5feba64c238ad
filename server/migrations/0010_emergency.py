from tortoise import migrations
from tortoise.migrations import operations as ops
from server.enums import EmergencyKind, ReportStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_idempotent_verbs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Emergency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name='emergencies', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='LOCKDOWN: lockdown\nEVACUATION: evacuation\nSHELTER: shelter\nDRILL: drill', enum_type=EmergencyKind, max_length=16)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_by', fields.ForeignKeyField('models.User', source_field='started_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_by', fields.ForeignKeyField('models.User', source_field='ended_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('revision', fields.IntField(default=1)),
            ],
            options={'table': 'emergencies', 'app': 'models', 'indexes': [Index(fields=['school_id', 'started_at'])], 'pk_attr': 'id', 'table_description': 'One emergency (or drill) of a school, kept whole after it ends.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RosterEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('emergency', fields.ForeignKeyField('models.Emergency', source_field='emergency_id', db_constraint=True, to_field='id', related_name='roster', on_delete=OnDelete.CASCADE)),
                ('student', fields.ForeignKeyField('models.User', source_field='student_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('hall_pass', fields.ForeignKeyField('models.Pass', source_field='hall_pass_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('origin', fields.ForeignKeyField('models.Location', source_field='origin_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('destination', fields.ForeignKeyField('models.Location', source_field='destination_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('arrived_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_known', fields.CharField(max_length=200)),
            ],
            options={'table': 'emergency_roster', 'app': 'models', 'unique_together': (('emergency', 'student'),), 'pk_attr': 'id', 'table_description': 'A student who was out of class (an active pass) when the emergency began.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmergencyReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('emergency', fields.ForeignKeyField('models.Emergency', source_field='emergency_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.CASCADE)),
                ('entry', fields.ForeignKeyField('models.RosterEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='SAFE: safe\nNEED_HELP: need_help\nPRESENT: present', enum_type=ReportStatus, max_length=16)),
                ('location', fields.ForeignKeyField('models.Location', source_field='location_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('note', fields.CharField(default='', max_length=500)),
                ('by', fields.ForeignKeyField('models.User', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'emergency_reports', 'app': 'models', 'indexes': [Index(fields=['emergency_id', 'entry_id'])], 'pk_attr': 'id', 'table_description': "One word on a roster student: their own (safe, need help) or staff's (present)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='School',
            name='emergency_id',
            field=fields.IntField(null=True),
        ),
    ]
