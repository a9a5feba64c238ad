from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0012_sections')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='User',
            index=Index(fields=['school_id', 'role']),
        ),
    ]
