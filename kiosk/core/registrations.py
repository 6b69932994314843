"""Reading registration exports (CSV files from the festival website) into clean registrations.

Everything here is a pure function over ``bytes`` or values: the caller reads the file and
writes the database. The pipeline is

1. **Encoding** (:func:`decode_export`), first rule that applies wins:

   * a byte-order mark: UTF-8 (``utf-8-sig``), UTF-16 LE or BE;
   * no BOM but NUL bytes in most odd (or even) positions of the first 4 KB: BOM-less UTF-16 LE
     (or BE), as Excel's "Unicode text" can write;
   * the whole file decodes as strict UTF-8: UTF-8 (legacy double-byte text practically never
     does);
   * otherwise every strict decode among Big5-HKSCS, GB18030 and Windows-1252 is scored and the
     best one wins. Chinese candidates: +1 per *common* Han character (GB2312 level 1, the 3,755
     everyday simplified characters, or Big5 level 1, the 5,401 everyday traditional ones), -1
     per other non-ASCII character (rare Han, kana, box drawing, symbols), -3 per control,
     private-use or unassigned character; the wrong Chinese decoding turns a large share of the
     characters into rare ones. Windows-1252: +2 per accented letter inside an ASCII word
     (``Müller``), -1 per character of any other non-ASCII run (Chinese read as Windows-1252
     gives runs like ``³Â´óÎÄ``). Ties go to Big5-HKSCS (the Hong Kong default), then GB18030.
     A file holding a single short name can still be guessed wrong; ``encoding=`` overrides.

2. **Delimiter**: an Excel ``sep=;`` first line wins. Otherwise each of ``, ; TAB |`` is tried
   with the csv module (so quotes, quoted delimiters and embedded newlines are honoured) on the
   first 50 records; the candidate whose most common field count (at least 2) is shared by the
   most records wins, ties going to more fields, then to the order above.

3. **Header**: the first of the first five non-empty records in which a name and an e-mail
   column are recognised (so a title line above the header is tolerated). Header cells are
   compared after NFKC, case folding and dropping everything but letters and digits (``#``
   counts as "no"), so ``E-Mail``, ``email`` and ``Email:`` are the same; bilingual headers
   (``Name 姓名``, ``English Name / 英文姓名``) and explanations in brackets (``Full name (as on
   ID)``) are recognised by their parts when all recognised parts agree.

4. **Rows**: names are kept as written (NFC, surrounding whitespace stripped, inner runs of
   whitespace collapsed); e-mails are NFKC-normalised, trimmed and lower-cased. Rows whose status
   means the person is not coming are counted, not imported. Rows of the same person are merged.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache
from typing import TypeAlias

from kiosk.core.names import clean_name, name_problem

logger = logging.getLogger(__name__)

TARGET_FIELDS: tuple[str, ...] = (
    "name",
    "first_name",
    "last_name",
    "name_latin",
    "email",
    "status",
    "external_id",
    "phone",
    "registered_at",
)
"""The fields a column can be mapped to (see ``mapping`` in :func:`parse_registration_export`)."""

IGNORE_FIELD = "ignore"
"""Mapping a column to this pseudo-field stops it from being recognised automatically."""

FORMAT_EVENTBRITE = "eventbrite"
FORMAT_PRETIX = "pretix"
FORMAT_GOOGLE_FORMS = "google-forms"
FORMAT_PLAIN = "plain"

_KeyFunction: TypeAlias = Callable[[int], str]
_NAME_FIELDS = ("name", "first_name", "last_name", "name_latin")
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_SAMPLE_RECORDS = 50
_HEADER_SEARCH_RECORDS = 5
_UTF16_SNIFF_BYTES = 4096
_HEADERS_SHOWN_IN_ERRORS = 30


class RegistrationFileError(ValueError):
    """A registration export that cannot be used at all (as opposed to a few bad rows)."""


class ColumnMappingError(RegistrationFileError):
    """An explicit column mapping that names an unknown field or a header the file lacks."""


class RowProblem(Enum):
    """What is wrong with one row of an export."""

    MISSING_NAME = "missing_name"
    MISSING_EMAIL = "missing_email"
    MALFORMED_EMAIL = "malformed_email"
    FIELD_COUNT = "field_count"
    DUPLICATE_ID = "duplicate_id"
    BAD_NAME = "bad_name"  # invisible characters only, or far too long


@dataclass(frozen=True)
class RowError:
    """One problem in one row; ``row_number`` is the row as a spreadsheet shows it (header = 1)."""

    row_number: int
    problem: RowProblem
    message: str

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.message}"


@dataclass(frozen=True)
class Registration:
    """One person registered for the event, cleaned up from one (or more merged) export rows."""

    name: str
    name_latin: str | None
    email: str
    external_id: str | None
    phone: str | None
    registered_at: str | None
    source_row: int


@dataclass(frozen=True)
class RegistrationExport:
    """Everything read from one export: the registrations, the bad rows and what was detected."""

    registrations: list[Registration]
    errors: list[RowError]
    skipped_not_attending: int
    duplicates_merged: int
    encoding: str
    delimiter: str
    format: str
    column_mapping: dict[str, str]
    headers: list[str]
    header_row: int


@dataclass(frozen=True)
class ExistingAttendee:
    """An attendee already in the event, as far as matching against a new export needs it."""

    attendee_id: int
    name: str
    name_latin: str | None
    email: str | None
    external_id: str | None
    phone: str | None = None


@dataclass(frozen=True)
class AttendeeMatch:
    """An existing attendee found again in the export; ``changed_fields`` lists what differs."""

    existing: ExistingAttendee
    registration: Registration
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class ImportPlan:
    """What importing an export would do; nothing is ever deleted (``missing`` is a report)."""

    new: list[Registration]
    updated: list[AttendeeMatch]
    unchanged: list[AttendeeMatch]
    missing: list[ExistingAttendee]


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def parse_registration_export(
    data: bytes,
    mapping: Mapping[str, str] | None = None,
    *,
    encoding: str | None = None,
) -> RegistrationExport:
    """Read a registration export (CSV bytes) into registrations, row errors and a summary.

    ``mapping`` maps header names to fields (see :data:`TARGET_FIELDS`, or :data:`IGNORE_FIELD`)
    and takes precedence over automatic recognition. ``encoding`` skips encoding detection.
    Raises :class:`RegistrationFileError` when the file as a whole cannot be used.
    """
    explicit_mapping = _validate_mapping_fields(mapping or {})
    if encoding is None:
        text, encoding_used = decode_export(data)
    else:
        try:
            text, encoding_used = data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as error:
            message = f"The file cannot be read as {encoding}: {error}"
            raise RegistrationFileError(message) from error
        text = text.removeprefix("\ufeff")
    text, delimiter = _split_off_delimiter_hint(text)
    if not text.strip():
        raise RegistrationFileError("The file is empty.")
    if delimiter is None:
        delimiter = _detect_delimiter(text)
    records = _read_records(text, delimiter)
    header_index, columns = _find_header(records, explicit_mapping)
    headers = [cell.strip() for cell in records[header_index]]
    reader = _RowReader(headers, columns, delimiter)

    errors: list[RowError] = []
    skipped = 0
    candidates: list[_Candidate] = []
    for index in range(header_index + 1, len(records)):
        record = records[index]
        if not any(cell.strip() for cell in record):
            continue
        outcome = reader.read(record, row_number=index + 1)
        if outcome is None:
            skipped += 1
        elif isinstance(outcome, _Candidate):
            candidates.append(outcome)
        else:
            errors.extend(outcome)
    registrations, merged, duplicate_id_errors = _merge_duplicates(candidates)
    errors = sorted([*errors, *duplicate_id_errors], key=lambda error: error.row_number)
    export_format = _detect_format(headers)
    logger.info(
        "Read %s export (%s, delimiter %r): %d registrations, %d row errors, "
        "%d not attending, %d duplicates merged",
        export_format,
        encoding_used,
        delimiter,
        len(registrations),
        len(errors),
        skipped,
        merged,
    )
    return RegistrationExport(
        registrations=registrations,
        errors=errors,
        skipped_not_attending=skipped,
        duplicates_merged=merged,
        encoding=encoding_used,
        delimiter=delimiter,
        format=export_format,
        column_mapping={
            column.header: column.field
            for column in sorted(columns, key=lambda column: column.index)
        },
        headers=headers,
        header_row=header_index + 1,
    )


def sniff_header_row(data: bytes) -> list[str]:
    """The first non-empty record of an export, for choosing columns by hand.

    Used when no header row is recognised, so the operator can map the columns. Raises
    :class:`RegistrationFileError` when the file is empty or not readable as text.
    """
    text, _ = decode_export(data)
    text, delimiter = _split_off_delimiter_hint(text)
    if not text.strip():
        raise RegistrationFileError("The file is empty.")
    records = _read_records(text, delimiter or _detect_delimiter(text))
    for record in records:
        if any(cell.strip() for cell in record):
            return [cell.strip() for cell in record]
    raise RegistrationFileError("The file is empty.")


def parse_mapping_options(options: Iterable[str]) -> dict[str, str]:
    """Turn command-line ``--map "Column Name=field"`` values into a mapping.

    Splits at the last ``=`` (field names never contain one). Field names are validated later,
    by :func:`parse_registration_export`, against the file's headers.
    """
    mapping: dict[str, str] = {}
    for option in options:
        header, separator, field_name = option.rpartition("=")
        if not separator or not header.strip() or not field_name.strip():
            raise ColumnMappingError(
                f'Cannot read the column mapping {option!r}: write it as "Column Name=field".'
            )
        mapping[header.strip()] = field_name.strip()
    return mapping


def decode_export(data: bytes) -> tuple[str, str]:
    """Decode an export's bytes, detecting the encoding; return the text and the codec name.

    See the module documentation for the heuristic. Raises :class:`RegistrationFileError` for
    an empty file or one that no candidate encoding can decode.
    """
    if not data.strip(b" \t\r\n\x00"):
        raise RegistrationFileError("The file is empty.")
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec.removesuffix("-sig")), codec
            except UnicodeDecodeError as error:
                raise RegistrationFileError(
                    f"The file starts with a {codec} byte-order mark but is not valid {codec}: "
                    f"{error}"
                ) from error
    utf16 = _sniff_bomless_utf16(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    scored: list[tuple[int, int, str, str]] = []
    for preference, codec in enumerate(("big5hkscs", "gb18030", "cp1252")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _latin_plausibility(text) if codec == "cp1252" else _han_plausibility(text)
        scored.append((score, -preference, codec, text))
    if not scored:
        raise RegistrationFileError(
            "Cannot tell the file's text encoding (tried UTF-8, UTF-16, Big5-HKSCS, GB18030 and "
            'Windows-1252). Save it from the spreadsheet as "CSV UTF-8" and try again.'
        )
    _, _, codec, text = max(scored)
    logger.debug("Encoding scores: %s", {entry[2]: entry[0] for entry in scored})
    return text, codec


def plan_import(
    existing: Sequence[ExistingAttendee], incoming: Sequence[Registration]
) -> ImportPlan:
    """Work out what importing ``incoming`` into an event holding ``existing`` would change.

    An existing attendee and a registration are matched, each at most once, in this order:
    by ``external_id`` when both have one; then by e-mail and same name; then by e-mail alone
    when exactly one attendee and one registration have that e-mail; then by exact name when
    the existing attendee has no e-mail and the name is unique on both sides. Two records whose
    external ids both exist and differ are never matched (different tickets).

    A matched pair is ``updated`` when the name, Latin name, phone or e-mail differ, or the
    external id becomes known; a blank value in the export never erases a stored one.
    Existing attendees not matched are ``missing``: reported, never deleted.
    """
    matched: dict[int, int] = {}  # incoming index -> existing index
    free_existing = set(range(len(existing)))

    def pair(incoming_index: int, existing_index: int) -> None:
        matched[incoming_index] = existing_index
        free_existing.discard(existing_index)

    def compatible(existing_index: int, incoming_index: int) -> bool:
        ours, theirs = existing[existing_index].external_id, incoming[incoming_index].external_id
        return not (ours and theirs and ours != theirs)

    by_external_id: dict[str, list[int]] = defaultdict(list)
    for index, attendee in enumerate(existing):
        if attendee.external_id:
            by_external_id[attendee.external_id].append(index)
    for incoming_index, registration in enumerate(incoming):
        if registration.external_id:
            for existing_index in by_external_id.get(registration.external_id, []):
                if existing_index in free_existing:
                    pair(incoming_index, existing_index)
                    break

    def match_unique(key_of_existing: _KeyFunction, key_of_incoming: _KeyFunction) -> None:
        existing_by_key: dict[str, list[int]] = defaultdict(list)
        for index in sorted(free_existing):
            key = key_of_existing(index)
            if key:
                existing_by_key[key].append(index)
        incoming_by_key: dict[str, list[int]] = defaultdict(list)
        for index in range(len(incoming)):
            key = key_of_incoming(index)
            if index not in matched and key:
                incoming_by_key[key].append(index)
        for key, incoming_indexes in incoming_by_key.items():
            existing_indexes = existing_by_key.get(key, [])
            if (
                len(incoming_indexes) == 1
                and len(existing_indexes) == 1
                and compatible(existing_indexes[0], incoming_indexes[0])
            ):
                pair(incoming_indexes[0], existing_indexes[0])

    def email_of_existing(index: int) -> str:
        return normalise_email(existing[index].email or "")

    def email_of_incoming(index: int) -> str:
        return normalise_email(incoming[index].email)

    def email_and_name_of_existing(index: int) -> str:
        email = email_of_existing(index)
        return f"{email}\n{_name_key(existing[index].name)}" if email else ""

    def email_and_name_of_incoming(index: int) -> str:
        return f"{email_of_incoming(index)}\n{_name_key(incoming[index].name)}"

    def name_of_existing_without_email(index: int) -> str:
        return "" if existing[index].email else _name_key(existing[index].name)

    def name_of_incoming(index: int) -> str:
        return _name_key(incoming[index].name)

    match_unique(email_and_name_of_existing, email_and_name_of_incoming)
    match_unique(email_of_existing, email_of_incoming)
    match_unique(name_of_existing_without_email, name_of_incoming)

    new: list[Registration] = []
    updated: list[AttendeeMatch] = []
    unchanged: list[AttendeeMatch] = []
    for incoming_index, registration in enumerate(incoming):
        if incoming_index not in matched:
            new.append(registration)
            continue
        attendee = existing[matched[incoming_index]]
        match = AttendeeMatch(attendee, registration, _changed_fields(attendee, registration))
        (updated if match.changed_fields else unchanged).append(match)
    missing = [existing[index] for index in sorted(free_existing)]
    return ImportPlan(new=new, updated=updated, unchanged=unchanged, missing=missing)


def normalise_name(text: str) -> str:
    """Clean a name without changing how it is written (see :func:`kiosk.core.names.clean_name`):
    NFC, no bidi controls or invisible characters, trimmed, whitespace runs collapsed."""
    return clean_name(text)


def normalise_email(text: str) -> str:
    """Clean an e-mail address: NFKC (full-width typing), trimmed, no ``mailto:``, lower case."""
    email = unicodedata.normalize("NFKC", text).strip()
    if email[:7].lower() == "mailto:":
        email = email[7:].strip()
    return email.lower()


_EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)*\.[^@\s.]{2,}")


def is_plausible_email(email: str) -> bool:
    """Loosely check an e-mail address: something@something.tld, no spaces, one ``@``."""
    return _EMAIL_PATTERN.fullmatch(email) is not None


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------


def _sniff_bomless_utf16(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 from where the NUL bytes are (ASCII text: every other byte)."""
    sample = data[:_UTF16_SNIFF_BYTES]
    if len(data) % 2 or len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    pairs = len(sample) // 2
    if odd_nuls >= 0.3 * pairs and even_nuls <= 0.05 * pairs:
        return "utf-16-le"
    if even_nuls >= 0.3 * pairs and odd_nuls <= 0.05 * pairs:
        return "utf-16-be"
    return None


@lru_cache(maxsize=8192)
def _is_common_han(character: str) -> bool:
    """True for an everyday Chinese character: GB2312 level 1 or Big5 level 1."""
    try:
        gb = character.encode("gb2312")
    except UnicodeEncodeError:
        gb = b""
    if len(gb) == 2 and 0xB0 <= gb[0] <= 0xD7:
        return True
    try:
        big5 = character.encode("big5")
    except UnicodeEncodeError:
        big5 = b""
    return len(big5) == 2 and 0xA440 <= int.from_bytes(big5, "big") <= 0xC67E


def _is_neutral(character: str) -> bool:
    """Characters that say nothing about the encoding: spaces, CJK and full-width punctuation."""
    code_point = ord(character)
    return (
        character.isspace()
        or 0x3000 <= code_point <= 0x303F
        or 0xFF01 <= code_point <= 0xFF60
        or character in "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00b7"
    )


def _han_plausibility(text: str) -> int:
    """Score text decoded as Chinese: +1 per everyday Han character, less for anything unusual."""
    score = 0
    for character in text:
        if character.isascii() or _is_neutral(character):
            continue
        if unicodedata.category(character) in ("Cc", "Co", "Cn", "Cs"):
            score -= 3
        elif _is_common_han(character):
            score += 1
        else:
            score -= 1
    return score


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _is_accented_latin(character: str) -> bool:
    """Latin letters with diacritics and ligatures (À-ɏ), not ª º µ or other symbols."""
    return 0xC0 <= ord(character) <= 0x24F and character.isalpha()


def _latin_plausibility(text: str) -> int:
    """Score text decoded as Windows-1252: +2 per accented letter set in an ASCII word.

    Real names have one or two accented letters inside a word (``Müller``, ``Ærø``); Chinese
    bytes read as Windows-1252 give long runs of symbols and accented letters (``³Â´óÎÄ``).
    """
    score = 0
    for run in _NON_ASCII_RUN.finditer(text):
        characters = run.group()
        if all(_is_neutral(character) for character in characters):
            continue
        before = text[run.start() - 1] if run.start() else ""
        after = text[run.end()] if run.end() < len(text) else ""
        in_a_word = before.isalpha() or after.isalpha()
        if len(characters) <= 2 and in_a_word and all(map(_is_accented_latin, characters)):
            score += 2 * len(characters)
        else:
            score -= len(characters)
    return score


# --------------------------------------------------------------------------------------------
# CSV structure
# --------------------------------------------------------------------------------------------


def _split_off_delimiter_hint(text: str) -> tuple[str, str | None]:
    """Honour and remove an Excel ``sep=;`` first line (Excel does not show it as a row)."""
    first_line, newline, rest = text.partition("\n")
    hint = re.fullmatch(r'"?sep=(.)"?\s*', first_line, flags=re.IGNORECASE)
    if hint and newline:
        return rest, hint.group(1)
    return text, None


def _csv_records(text: str, delimiter: str) -> Iterable[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)


def _detect_delimiter(text: str) -> str:
    """Pick the delimiter whose most common field count is shared by the most records."""
    best: tuple[int, int, int] | None = None
    chosen = ","
    for preference, delimiter in enumerate(_DELIMITERS):
        try:
            sample = [
                record
                for record in itertools.islice(
                    _csv_records(text, delimiter), _DELIMITER_SAMPLE_RECORDS
                )
                if any(cell.strip() for cell in record)
            ]
        except csv.Error:
            continue
        widths = Counter(len(record) for record in sample)
        if not widths:
            continue
        width, _ = max(widths.items(), key=lambda item: (item[1], item[0]))
        if width < 2:
            continue
        consistent = sum(
            1
            for record in sample
            if len(record) >= width and not any(cell.strip() for cell in record[width:])
        )
        score = (consistent, width, -preference)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def _read_records(text: str, delimiter: str) -> list[list[str]]:
    try:
        return list(_csv_records(text, delimiter))
    except csv.Error as error:
        raise RegistrationFileError(f"The file cannot be read as CSV: {error}") from error


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    """What a recognised header means: the field, which kind of that field, and its priority."""

    field: str
    part: str
    priority: int


@dataclass(frozen=True)
class _Column:
    index: int
    header: str
    field: str
    part: str
    priority: int


# (field, part, header spellings separated by "|"). Within a field, earlier rows and earlier
# spellings win when several columns are present; every recognised column is still a fallback
# for the cells the preferred one leaves empty.
_HEADER_RULES: tuple[tuple[str, str, str], ...] = (
    (
        "name",
        "attendee",
        "attendee name|attendee full name|participant name|guest name|name of attendee|"
        "teilnehmername|name des teilnehmers|"
        "參加者姓名|参加者姓名|與會者姓名|与会者姓名|出席者姓名",
    ),
    (
        "name",
        "full",
        "full name|name|your name|chinese name|name chinese|name in chinese|"
        "姓名|全名|中文姓名|中文全名|中文名|名字|你的姓名|您的姓名|參加者|参加者",
    ),
    (
        "first_name",
        "given",
        "first name|given name|given names|forename|attendee first name|"
        "attendee name: given name|vorname|"
        "名",
    ),
    (
        "last_name",
        "family",
        "last name|surname|family name|attendee last name|attendee name: family name|"
        "nachname|"
        "姓|姓氏",
    ),
    (
        "name_latin",
        "latin",
        "english name|name english|name in english|english full name|latin name|"
        "name latin|romanised name|romanized name|"
        "英文姓名|英文名|英文名字|英文全名|拼音姓名|姓名拼音|拼音",
    ),
    (
        "email",
        "attendee",
        "attendee email|attendee e-mail|attendee email address|teilnehmer e-mail",
    ),
    (
        "email",
        "main",
        "email|e-mail|email address|e-mail address|your email|mail|e-mail-adresse|"
        "電郵|電郵地址|電子郵件|電子郵件地址|電子郵箱|电子邮件|电子邮件地址|电子邮箱|邮箱|"
        "郵箱|邮件地址|郵件地址",
    ),
    (
        "status",
        "status",
        "attendee status|status|order status|ticket status|registration status|"
        "bestellstatus|"
        "狀態|状态|報名狀態|报名状态|訂單狀態|订单状态",
    ),
    (
        "external_id",
        "ticket",
        "attendee #|attendee no|attendee number|attendee id|ticket #|ticket no|"
        "ticket number|ticket id|registration id|registration number|registration no|"
        "barcode #|"
        "報名編號|报名编号|登記編號|门票编号|門票編號|票號|票号",
    ),
    (
        "external_id",
        "order",
        "order #|order no|order number|order id|order code|order reference|bestellnummer|"
        "訂單編號|订单编号|訂單號碼|订单号",
    ),
    ("external_id", "position", "position id|positions-id"),
    (
        "phone",
        "phone",
        "phone|phone number|mobile|mobile number|mobile phone|cell phone|telephone|"
        "telephone number|tel|contact number|contact phone|telefon|telefonnummer|"
        "電話|电话|電話號碼|电话号码|手機|手机|手機號碼|手机号码|聯絡電話|联系电话|"
        "聯絡號碼|流動電話",
    ),
    (
        "registered_at",
        "timestamp",
        "timestamp|order date|registration date|registered at|date registered|"
        "registration time|submitted at|submission date|created at|created|bestelldatum|"
        "zeitstempel|date|"
        "時間戳記|时间戳记|提交時間|提交时间|報名時間|报名时间|報名日期|报名日期|登記時間|"
        "訂單日期|订单日期",
    ),
    ("registered_at", "time", "order time|bestellzeit"),
)

# The kind a column gets when it is mapped explicitly.
_MAPPED_PARTS = {
    "name": "full",
    "first_name": "given",
    "last_name": "family",
    "name_latin": "latin",
    "email": "main",
    "status": "status",
    "external_id": "ticket",
    "phone": "phone",
    "registered_at": "timestamp",
}


def _header_key(text: str) -> str:
    """Reduce a header to what identifies it: NFKC, case-folded, letters and digits only."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("#", " no ")
    return "".join(character for character in folded if character.isalnum())


def _build_rules() -> dict[str, _Rule]:
    rules: dict[str, _Rule] = {}
    priority = 0
    for field_name, part, spellings in _HEADER_RULES:
        for spelling in spellings.split("|"):
            rules.setdefault(_header_key(spelling), _Rule(field_name, part, priority))
            priority += 1
    return rules


_RULES = _build_rules()
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_PART_SEPARATORS = re.compile(r"[/|:：\n]+")
_HAN = "\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_SCRIPT_RUNS = re.compile(f"[{_HAN}]+|[^{_HAN}]+")


def _recognise_header(header: str) -> _Rule | None:
    """Find the rule for a header: whole, without brackets, or by its agreeing parts."""
    without_brackets = _BRACKETED.sub(" ", header)
    for whole in (header, without_brackets):
        rule = _RULES.get(_header_key(whole))
        if rule is not None:
            return rule
    parts = {
        _header_key(part)
        for source in (header, without_brackets)
        for piece in _PART_SEPARATORS.split(source)
        for part in [piece, *_SCRIPT_RUNS.findall(piece)]
    }
    found = {_RULES[key] for key in parts if key in _RULES}
    meanings = {(rule.field, rule.part) for rule in found}
    if len(meanings) == 1:
        return min(found, key=lambda rule: rule.priority)
    return None


def _validate_mapping_fields(mapping: Mapping[str, str]) -> dict[str, str]:
    valid = (*TARGET_FIELDS, IGNORE_FIELD)
    cleaned: dict[str, str] = {}
    for header, field_name in mapping.items():
        target = field_name.strip().lower()
        if target not in valid:
            raise ColumnMappingError(
                f"Unknown field {field_name!r} in the column mapping for {header!r}; "
                f"use one of: {', '.join(valid)}."
            )
        cleaned[header.strip()] = target
    return cleaned


def _locate_header(headers: Sequence[str], wanted: str) -> int | None:
    """Index of a header named in a mapping: exact match first, then the same header key."""
    stripped = [header.strip() for header in headers]
    if wanted in stripped:
        return stripped.index(wanted)
    key = _header_key(wanted)
    matches = [index for index, header in enumerate(stripped) if _header_key(header) == key]
    return matches[0] if key and len(matches) == 1 else None


def _columns_for(headers: Sequence[str], mapping: Mapping[str, str]) -> list[_Column]:
    """Recognise the columns of a header row and apply the explicit mapping over them."""
    columns: list[_Column] = []
    for index, header in enumerate(headers):
        rule = _recognise_header(header) if header.strip() else None
        if rule is not None:
            columns.append(_Column(index, header.strip(), rule.field, rule.part, rule.priority))
    if mapping:
        mapped: dict[int, str] = {}
        missing = []
        for wanted, field_name in mapping.items():
            located = _locate_header(headers, wanted)
            if located is None:
                missing.append(wanted)
            else:
                mapped[located] = field_name
        if missing:
            raise ColumnMappingError(
                f"The column mapping names {_quoted_list(missing)}, which "
                f"{'is' if len(missing) == 1 else 'are'} not in the header row. "
                f"Headers found: {_quoted_list(headers)}."
            )
        overridden = set(mapped.values())
        columns = [
            column
            for column in columns
            if column.index not in mapped and column.field not in overridden
        ]
        for index, field_name in mapped.items():
            if field_name != IGNORE_FIELD:
                part = _MAPPED_PARTS[field_name]
                columns.append(_Column(index, headers[index].strip(), field_name, part, -1))
    columns.sort(key=lambda column: (column.priority, column.index))
    return columns


def _is_usable(columns: Sequence[_Column]) -> bool:
    fields = {column.field for column in columns}
    return "email" in fields and any(field_name in fields for field_name in _NAME_FIELDS)


def _find_header(
    records: Sequence[Sequence[str]], mapping: Mapping[str, str]
) -> tuple[int, list[_Column]]:
    """Find the header row among the first non-empty records and its recognised columns."""
    candidates = [index for index, record in enumerate(records) if any(c.strip() for c in record)]
    if not candidates:
        raise RegistrationFileError("The file is empty.")
    first_problem: RegistrationFileError | None = None
    for index in candidates[:_HEADER_SEARCH_RECORDS]:
        try:
            columns = _columns_for(records[index], mapping)
        except ColumnMappingError as error:
            first_problem = first_problem or error
            continue
        if _is_usable(columns):
            return index, columns
    if first_problem is not None:
        raise first_problem
    # Report on the record that looks most like a header: the most recognised columns.
    best = max(
        candidates[:_HEADER_SEARCH_RECORDS],
        key=lambda index: (len(_columns_for(records[index], {})), -index),
    )
    headers = [cell.strip() for cell in records[best]]
    fields = {column.field for column in _columns_for(records[best], {})}
    lacking = []
    if not any(field_name in fields for field_name in _NAME_FIELDS):
        lacking.append("name")
    if "email" not in fields:
        lacking.append("e-mail")
    raise RegistrationFileError(
        f"No {' or '.join(lacking)} column recognised in the header row. "
        f"Headers found: {_quoted_list(headers)}. "
        'Name the columns with --map "Column Name=field" (fields: '
        f"{', '.join(TARGET_FIELDS)})."
    )


def _quoted_list(items: Sequence[str]) -> str:
    shown = [f'"{item.strip()}"' for item in items[:_HEADERS_SHOWN_IN_ERRORS]]
    if len(items) > _HEADERS_SHOWN_IN_ERRORS:
        shown.append(f"and {len(items) - _HEADERS_SHOWN_IN_ERRORS} more")
    return ", ".join(shown) if shown else "(none)"


def _detect_format(headers: Sequence[str]) -> str:
    """Name the website the export most likely came from, from its header row."""
    keys = [_header_key(header) for header in headers]
    key_set = set(keys)
    if key_set & {"attendeeno", "attendeestatus"} or {"orderno", "firstname"} <= key_set:
        return FORMAT_EVENTBRITE
    if key_set & {"ordercode", "positionid", "bestellnummer", "positionsid"}:
        return FORMAT_PRETIX
    if keys and keys[0] in {"timestamp", "時間戳記", "时间戳记", "zeitstempel"}:
        return FORMAT_GOOGLE_FORMS
    return FORMAT_PLAIN


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------

# A status starting with one of these words (Latin) or containing one of these (CJK) means the
# person is not coming. Anything else ("paid", "pending", "Attending", "Checked In") is coming.
_NOT_ATTENDING_LATIN = (
    "cancelled|canceled|cancellation|refunded|not attending|deleted|expired|void|voided|"
    "declined|rejected|withdrawn|storniert|abgelaufen|erstattet|zurückerstattet|gelöscht|"
    "annulé|annulée|remboursé|expiré"
)
_NOT_ATTENDING_HAN = (
    "取消|退款|退票|過期|过期|不出席|不參加|不参加|刪除|删除|作廢|作废|撤銷|撤销|拒絕|拒绝"
)
_NOT_ATTENDING_WORDS = tuple(_NOT_ATTENDING_LATIN.split("|"))
_NOT_ATTENDING_CJK = tuple(_NOT_ATTENDING_HAN.split("|"))


def means_not_attending(status: str) -> bool:
    """True when a registration status says the person is not coming (cancelled, refunded...)."""
    key = " ".join(unicodedata.normalize("NFKC", status).casefold().split())
    if any(word in key for word in _NOT_ATTENDING_CJK):
        return True
    for word in _NOT_ATTENDING_WORDS:
        if key.startswith(word):
            rest = key[len(word) :]
            if not rest or not rest[0].isalpha():
                return True
    return False


def _is_han(text: str) -> bool:
    return bool(text) and all(unicodedata.name(c, "").startswith("CJK") for c in text)


def _compose_name(first: str, last: str) -> str:
    """Join given and family names: family first without a space for Chinese names."""
    if first and last:
        return last + first if _is_han(first) and _is_han(last) else f"{first} {last}"
    return first or last


@dataclass(frozen=True)
class _Candidate:
    registration: Registration
    per_attendee_id: bool  # external_id identifies one ticket, not a whole order


class _RowReader:
    """Turns one data record into a candidate registration, row errors, or ``None`` (skipped)."""

    def __init__(self, headers: Sequence[str], columns: Sequence[_Column], delimiter: str) -> None:
        self._width = len(headers)
        self._columns = columns
        self._delimiter = "TAB" if delimiter == "\t" else delimiter

    def _value(self, record: Sequence[str], field_name: str, part: str | None = None) -> str:
        for column in self._columns:
            if (
                column.field == field_name
                and (part is None or column.part == part)
                and column.index < len(record)
                and record[column.index].strip()
            ):
                return record[column.index].strip()
        return ""

    def read(self, record: Sequence[str], row_number: int) -> _Candidate | list[RowError] | None:
        too_long = [
            RowError(
                row_number,
                RowProblem.FIELD_COUNT,
                f"the row has {len(record)} fields but the header has {self._width}, so the "
                f"values cannot be matched to columns (probably an unquoted "
                f"'{self._delimiter}' inside a value; put that value in double quotes)",
            )
        ]
        if any(cell.strip() for cell in record[self._width :]):
            return too_long
        status = self._value(record, "status")
        if status and means_not_attending(status):
            return None
        short = (
            f" (the row has only {len(record)} of the header's {self._width} fields)"
            if len(record) < self._width
            else ""
        )
        errors: list[RowError] = []
        name_latin = normalise_name(self._value(record, "name_latin")) or None
        name = normalise_name(self._value(record, "name")) or normalise_name(
            _compose_name(self._value(record, "first_name"), self._value(record, "last_name"))
        )
        for field in ("name", "name_latin", "first_name", "last_name"):
            problem = name_problem(self._value(record, field))
            if problem:
                errors.append(RowError(row_number, RowProblem.BAD_NAME, f"{field}: {problem}"))
        if not name and name_latin:
            name, name_latin = name_latin, None
        if not name and not errors:
            errors.append(RowError(row_number, RowProblem.MISSING_NAME, f"missing name{short}"))
        raw_email = self._value(record, "email")
        email = normalise_email(raw_email)
        if not email:
            errors.append(
                RowError(row_number, RowProblem.MISSING_EMAIL, f"missing e-mail address{short}")
            )
        elif not is_plausible_email(email):
            errors.append(
                RowError(
                    row_number,
                    RowProblem.MALFORMED_EMAIL,
                    f"malformed e-mail address {raw_email!r}",
                )
            )
        if errors:
            # Extra empty fields are harmless on a good row, but on a bad one they are the clue.
            return too_long if len(record) > self._width else errors
        external_id, per_attendee_id = self._external_id(record)
        registration = Registration(
            name=name,
            name_latin=name_latin if name_latin != name else None,
            email=email,
            external_id=external_id,
            phone=" ".join(self._value(record, "phone").split()) or None,
            registered_at=self._registered_at(record),
            source_row=row_number,
        )
        return _Candidate(registration, per_attendee_id)

    def _external_id(self, record: Sequence[str]) -> tuple[str | None, bool]:
        ticket = self._value(record, "external_id", "ticket")
        if ticket:
            return ticket, True
        order = self._value(record, "external_id", "order")
        position = self._value(record, "external_id", "position")
        if order and position:
            return f"{order}-{position}", True
        return order or None, False

    def _registered_at(self, record: Sequence[str]) -> str | None:
        moment = self._value(record, "registered_at", "timestamp")
        time_of_day = self._value(record, "registered_at", "time")
        if moment and time_of_day and ":" not in moment:
            return f"{moment} {time_of_day}"
        return moment or None


def _name_key(name: str) -> str:
    return normalise_name(name).casefold()


def _merge_duplicates(
    candidates: Sequence[_Candidate],
) -> tuple[list[Registration], int, list[RowError]]:
    """Collapse rows of the same person; keep the first row, filling its blanks from the others.

    Same person: the same per-ticket external id with the same e-mail or name, or the same
    e-mail and name unless both rows carry different per-ticket ids (one buyer, two seats).
    A per-ticket id repeated for a different person is reported, not merged. An order-level id
    shared by rows of different people identifies nobody, so it is dropped from those rows.
    """
    kept: list[_Candidate] = []
    errors: list[RowError] = []
    by_ticket: dict[str, int] = {}
    by_person: dict[tuple[str, str], int] = {}
    merged = 0
    for candidate in candidates:
        registration = candidate.registration
        person = (registration.email, _name_key(registration.name))
        target: int | None = None
        if candidate.per_attendee_id and registration.external_id in by_ticket:
            target = by_ticket[registration.external_id]
            earlier = kept[target].registration
            if earlier.email != registration.email and _name_key(earlier.name) != person[1]:
                errors.append(
                    RowError(
                        registration.source_row,
                        RowProblem.DUPLICATE_ID,
                        f"the id {registration.external_id!r} is also on row "
                        f"{earlier.source_row}, for a different person ({earlier.name})",
                    )
                )
                continue
        elif person in by_person:
            earlier_candidate = kept[by_person[person]]
            different_tickets = (
                candidate.per_attendee_id
                and earlier_candidate.per_attendee_id
                and earlier_candidate.registration.external_id != registration.external_id
            )
            if not different_tickets:
                target = by_person[person]
        if target is None:
            by_person.setdefault(person, len(kept))
            if candidate.per_attendee_id and registration.external_id:
                by_ticket[registration.external_id] = len(kept)
            kept.append(candidate)
            continue
        merged += 1
        earlier_candidate = kept[target]
        earlier = earlier_candidate.registration
        takes_ticket_id = candidate.per_attendee_id and not earlier_candidate.per_attendee_id
        if takes_ticket_id and registration.external_id:
            by_ticket.setdefault(registration.external_id, target)
        if takes_ticket_id:
            external_id = registration.external_id
        else:
            external_id = earlier.external_id or registration.external_id
        kept[target] = _Candidate(
            replace(
                earlier,
                name_latin=earlier.name_latin or registration.name_latin,
                external_id=external_id,
                phone=earlier.phone or registration.phone,
                registered_at=earlier.registered_at or registration.registered_at,
            ),
            per_attendee_id=earlier_candidate.per_attendee_id or candidate.per_attendee_id,
        )
    order_ids = Counter(
        candidate.registration.external_id
        for candidate in kept
        if not candidate.per_attendee_id and candidate.registration.external_id
    )
    registrations = [
        replace(candidate.registration, external_id=None)
        if not candidate.per_attendee_id and order_ids[candidate.registration.external_id or ""] > 1
        else candidate.registration
        for candidate in kept
    ]
    return registrations, merged, errors


# --------------------------------------------------------------------------------------------
# Import planning helpers
# --------------------------------------------------------------------------------------------


def _changed_fields(attendee: ExistingAttendee, registration: Registration) -> tuple[str, ...]:
    changed: list[str] = []
    if normalise_name(attendee.name) != registration.name:
        changed.append("name")
    if registration.name_latin and normalise_name(attendee.name_latin or "") != (
        registration.name_latin
    ):
        changed.append("name_latin")
    if normalise_email(attendee.email or "") != normalise_email(registration.email):
        changed.append("email")
    if registration.phone and " ".join((attendee.phone or "").split()) != registration.phone:
        changed.append("phone")
    if registration.external_id and attendee.external_id != registration.external_id:
        changed.append("external_id")
    return tuple(changed)
