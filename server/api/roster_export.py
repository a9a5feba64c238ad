"""An emergency's roster as a CSV file and as a printable HTML page (server-rendered, escaped).

The app's CSP forbids inline script and style (`style-src 'self'`), so the page links the
stylesheet the app serves at STYLESHEET_PATH and has no script at all.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, tzinfo
from html import escape
from importlib.resources import files
from typing import Any

STYLESHEET_PATH = "/static/roster.css"
CSV_COLUMNS = (
    "emergency_id",
    "kind",
    "drill",
    "student_id",
    "student",
    "origin",
    "destination",
    "time_out",
    "arrived_at",
    "last_known",
    "status",
    "accounted",
    "reported_at",
    "reported_by",
    "reported_location",
    "note",
)


def stylesheet() -> str:
    """Return the roster page's stylesheet (a file of the package)."""
    return files("server.api").joinpath("static/roster.css").read_text(encoding="utf-8")


def _local(raw: str | None, zone: tzinfo) -> str:
    if raw is None:
        return ""
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def filename(state: dict[str, Any], suffix: str) -> str:
    """Return the download's file name: emergency-12-lockdown-2026-11-30.csv."""
    day = str(state["started_at"])[:10]
    return f"emergency-{state['id']}-{state['kind']}-{day}.{suffix}"


def _formula_safe(text: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula (CSV injection): a
    # student's note must stay text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def roster_csv(state: dict[str, Any], zone: tzinfo) -> str:
    """Return the roster as CSV (RFC 4180: CRLF rows, quoted as needed), one row per student,
    with their latest report; times in the school's zone."""
    out = io.StringIO()
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in state["roster"]:
        latest = entry["reports"][-1] if entry["reports"] else None
        writer.writerow(
            [
                state["id"],
                state["kind"],
                "yes" if state["drill"] else "no",
                entry["student"]["id"],
                _formula_safe(entry["student"]["name"]),
                _formula_safe(entry["origin"]["name"]),
                _formula_safe(entry["destination"]["name"]),
                _local(entry["started_at"], zone),
                _local(entry["arrived_at"], zone),
                _formula_safe(entry["last_known"]),
                entry["status"],
                "yes" if entry["accounted"] else "no",
                _local(latest["at"], zone) if latest else "",
                _formula_safe(latest["by"]["name"]) if latest and latest["by"] else "",
                _formula_safe(latest["location"]["name"]) if latest and latest["location"] else "",
                _formula_safe(latest["note"]) if latest else "",
            ]
        )
    return out.getvalue()


def _report_line(report: dict[str, Any], zone: tzinfo) -> str:
    parts = [_local(report["at"], zone)[11:], report["status"].replace("_", " ")]
    if report["location"]:
        parts.append(f"in {report['location']['name']}")
    if report["by"]:
        parts.append(f"by {report['by']['name']} ({report['by']['role']})")
    line = ", ".join(parts)
    if report["note"]:
        line += f": {report['note']}"
    return f"<li>{escape(line)}</li>"


def roster_html(state: dict[str, Any], school_name: str, zone: tzinfo) -> str:
    """Return the printable roster page; every value from the database is escaped."""
    kind = str(state["kind"]).replace("_", " ").title()
    title = f"{'DRILL: ' if state['drill'] else ''}{kind} roster, {school_name}"
    counts = state["counts"]
    rows = []
    for entry in state["roster"]:
        reports = "".join(_report_line(r, zone) for r in entry["reports"])
        cells = [
            escape(entry["student"]["name"]),
            escape(entry["origin"]["name"]),
            escape(entry["destination"]["name"]),
            escape(_local(entry["started_at"], zone)[11:]),
            escape(entry["last_known"]),
            escape(entry["status"].replace("_", " ")),
            f'<ol class="reports">{reports}</ol>' if reports else "",
        ]
        status_class = escape(entry["status"], quote=True)
        rows.append(
            f'<tr class="{status_class}">'
            + "".join(
                f'<td class="status">{c}</td>' if i == 5 else f"<td>{c}</td>"
                for i, c in enumerate(cells)
            )
            + "</tr>"
        )
    ended = (
        f"Ended {escape(_local(state['ended_at'], zone))}"
        + (f" by {escape(state['ended_by']['name'])}" if state["ended_by"] else "")
        if state["ended_at"]
        else "In force"
    )
    started_by = f" by {escape(state['started_by']['name'])}" if state["started_by"] else ""
    drill = '<p class="drill">This was a drill.</p>' if state["drill"] else ""
    body = "\n".join(rows) or '<tr><td colspan="7">No student was out of class.</td></tr>'
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{STYLESHEET_PATH}">
</head>
<body>
<header>
<h1>{escape(title)}</h1>
{drill}
<p class="meta">Started {escape(_local(state["started_at"], zone))}{started_by}. {ended}.
Times in {escape(str(zone))}.</p>
<p class="meta"><strong>Accounted for: {counts["accounted"]} of {counts["total"]}</strong>
(missing {counts["missing"]}, need help {counts["need_help"]}).</p>
</header>
<main>
<table>
<thead><tr><th>Student</th><th>From</th><th>To</th><th>Time out</th><th>Last known</th>
<th>Status</th><th>Reports</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</main>
</body>
</html>
"""
