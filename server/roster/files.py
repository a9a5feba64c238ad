"""Roster files as bytes: the CSV files of a zip or a folder (guarded), and their text.

A zip may hold the files at its top or in one folder (how most people zip a folder). It is
never unpacked to disk: entries are read into memory, at most MAX_UNCOMPRESSED bytes in all
whatever their headers claim, and a name that climbs out (`..`, an absolute path) is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from server.roster.problems import ProblemCode, Problems

# Everything a zip unpacks to, in all: far above any district's roster, far below a zip bomb.
MAX_UNCOMPRESSED = 500 * 1024 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
BOM = b"\xef\xbb\xbf"
_CHUNK = 1024 * 1024
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")

# A file set: each CSV file by its name in lower case -> (its name as given, its bytes).
# OneRoster names are case-sensitive, but "academicsessions.csv" is common enough to accept.
Files = dict[str, tuple[str, bytes]]


def is_zip(data: bytes) -> bool:
    """Say whether the bytes are a zip archive (by its magic bytes, whatever its name)."""
    return data[:4] in ZIP_MAGIC


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]


def _skipped(name: str) -> bool:
    # Folders, and what macOS adds to the zips it makes.
    base = PurePosixPath(name).name
    return name.endswith("/") or name.startswith("__MACOSX/") or base.startswith(".")


def read_zip(data: bytes, label: str, problems: Problems) -> Files:
    """Return the CSV files of a zip (at its top, or in its one top folder)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as error:
        problems.add(label, None, None, ProblemCode.BAD_ZIP, f"{label} is not a zip: {error}.")
        return {}
    with archive:
        entries = [info for info in archive.infolist() if not _skipped(info.filename)]
        unsafe = [info for info in entries if _unsafe(info.filename)]
        for info in unsafe:
            problems.add(
                info.filename,
                None,
                None,
                ProblemCode.UNSAFE_PATH,
                f"The zip holds a file whose path leaves the zip ({info.filename}); "
                "nothing in this zip is read.",
            )
        if unsafe:
            return {}
        declared = sum(info.file_size for info in entries)
        if declared > MAX_UNCOMPRESSED:
            _too_large(label, problems)
            return {}
        chosen = _top_level([info for info in entries if info.filename.lower().endswith(".csv")])
        if not chosen and any(info.filename == "[Content_Types].xml" for info in entries):
            problems.add(
                label,
                None,
                None,
                ProblemCode.BAD_ZIP,
                f"{label} is an Office document (an Excel workbook?), not CSV files: "
                "save it as CSV UTF-8.",
            )
            return {}
        files: Files = {}
        budget = MAX_UNCOMPRESSED
        for info in chosen:
            name = PurePosixPath(info.filename).name
            try:
                body = _read_entry(archive, info, budget)
            except _TooLarge:
                _too_large(label, problems)
                return {}
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error) as error:
                problems.add(
                    name, None, None, ProblemCode.BAD_ZIP, f"{name} cannot be unzipped: {error}."
                )
                continue
            budget -= len(body)
            files[name.lower()] = (name, body)
        return files


def _top_level(entries: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    # Files at the top win; else, when every file sits in one folder, that folder's files.
    top = [info for info in entries if "/" not in info.filename]
    if top:
        return top
    folders = {info.filename.split("/", 1)[0] for info in entries}
    if len(folders) != 1:
        return []
    return [info for info in entries if info.filename.count("/") == 1]


class _TooLarge(Exception):
    pass


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    # Read in chunks and stop at the budget: an entry's header may lie about its size.
    parts: list[bytes] = []
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > budget:
                raise _TooLarge
            parts.append(chunk)
    return b"".join(parts)


def _too_large(label: str, problems: Problems) -> None:
    problems.add(
        label,
        None,
        None,
        ProblemCode.TOO_LARGE,
        f"{label} unpacks to more than {MAX_UNCOMPRESSED // (1024 * 1024)} MB; it is not read.",
    )


def read_folder(folder: Path, problems: Problems) -> Files:
    """Return the CSV files of a folder (or of its one subfolder, when it holds no CSV)."""
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    if not paths:
        subfolders = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
        if len(subfolders) == 1:
            return read_folder(subfolders[0], problems)
    if sum(p.stat().st_size for p in paths) > MAX_UNCOMPRESSED:
        _too_large(folder.name, problems)
        return {}
    return {p.name.lower(): (p.name, p.read_bytes()) for p in paths}


def decode(name: str, data: bytes, problems: Problems) -> str | None:
    """Return a file's text (UTF-8, with or without a BOM), or None after naming its problem."""
    body = data[len(BOM) :] if data.startswith(BOM) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len(_LINE_BREAK.findall(body, 0, error.start)) + 1
        byte = body[error.start]
        problems.add(
            name,
            line,
            None,
            ProblemCode.NOT_UTF8,
            f"{name} is not UTF-8: byte 0x{byte:02X} on line {line} is not valid UTF-8. "
            "Save the file as UTF-8 (in Excel: CSV UTF-8) and try again.",
        )
        return None
    if not text.strip():
        problems.add(
            name, None, None, ProblemCode.EMPTY_FILE, f"{name} is empty: it needs a header row."
        )
        return None
    return text
