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

import logging
from collections.abc import Iterable, Mapping

from kiosk.core.registrations.columns import (
    detect_delimiter,
    detect_format,
    find_header,
    read_records,
    split_off_delimiter_hint,
    validate_mapping_fields,
)
from kiosk.core.registrations.encoding import decode_export
from kiosk.core.registrations.model import (
    ColumnMappingError,
    RegistrationExport,
    RegistrationFileError,
    RowError,
)
from kiosk.core.registrations.rows import RowCandidate, RowReader, merge_duplicates

logger = logging.getLogger(__name__)


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
    explicit_mapping = validate_mapping_fields(mapping or {})
    if encoding is None:
        text, encoding_used = decode_export(data)
    else:
        try:
            text, encoding_used = data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as error:
            message = f"The file cannot be read as {encoding}: {error}"
            raise RegistrationFileError(message) from error
        text = text.removeprefix("\ufeff")
    text, delimiter = split_off_delimiter_hint(text)
    if not text.strip():
        raise RegistrationFileError("The file is empty.")
    if delimiter is None:
        delimiter = detect_delimiter(text)
    records = read_records(text, delimiter)
    header_index, columns = find_header(records, explicit_mapping)
    headers = [cell.strip() for cell in records[header_index]]
    reader = RowReader(headers, columns, delimiter)

    errors: list[RowError] = []
    skipped = 0
    candidates: list[RowCandidate] = []
    for index in range(header_index + 1, len(records)):
        record = records[index]
        if not any(cell.strip() for cell in record):
            continue
        outcome = reader.read(record, row_number=index + 1)
        if outcome is None:
            skipped += 1
        elif isinstance(outcome, RowCandidate):
            candidates.append(outcome)
        else:
            errors.extend(outcome)
    registrations, merged, duplicate_id_errors = merge_duplicates(candidates)
    errors = sorted([*errors, *duplicate_id_errors], key=lambda error: error.row_number)
    export_format = detect_format(headers)
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
    text, delimiter = split_off_delimiter_hint(text)
    if not text.strip():
        raise RegistrationFileError("The file is empty.")
    records = read_records(text, delimiter or detect_delimiter(text))
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
