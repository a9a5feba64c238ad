from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.enums import EnrollmentRole, ImportStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint


class Migration(migrations.Migration):
    dependencies = [("models", "0011_normalised_logins")]

    initial = False

    operations = [
        ops.CreateModel(
            name="RosterImport",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "school",
                    fields.ForeignKeyField(
                        "models.School",
                        source_field="school_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="roster_imports",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="roster_imports",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "status",
                    fields.CharEnumField(
                        description="APPLIED: applied\nPREVIEWED: previewed\nREJECTED: rejected",
                        enum_type=ImportStatus,
                        max_length=16,
                    ),
                ),
                ("format", fields.CharField(max_length=16)),
                ("source", fields.CharField(default="", max_length=255)),
                (
                    "counts",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "errors",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
            ],
            options={
                "table": "roster_imports",
                "app": "models",
                "indexes": [Index(fields=["school_id", "created_at"])],
                "pk_attr": "id",
                "table_description": "One import attempt for one school: applied, previewed (a dry run) or rejected.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Section",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "school",
                    fields.ForeignKeyField(
                        "models.School",
                        source_field="school_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sections",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("source_id", fields.CharField(null=True, max_length=255)),
                ("title", fields.CharField(max_length=200)),
                ("code", fields.CharField(default="", max_length=100)),
                (
                    "location",
                    fields.ForeignKeyField(
                        "models.Location",
                        source_field="location_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="sections",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "meetings",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("homeroom", fields.BooleanField(default=False)),
                ("starts_on", fields.DateField(null=True)),
                ("ends_on", fields.DateField(null=True)),
                ("active", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "sections",
                "app": "models",
                "unique_together": (("school", "source_id"),),
                "pk_attr": "id",
                "table_description": "A class: a title, the room it meets in, and the periods it meets (per day type).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Enrollment",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "school",
                    fields.ForeignKeyField(
                        "models.School",
                        source_field="school_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="enrollments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "section",
                    fields.ForeignKeyField(
                        "models.Section",
                        source_field="section_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="enrollments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="enrollments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "role",
                    fields.CharEnumField(
                        description="STUDENT: student\nTEACHER: teacher",
                        enum_type=EnrollmentRole,
                        max_length=16,
                    ),
                ),
                ("primary", fields.BooleanField(default=False)),
                ("source_id", fields.CharField(null=True, max_length=255)),
                ("begins_on", fields.DateField(null=True)),
                ("ends_on", fields.DateField(null=True)),
                ("active", fields.BooleanField(default=True)),
                ("ended_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "enrollments",
                "app": "models",
                "unique_together": (("section", "user", "role"),),
                "indexes": [Index(fields=["school_id", "user_id", "active"])],
                "pk_attr": "id",
                "table_description": "A student in a section, or a teacher of it, between two dates.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Pass",
            name="section",
            field=fields.ForeignKeyField(
                "models.Section",
                source_field="section_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="passes",
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.AddField(
            model_name="School",
            name="source_id",
            field=fields.CharField(null=True, unique=True, max_length=255),
        ),
        ops.AddField(
            model_name="User",
            name="source_id",
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddConstraint(
            model_name="User",
            constraint=UniqueConstraint(fields=("school", "source_id"), name=None),
        ),
    ]
