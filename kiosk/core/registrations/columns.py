"""The CSV structure and the header (steps 2 and 3, see kiosk.core.registrations.export):
the delimiter, the header row, which column is which, the export's format.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kiosk.core.registrations.model import (
    DELIMITER_SAMPLE_RECORDS,
    DELIMITERS,
    FORMAT_EVENTBRITE,
    FORMAT_GOOGLE_FORMS,
    FORMAT_PLAIN,
    FORMAT_PRETIX,
    HEADER_SEARCH_RECORDS,
    HEADERS_SHOWN_IN_ERRORS,
    IGNORE_FIELD,
    NAME_FIELDS,
    TARGET_FIELDS,
    ColumnMappingError,
    RegistrationFileError,
)

# --------------------------------------------------------------------------------------------
# CSV structure
# --------------------------------------------------------------------------------------------


def split_off_delimiter_hint(text: str) -> tuple[str, str | None]:
    """Honour and remove an Excel ``sep=;`` first line (Excel does not show it as a row)."""
    first_line, newline, rest = text.partition("\n")
    hint = re.fullmatch(r'"?sep=(.)"?\s*', first_line, flags=re.IGNORECASE)
    if hint and newline:
        return rest, hint.group(1)
    return text, None


def _csv_records(text: str, delimiter: str) -> Iterable[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)


def detect_delimiter(text: str) -> str:
    """Pick the delimiter whose most common field count is shared by the most records."""
    best: tuple[int, int, int] | None = None
    chosen = ","
    for preference, delimiter in enumerate(DELIMITERS):
        try:
            sample = [
                record
                for record in itertools.islice(
                    _csv_records(text, delimiter), DELIMITER_SAMPLE_RECORDS
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


def read_records(text: str, delimiter: str) -> list[list[str]]:
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
class MappedColumn:
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


def validate_mapping_fields(mapping: Mapping[str, str]) -> dict[str, str]:
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


def _columns_for(headers: Sequence[str], mapping: Mapping[str, str]) -> list[MappedColumn]:
    """Recognise the columns of a header row and apply the explicit mapping over them."""
    columns: list[MappedColumn] = []
    for index, header in enumerate(headers):
        rule = _recognise_header(header) if header.strip() else None
        if rule is not None:
            columns.append(
                MappedColumn(index, header.strip(), rule.field, rule.part, rule.priority)
            )
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
                columns.append(MappedColumn(index, headers[index].strip(), field_name, part, -1))
    columns.sort(key=lambda column: (column.priority, column.index))
    return columns


def _is_usable(columns: Sequence[MappedColumn]) -> bool:
    fields = {column.field for column in columns}
    return "email" in fields and any(field_name in fields for field_name in NAME_FIELDS)


def find_header(
    records: Sequence[Sequence[str]], mapping: Mapping[str, str]
) -> tuple[int, list[MappedColumn]]:
    """Find the header row among the first non-empty records and its recognised columns."""
    candidates = [index for index, record in enumerate(records) if any(c.strip() for c in record)]
    if not candidates:
        raise RegistrationFileError("The file is empty.")
    first_problem: RegistrationFileError | None = None
    for index in candidates[:HEADER_SEARCH_RECORDS]:
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
        candidates[:HEADER_SEARCH_RECORDS],
        key=lambda index: (len(_columns_for(records[index], {})), -index),
    )
    headers = [cell.strip() for cell in records[best]]
    fields = {column.field for column in _columns_for(records[best], {})}
    lacking = []
    if not any(field_name in fields for field_name in NAME_FIELDS):
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
    shown = [f'"{item.strip()}"' for item in items[:HEADERS_SHOWN_IN_ERRORS]]
    if len(items) > HEADERS_SHOWN_IN_ERRORS:
        shown.append(f"and {len(items) - HEADERS_SHOWN_IN_ERRORS} more")
    return ", ".join(shown) if shown else "(none)"


def detect_format(headers: Sequence[str]) -> str:
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
