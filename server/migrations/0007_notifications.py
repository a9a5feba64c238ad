from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_line_offers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NotificationMute',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notification_mutes', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharField(max_length=32)),
            ],
            options={'table': 'notification_mutes', 'app': 'models', 'unique_together': (('user', 'category'),), 'pk_attr': 'id', 'table_description': 'A category one user chose not to hear (never a safety category).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PushSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='push_subscriptions', on_delete=OnDelete.CASCADE)),
                ('endpoint', fields.CharField(unique=True, max_length=1024)),
                ('p256dh', fields.CharField(max_length=128)),
                ('auth', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'push_subscriptions', 'app': 'models', 'pk_attr': 'id', 'table_description': "One browser's Web Push subscription, owned by the user who registered it."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('school', fields.ForeignKeyField('models.School', source_field='school_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(unique=True, max_length=160)),
                ('event_seq', fields.BigIntField(null=True)),
                ('hall_pass', fields.ForeignKeyField('models.Pass', source_field='hall_pass_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('channel', fields.CharField(max_length=16)),
                ('category', fields.CharField(max_length=32)),
                ('urgency', fields.CharField(max_length=8)),
                ('recipient', fields.ForeignKeyField('models.User', source_field='recipient_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('subscription', fields.ForeignKeyField('models.PushSubscription', source_field='subscription_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('address', fields.CharField(null=True, max_length=1024)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reduced', fields.BooleanField(default=False)),
                ('state', fields.CharField(default='pending', max_length=12)),
                ('attempts', fields.IntField(default=0)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deliveries', 'app': 'models', 'indexes': [Index(fields=['state', 'due_at']), Index(fields=['school_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One message to send on one channel, written with the event that caused it (the outbox).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeliveryAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('delivery', fields.ForeignKeyField('models.Delivery', source_field='delivery_id', db_constraint=True, to_field='id', related_name='attempt_rows', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.IntField(null=True)),
                ('error', fields.CharField(default='', max_length=300)),
                ('reduced', fields.BooleanField(default=False)),
                ('duration_ms', fields.IntField(default=0)),
            ],
            options={'table': 'delivery_attempts', 'app': 'models', 'pk_attr': 'id', 'table_description': "One try at sending a delivery: the peer's answer or the error."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VapidKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('private_pem', fields.TextField(unique=False)),
                ('public_key', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'vapid_keys', 'app': 'models', 'pk_attr': 'id', 'table_description': "The deployment's VAPID key pair (one row, id 1), made on first use and kept."},
            bases=['Model'],
        ),
    ]
