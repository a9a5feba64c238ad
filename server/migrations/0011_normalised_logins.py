"""Store every login in its one normalised form (NFKC, case-folded, stripped; issue 13.13).

Sign-in now compares the normalised login exactly, so a login stored as "Jane.Doe@School.org"
must become "jane.doe@school.org" to keep working. A login whose normalised form another user
of the same school already holds is left as it is and named in the log: an administrator
renames one of the two (which of them is meant can't be guessed here).
"""

import logging
import unicodedata

from tortoise import migrations
from tortoise.migrations import operations as ops

log = logging.getLogger("hallpass.migrations")


def _normalised(login):
    # A copy of server/logins.py::normalize_login as it was when this migration was
    # written, so that a later change there does not change what this migration did.
    folded = unicodedata.normalize("NFKC", login).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


async def normalise_logins(apps, schema_editor):
    client = schema_editor.client
    _, rows = await client.execute_query("SELECT id, school_id, login FROM users ORDER BY id")
    held = {(row["school_id"], row["login"]) for row in rows}
    update = (
        "UPDATE users SET login = ? WHERE id = ?"
        if client.capabilities.dialect == "sqlite"
        else "UPDATE users SET login = $1 WHERE id = $2"
    )
    for row in rows:
        login = _normalised(row["login"])
        if login == row["login"]:
            continue
        if not login or len(login) > 120 or (row["school_id"], login) in held:
            log.warning(
                "user %s keeps login %r: its normalised form is taken or does not fit",
                row["id"],
                row["login"],
            )
            continue
        await client.execute_query(update, [login, row["id"]])
        held.discard((row["school_id"], row["login"]))
        held.add((row["school_id"], login))


class Migration(migrations.Migration):
    dependencies = [("models", "0010_emergency")]

    initial = False

    operations = [ops.RunPython(normalise_logins, ops.RunPython.noop)]
