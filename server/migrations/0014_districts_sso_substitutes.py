from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from server.enums import Role, SessionVia, SsoKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0013_users_role")]

    initial = False

    operations = [
        ops.CreateModel(
            name="District",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(max_length=200)),
                ("slug", fields.CharField(unique=True, max_length=64)),
                ("source_id", fields.CharField(null=True, unique=True, max_length=255)),
                (
                    "settings",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "districts",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A group of schools with district-wide sign-in and district administrators.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SsoProvider",
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
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="sso_providers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "district",
                    fields.ForeignKeyField(
                        "models.District",
                        source_field="district_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="sso_providers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("key", fields.CharField(unique=True, max_length=64)),
                (
                    "kind",
                    fields.CharEnumField(
                        default=SsoKind.OIDC,
                        description="GOOGLE: google\nMICROSOFT: microsoft\nCLASSLINK: classlink\nOIDC: oidc",
                        enum_type=SsoKind,
                        max_length=16,
                    ),
                ),
                ("label", fields.CharField(max_length=100)),
                ("issuer", fields.CharField(max_length=500)),
                ("client_id", fields.CharField(max_length=255)),
                ("client_secret_sealed", fields.TextField(null=True, unique=False)),
                ("client_secret_env", fields.CharField(null=True, max_length=100)),
                ("scopes", fields.CharField(default="openid email profile", max_length=200)),
                (
                    "allowed_domains",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("match_claim", fields.CharField(default="email", max_length=32)),
                ("sourced_id_claim", fields.CharField(null=True, max_length=64)),
                ("create_users", fields.BooleanField(default=False)),
                ("enabled", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "sso_providers",
                "app": "models",
                "pk_attr": "id",
                "table_description": "An OpenID Provider that one school, or every school of a district, signs in with.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SignInAttempt",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "provider",
                    fields.ForeignKeyField(
                        "models.SsoProvider",
                        source_field="provider_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="attempts",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "school",
                    fields.ForeignKeyField(
                        "models.School",
                        source_field="school_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="sign_in_attempts",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="sign_in_attempts",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("outcome", fields.CharField(max_length=40)),
                ("email", fields.CharField(null=True, max_length=254)),
                ("subject", fields.CharField(null=True, max_length=255)),
                ("address", fields.CharField(null=True, max_length=64)),
                ("detail", fields.CharField(default="", max_length=300)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "sign_in_attempts",
                "app": "models",
                "indexes": [Index(fields=["school_id", "created_at"])],
                "pk_attr": "id",
                "table_description": "One single sign-on attempt and how it ended: what an IT lead reads when someone can't",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SsoRequest",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "provider",
                    fields.ForeignKeyField(
                        "models.SsoProvider",
                        source_field="provider_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="requests",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("state_hash", fields.CharField(unique=True, max_length=64)),
                ("nonce", fields.CharField(max_length=128)),
                ("code_verifier", fields.CharField(max_length=128)),
                (
                    "school",
                    fields.ForeignKeyField(
                        "models.School",
                        source_field="school_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="sso_requests",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("return_to", fields.CharField(default="/", max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "sso_requests",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A sign-in sent to a provider and not yet back: its state, nonce and PKCE verifier.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SubstituteGrant",
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
                        related_name="substitute_grants",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "substitute",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="substitute_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="substitute_grants",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "granted_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="granted_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="granted_substitutes",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "location",
                    fields.ForeignKeyField(
                        "models.Location",
                        source_field="location_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="substitute_grants",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "absent_teacher",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="absent_teacher_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="covered_by",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("day", fields.DateField()),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("code_hash", fields.CharField(null=True, unique=True, max_length=64)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "substitute_grants",
                "app": "models",
                "indexes": [Index(fields=["school_id", "day"])],
                "pk_attr": "id",
                "table_description": "What one substitute may act on, on one day, and until when.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="School",
            name="district",
            field=fields.ForeignKeyField(
                "models.District",
                source_field="district_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="schools",
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.AddField(
            model_name="Session",
            name="grant",
            field=fields.ForeignKeyField(
                "models.SubstituteGrant",
                source_field="grant_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="sessions",
                on_delete=OnDelete.CASCADE,
            ),
        ),
        ops.AddField(
            model_name="Session",
            name="identity",
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.AddField(
            model_name="Session",
            name="via",
            field=fields.CharEnumField(
                default=SessionVia.PASSWORD,
                description="PASSWORD: password\nSSO: sso\nCODE: code",
                enum_type=SessionVia,
                max_length=16,
            ),
        ),
        ops.AlterField(
            model_name="User",
            name="role",
            field=fields.CharEnumField(
                description="STUDENT: student\nTEACHER: teacher\nSUBSTITUTE: substitute\nNURSE: nurse\nCOUNSELOR: counselor\nSECURITY: security\nADMIN: admin\nKIOSK: kiosk\nDISTRICT_ADMIN: district_admin",
                enum_type=Role,
                max_length=16,
            ),
        ),
        ops.AddField(
            model_name="User",
            name="person_key",
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddIndex(
            model_name="User",
            index=Index(fields=["person_key"]),
        ),
    ]
