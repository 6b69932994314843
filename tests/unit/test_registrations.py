"""Registration exports: encodings, delimiters, dialects, row errors, dedupe and import plans."""

from __future__ import annotations

import pytest

from kiosk.core.registrations import (
    FORMAT_EVENTBRITE,
    FORMAT_GOOGLE_FORMS,
    FORMAT_PLAIN,
    FORMAT_PRETIX,
    ColumnMappingError,
    ExistingAttendee,
    Registration,
    RegistrationExport,
    RegistrationFileError,
    RowProblem,
    decode_export,
    is_plausible_email,
    means_not_attending,
    normalise_email,
    normalise_name,
    parse_mapping_options,
    parse_registration_export,
    plan_import,
)

HK_NAMES = ["陳大文", "李嘉欣", "歐陽娜娜", "黃子華"]

EVENTBRITE_ATTENDEE_REPORT = (
    "Order #,Order Date,First Name,Last Name,Email,Quantity,Ticket Type,Attendee #,"
    "Barcode #,Attendee Status\r\n"
    "8812345001,2024-09-01 10:15:02,Tai Man,Chan, Chan.TaiMan@Example.com ,1,"
    "General Admission,1100001,110000100101001,Attending\r\n"
    "8812345002,2024-09-01 11:02:40,Ka Yan,Lee,kayan.lee@example.com,2,"
    "General Admission,1100002,110000200101001,Checked In\r\n"
    "8812345002,2024-09-01 11:02:40,Wing,Ho,wing.ho@example.com,2,"
    "General Admission,1100003,110000300101001,Attending\r\n"
    "8812345003,2024-09-02 09:00:00,Na Na,Au Yeung,nana@example.com,1,"
    "General Admission,1100004,110000400101001,Not Attending\r\n"
    "8812345004,2024-09-02 09:30:00,Chi Wah,Wong,chiwah@example.com,1,"
    "General Admission,1100005,110000500101001,Refunded\r\n"
    "8812345005,2024-09-03 20:45:13,Zoë,O'Brien,zoe.obrien@example.ie,1,"
    "Student,1100006,110000600101001,Attending\r\n"
)

PRETIX_ORDERS_SEMICOLON = (
    "Order code;Position ID;Status;Email;Order date;Order time;Product;Attendee name;"
    "Phone number\n"
    "AB12C;1;Bezahlt;chan@example.com;2024-09-01;14:03:22;Screening night;"
    "Chan, Tai Man;+852 9123 4567\n"
    "AB12C;2;Bezahlt;chan@example.com;2024-09-01;14:03:22;Screening night;陳美玲;\n"
    "XY9ZQ;1;Storniert;lee@example.com;2024-09-02;09:10:00;Screening night;Lee Ka Yan;\n"
    "QQ7RT;1;Ausstehend;mueller@example.de;2024-09-02;10:00:00;Screening night;Jürgen Müller;\n"
    "KL3MN;1;Abgelaufen;wong@example.com;2024-09-03;08:00:00;Screening night;Wong Chi Wah;\n"
)

GOOGLE_FORMS_CHINESE = (
    "時間戳記,電子郵件地址,姓名,英文姓名,電話,你從哪裡得知這個活動？\n"
    "2024/9/1 上午10:00:00,chan.taiman@example.com,陳大文,Chan Tai Man,9123 4567,朋友介紹\n"
    "2024/9/1 上午11:30:12,kayan@example.com,李嘉欣,Lee Ka Yan,,Facebook\n"
    "2024/9/2 下午3:05:44,nana@example.com,歐陽娜娜,Au Yeung Na Na,6123 4567,\n"
    '2024/9/3 下午8:15:00,dayo@example.com,黃子華,Wong Tze Wah,,"海報, 電台"\n'
)

PLAIN = "name,email\nAlice Wong,alice@example.com\n陳大文,chan@example.com\n"


def parse_text(text: str, **options: object) -> RegistrationExport:
    return parse_registration_export(text.encode("utf-8"), **options)  # type: ignore[arg-type]


def names(export: RegistrationExport) -> list[str]:
    return [registration.name for registration in export.registrations]


# ---------------------------------------------------------------------------------------------
# Export dialects
# ---------------------------------------------------------------------------------------------


def test_eventbrite_attendee_report() -> None:
    export = parse_text(EVENTBRITE_ATTENDEE_REPORT)
    assert export.format == FORMAT_EVENTBRITE
    assert export.delimiter == ","
    assert export.encoding == "utf-8"
    assert names(export) == ["Tai Man Chan", "Ka Yan Lee", "Wing Ho", "Zoë O'Brien"]
    assert export.skipped_not_attending == 2  # "Not Attending" and "Refunded"
    assert export.errors == []
    first = export.registrations[0]
    assert first == Registration(
        name="Tai Man Chan",
        name_latin=None,
        email="chan.taiman@example.com",
        external_id="1100001",  # the attendee number, not the order shared by two people
        phone=None,
        registered_at="2024-09-01 10:15:02",
        source_row=2,
    )
    assert [r.external_id for r in export.registrations[1:3]] == ["1100002", "1100003"]
    assert export.registrations[-1].source_row == 7
    assert export.column_mapping["Attendee #"] == "external_id"
    assert export.column_mapping["Attendee Status"] == "status"
    assert export.column_mapping["First Name"] == "first_name"
    assert "Quantity" not in export.column_mapping


def test_pretix_semicolons_with_localised_status() -> None:
    export = parse_text(PRETIX_ORDERS_SEMICOLON)
    assert export.format == FORMAT_PRETIX
    assert export.delimiter == ";"
    assert names(export) == ["Chan, Tai Man", "陳美玲", "Jürgen Müller"]
    assert export.skipped_not_attending == 2  # Storniert, Abgelaufen; Ausstehend is pending
    chan, mei_ling, juergen = export.registrations
    assert chan.external_id == "AB12C-1"
    assert mei_ling.external_id == "AB12C-2"
    assert chan.email == mei_ling.email == "chan@example.com"
    assert chan.phone == "+852 9123 4567"
    assert mei_ling.phone is None
    assert chan.registered_at == "2024-09-01 14:03:22"
    assert juergen.source_row == 5


def test_pretix_german_headers() -> None:
    text = (
        "Bestellnummer;Positions-ID;Status;E-Mail;Bestelldatum;Teilnehmername\n"
        "AB12C;1;bezahlt;Anna@Example.DE;2024-09-01;Anna Schmidt\n"
        "AB12D;1;storniert;ben@example.de;2024-09-01;Ben Braun\n"
    )
    export = parse_text(text)
    assert export.format == FORMAT_PRETIX
    assert [(r.name, r.email, r.external_id) for r in export.registrations] == [
        ("Anna Schmidt", "anna@example.de", "AB12C-1")
    ]
    assert export.skipped_not_attending == 1


def test_google_forms_with_chinese_headers() -> None:
    export = parse_text(GOOGLE_FORMS_CHINESE)
    assert export.format == FORMAT_GOOGLE_FORMS
    assert names(export) == HK_NAMES
    assert [r.name_latin for r in export.registrations] == [
        "Chan Tai Man",
        "Lee Ka Yan",
        "Au Yeung Na Na",
        "Wong Tze Wah",
    ]
    assert export.registrations[0].phone == "9123 4567"
    assert export.registrations[1].phone is None
    assert export.registrations[0].registered_at == "2024/9/1 上午10:00:00"
    assert export.column_mapping == {
        "時間戳記": "registered_at",
        "電子郵件地址": "email",
        "姓名": "name",
        "英文姓名": "name_latin",
        "電話": "phone",
    }


def test_google_forms_with_bilingual_headers() -> None:
    text = (
        "Timestamp,Email Address,Name 姓名,English Name / 英文姓名,Phone 電話,"
        "Full name (as on HKID) 身份證全名\n"
        "9/1/2024 10:00:00,chan@example.com,陳大文,Chan Tai Man,91234567,\n"
    )
    export = parse_text(text)
    assert export.format == FORMAT_GOOGLE_FORMS
    assert export.column_mapping["Name 姓名"] == "name"
    assert export.column_mapping["English Name / 英文姓名"] == "name_latin"
    assert export.column_mapping["Phone 電話"] == "phone"
    assert export.registrations[0].name == "陳大文"
    assert export.registrations[0].name_latin == "Chan Tai Man"


def test_plain_csv() -> None:
    export = parse_text(PLAIN)
    assert export.format == FORMAT_PLAIN
    assert names(export) == ["Alice Wong", "陳大文"]
    assert export.column_mapping == {"name": "name", "email": "email"}
    assert export.header_row == 1
    assert export.headers == ["name", "email"]


@pytest.mark.parametrize(
    "header",
    ["Name,E-mail", " NAME , EMAIL ", "Full Name,Email Address", "姓名,電郵", "全名,电子邮件"],
)
def test_header_variants_are_recognised(header: str) -> None:
    export = parse_text(f"{header}\nAlice Wong,alice@example.com\n")
    assert [(r.name, r.email) for r in export.registrations] == [
        ("Alice Wong", "alice@example.com")
    ]


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("中文姓名|英文姓名|電郵地址|狀態", "|"), ("中文姓名\t英文姓名\t電子郵件\t状态", "\t")],
)
def test_chinese_headers_with_other_delimiters(header: str, delimiter: str) -> None:
    rows = [["歐陽娜娜", "Au Yeung Na Na", "nana@example.com", "已確認"]]
    rows.append(["黃子華", "Wong Tze Wah", "dayo@example.com", "已取消"])
    text = header + "\n" + "".join(delimiter.join(row) + "\n" for row in rows)
    export = parse_text(text)
    assert export.delimiter == delimiter
    assert [(r.name, r.name_latin) for r in export.registrations] == [
        ("歐陽娜娜", "Au Yeung Na Na")
    ]
    assert export.skipped_not_attending == 1


def test_first_and_last_names_are_combined() -> None:
    text = (
        "名,姓,電郵\n"
        "大文,陳,chan@example.com\n"
        "Tai Man,Chan,taiman@example.com\n"
        ",Madonna,madonna@example.com\n"
    )
    assert names(parse_text(text)) == ["陳大文", "Tai Man Chan", "Madonna"]


def test_latin_name_stands_in_for_a_missing_name() -> None:
    text = "中文姓名,英文姓名,電郵\n,Alice Wong,alice@example.com\n"
    registration = parse_text(text).registrations[0]
    assert (registration.name, registration.name_latin) == ("Alice Wong", None)


def test_title_line_above_the_header_is_skipped() -> None:
    text = "AIFF 2024 registrations\n\nName,Email\nAlice Wong,alice@example.com\n"
    export = parse_text(text)
    assert export.header_row == 3
    assert export.registrations[0].source_row == 4


def test_excel_sep_hint_line() -> None:
    text = "sep=;\nName;Email;Note\nAlice Wong;alice@example.com;a, b, c\n"
    export = parse_text(text)
    assert export.delimiter == ";"
    assert export.header_row == 1
    assert export.registrations[0].source_row == 2


# ---------------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------------

CHINESE_TRADITIONAL = "姓名,電郵,狀態\n" + "".join(
    f"{name},person{index}@example.com,已確認\n" for index, name in enumerate(HK_NAMES)
)
CHINESE_SIMPLIFIED = "姓名,电子邮件,状态\n陈大文,chan@example.com,已确认\n" + (
    "李嘉欣,lee@example.com,已确认\n欧阳娜娜,nana@example.com,已取消\n黄子华,dayo@example.com,\n"
)


def test_big5_hkscs_export() -> None:
    text = CHINESE_TRADITIONAL + "梁栢豪,pakho@example.com,\n何峯,fung@example.com,\n"
    export = parse_registration_export(text.encode("big5hkscs"))
    assert export.encoding == "big5hkscs"
    assert names(export) == [*HK_NAMES, "梁栢豪", "何峯"]


def test_gb18030_export_with_simplified_text() -> None:
    export = parse_registration_export(CHINESE_SIMPLIFIED.encode("gb18030"))
    assert export.encoding == "gb18030"
    assert names(export) == ["陈大文", "李嘉欣", "黄子华"]
    assert export.skipped_not_attending == 1


def test_gb18030_export_with_traditional_names() -> None:
    export = parse_registration_export(CHINESE_TRADITIONAL.encode("gb18030"))
    assert export.encoding == "gb18030"
    assert names(export) == HK_NAMES


@pytest.mark.parametrize("name", HK_NAMES)
@pytest.mark.parametrize("encoding", ["big5hkscs", "gb18030"])
def test_single_name_with_english_headers(name: str, encoding: str) -> None:
    data = f"name,email\n{name},someone@example.com\n".encode(encoding)
    export = parse_registration_export(data)
    assert export.encoding == encoding
    assert names(export) == [name]


def test_encoding_can_be_forced() -> None:
    data = CHINESE_SIMPLIFIED.encode("gb18030")
    assert parse_registration_export(data, encoding="gb18030").encoding == "gb18030"
    with pytest.raises(RegistrationFileError, match="cannot be read as utf-8"):
        parse_registration_export(data, encoding="utf-8")


def test_utf8_with_bom() -> None:
    export = parse_registration_export(b"\xef\xbb\xbf" + GOOGLE_FORMS_CHINESE.encode("utf-8"))
    assert export.encoding == "utf-8-sig"
    assert export.headers[0] == "時間戳記"
    assert names(export) == HK_NAMES


def to_tab_separated(text: str) -> str:
    return text.replace("\t", " ").replace(",", "\t").replace("\n", "\r\n")


@pytest.mark.parametrize(
    ("bom", "codec", "expected"),
    [
        (b"\xff\xfe", "utf-16-le", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be", "utf-16-be"),
        (b"", "utf-16-le", "utf-16-le"),  # Excel "Unicode text" without a BOM
    ],
)
def test_utf16_tab_separated(bom: bytes, codec: str, expected: str) -> None:
    text = to_tab_separated(CHINESE_TRADITIONAL)
    export = parse_registration_export(bom + text.encode(codec))
    assert export.encoding == expected
    assert export.delimiter == "\t"
    assert names(export) == HK_NAMES


def test_windows_1252_latin_names() -> None:
    data = "Name;E-Mail\nJürgen Müller;juergen@example.de\nZoë Ærø;zoe@example.dk\n"
    export = parse_registration_export(data.encode("cp1252"))
    assert export.encoding == "cp1252"
    assert names(export) == ["Jürgen Müller", "Zoë Ærø"]


def test_decode_export_reports_the_codec() -> None:
    assert decode_export("name\n陳大文\n".encode("big5hkscs")) == ("name\n陳大文\n", "big5hkscs")
    assert decode_export(b"name\n") == ("name\n", "utf-8")


# ---------------------------------------------------------------------------------------------
# CSV details, normalisation, statuses, duplicates
# ---------------------------------------------------------------------------------------------


def test_quoted_commas_and_embedded_newlines() -> None:
    text = (
        "Name,Email,Dietary needs\n"
        '"Chan, Tai Man",chan@example.com,"No nuts,\nno shellfish"\n'
        '"O\'Neill, Siobhán",siobhan@example.ie,"line one\r\nline two\r\nline three"\n'
        "Wong Ka Fai,,\n"
    )
    export = parse_text(text)
    assert names(export) == ["Chan, Tai Man", "O'Neill, Siobhán"]
    # Rows are counted as records, as a spreadsheet shows them, not as physical lines.
    assert [r.source_row for r in export.registrations] == [2, 3]
    assert [(e.row_number, e.problem) for e in export.errors] == [(4, RowProblem.MISSING_EMAIL)]


def test_names_are_kept_as_written_and_emails_cleaned() -> None:
    decomposed = "Zoe\u0308"  # e + combining diaeresis, becomes "Zoë"
    text = (
        "Name,Email\n"
        f"  {decomposed}   Saldaña  ,  ZOE@Example.COM \n"
        "陳　大文,ｃｈａｎ＠ｅｘａｍｐｌｅ．ｃｏｍ\n"
        "D'Arcy  de la Cruz,mailto:darcy@example.com\n"
    )
    export = parse_text(text)
    assert [(r.name, r.email) for r in export.registrations] == [
        ("Zoë Saldaña", "zoe@example.com"),
        ("陳 大文", "chan@example.com"),
        ("D'Arcy de la Cruz", "darcy@example.com"),
    ]


@pytest.mark.parametrize(
    "status",
    [
        "Not Attending",
        "Refunded",
        "Cancelled",
        "canceled",
        "canceled (paid)",
        "Deleted",
        "expired",
        "Void",
        "Storniert",
        "Abgelaufen",
        "已取消",
        "取消",
        "退款",
        "已退款",
        "已過期",
    ],
)
def test_statuses_meaning_not_coming(status: str) -> None:
    assert means_not_attending(status)


@pytest.mark.parametrize(
    "status",
    ["Attending", "Checked In", "paid", "pending", "Bezahlt", "已確認", "已付款", "", "Voucher"],
)
def test_statuses_meaning_coming(status: str) -> None:
    assert not means_not_attending(status)


def test_not_attending_rows_are_counted_not_reported() -> None:
    text = "Name,Email,Status\nAlice,alice@example.com,Cancelled\nBob,,Refunded\n"
    export = parse_text(text)
    assert export.registrations == []
    assert export.errors == []
    assert export.skipped_not_attending == 2


def test_duplicate_rows_of_one_person_are_merged() -> None:
    text = (
        "Name,Email,Phone\n"
        "陳大文,chan@example.com,\n"
        "Alice Wong,alice@example.com,\n"
        "陳大文 ,CHAN@example.com ,9123 4567\n"
    )
    export = parse_text(text)
    assert names(export) == ["陳大文", "Alice Wong"]
    assert export.duplicates_merged == 1
    chan = export.registrations[0]
    assert (chan.source_row, chan.phone) == (2, "9123 4567")


def test_same_ticket_number_is_the_same_person() -> None:
    text = (
        "Ticket #,Name,Email\nT1,Alice Wong,alice@example.com\nT1,Alice Wong,a.wong@example.com\n"
    )
    export = parse_text(text)
    assert len(export.registrations) == 1
    assert export.duplicates_merged == 1


def test_one_buyer_with_two_tickets_keeps_both() -> None:
    text = "Attendee #,Name,Email\n1,Alice Wong,alice@example.com\n2,Alice Wong,alice@example.com\n"
    export = parse_text(text)
    assert [r.external_id for r in export.registrations] == ["1", "2"]
    assert export.duplicates_merged == 0


def test_ticket_number_repeated_for_a_different_person_is_reported() -> None:
    text = (
        "Booking,Name,Email\n"
        "B1,Alice Wong,alice@example.com\n"
        "B1,Bob Lee,bob@example.com\n"
        "B2,Carol Ho,carol@example.com\n"
    )
    export = parse_text(text, mapping={"Booking": "external_id"})
    assert names(export) == ["Alice Wong", "Carol Ho"]
    assert [(e.row_number, e.problem) for e in export.errors] == [(3, RowProblem.DUPLICATE_ID)]
    assert "also on row 2" in export.errors[0].message
    assert export.duplicates_merged == 0


def test_duplicate_row_lends_its_ticket_number() -> None:
    text = (
        "Name,Email,Ticket #\n"
        "Alice Wong,alice@example.com,\n"
        "Alice Wong,alice@example.com,T7\n"
        "Alice Wong,alice@example.com,T7\n"
    )
    export = parse_text(text)
    assert [r.external_id for r in export.registrations] == ["T7"]
    assert export.duplicates_merged == 2


def test_order_number_shared_by_different_people_is_not_an_identity() -> None:
    text = (
        "Order #,Name,Email\n"
        "500,Alice Wong,alice@example.com\n"
        "500,Bob Lee,bob@example.com\n"
        "501,Carol Ho,carol@example.com\n"
    )
    export = parse_text(text)
    assert [r.external_id for r in export.registrations] == [None, None, "501"]


# ---------------------------------------------------------------------------------------------
# Row errors and file errors
# ---------------------------------------------------------------------------------------------

BROKEN_EXPORT = (
    "Name,Email,Notes\n"  # row 1
    "Alice Wong,alice@example.com,\n"  # row 2
    'Bob Lee,bob@example.com,"two\nlines"\n'  # row 3
    "Carol Ho,carol@example.com,\n"  # row 4
    "Dan Chan,,\n"  # row 5: missing e-mail
    "Eve Lam,eve@example.com,\n"  # row 6
    "Frank Ng,frank(at)example.com,\n"  # row 7: malformed e-mail
    "Grace Yu,grace@example.com,\n"  # row 8
)


def test_broken_rows_are_reported_with_spreadsheet_row_numbers() -> None:
    export = parse_text(BROKEN_EXPORT)
    assert names(export) == ["Alice Wong", "Bob Lee", "Carol Ho", "Eve Lam", "Grace Yu"]
    assert [(e.row_number, e.problem) for e in export.errors] == [
        (5, RowProblem.MISSING_EMAIL),
        (7, RowProblem.MALFORMED_EMAIL),
    ]
    assert str(export.errors[0]) == "row 5: missing e-mail address"
    assert "frank(at)example.com" in str(export.errors[1])


def test_missing_name_and_field_count_problems() -> None:
    text = (
        "Name,Email,Phone\n"
        ",nobody@example.com,\n"  # row 2: missing name
        "Chan, Tai Man,chan@example.com,\n"  # row 3: unquoted comma, one field too many
        "Alice Wong,alice@example.com,,,\n"  # row 4: trailing empty fields are harmless
        "Bob Lee\n"  # row 5: too short, so the e-mail is missing
        "Carol Ho,carol@example.com\n"  # row 6: short, but nothing required is missing
    )
    export = parse_text(text)
    assert names(export) == ["Alice Wong", "Carol Ho"]
    assert [(e.row_number, e.problem) for e in export.errors] == [
        (2, RowProblem.MISSING_NAME),
        (3, RowProblem.FIELD_COUNT),
        (5, RowProblem.MISSING_EMAIL),
    ]
    assert "4 fields but the header has 3" in export.errors[1].message
    assert "only 1 of the header's 3 fields" in export.errors[2].message


@pytest.mark.parametrize(
    "email",
    ["a@b.co", "chan.tai-man+aiff@mail.example.com.hk", "陳@例子.香港", "o'brien@example.ie"],
)
def test_plausible_emails(email: str) -> None:
    assert is_plausible_email(email)


@pytest.mark.parametrize(
    "email",
    [
        "chan",
        "chan@",
        "@example.com",
        "chan@example",
        "chan@example.",
        "a@@b.com",
        "a b@c.com",
        "chan@gmail,com",
        "chan@.com",
        "chan@example.c",
    ],
)
def test_implausible_emails(email: str) -> None:
    assert not is_plausible_email(email)


def test_normalisers() -> None:
    assert normalise_name("  Chan \t Tai\nMan ") == "Chan Tai Man"
    assert normalise_email(" MAILTO:Chan@Example.com ") == "chan@example.com"


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", "\ufeff".encode(), b"\xff\xfe"])
def test_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(RegistrationFileError, match="empty"):
        parse_registration_export(data)


def test_file_without_name_or_email_columns_lists_the_headers() -> None:
    with pytest.raises(RegistrationFileError) as caught:
        parse_text("Participant,Contact,Seat\nAlice,alice@example.com,A1\n")
    message = str(caught.value)
    assert "No name or e-mail column" in message
    assert '"Participant", "Contact", "Seat"' in message
    assert "--map" in message


def test_file_without_email_column_says_so() -> None:
    with pytest.raises(RegistrationFileError, match=r"No e-mail column .*\"Name\", \"Phone\""):
        parse_text("Name,Phone\nAlice,123\n")


# ---------------------------------------------------------------------------------------------
# Explicit column mapping
# ---------------------------------------------------------------------------------------------

UNUSUAL_HEADERS = (
    "Participant,Contact,Email,Seat\n"
    "Alice Wong,alice@example.com,office@example.com,A1\n"
    "陳大文,chan@example.com,office@example.com,A2\n"
)


def test_mapping_overrides_recognition() -> None:
    mapping = parse_mapping_options(["Participant=name", "contact = email"])
    assert mapping == {"Participant": "name", "contact": "email"}
    export = parse_text(UNUSUAL_HEADERS, mapping=mapping)
    assert [(r.name, r.email) for r in export.registrations] == [
        ("Alice Wong", "alice@example.com"),
        ("陳大文", "chan@example.com"),
    ]
    assert export.column_mapping == {"Participant": "name", "Contact": "email"}


def test_mapping_can_ignore_a_recognised_column() -> None:
    text = "Name,Email,Phone\nAlice,alice@example.com,not given\n"
    export = parse_text(text, mapping={"Phone": "ignore"})
    assert export.registrations[0].phone is None
    assert "Phone" not in export.column_mapping


def test_mapping_with_unknown_field_is_refused() -> None:
    with pytest.raises(ColumnMappingError, match=r"Unknown field 'e-mail'.*name, first_name"):
        parse_text(UNUSUAL_HEADERS, mapping={"Contact": "e-mail"})


def test_mapping_with_absent_header_is_refused() -> None:
    with pytest.raises(ColumnMappingError, match=r'"Mail".*Headers found: "Participant"'):
        parse_text(UNUSUAL_HEADERS, mapping={"Participant": "name", "Mail": "email"})


@pytest.mark.parametrize("option", ["Participant", "=name", "Participant="])
def test_unreadable_mapping_option(option: str) -> None:
    with pytest.raises(ColumnMappingError, match="Column Name=field"):
        parse_mapping_options([option])


# ---------------------------------------------------------------------------------------------
# Import planning
# ---------------------------------------------------------------------------------------------


def as_existing(registrations: list[Registration]) -> list[ExistingAttendee]:
    return [
        ExistingAttendee(
            attendee_id=index + 1,
            name=r.name,
            name_latin=r.name_latin,
            email=r.email,
            external_id=r.external_id,
            phone=r.phone,
        )
        for index, r in enumerate(registrations)
    ]


def test_reimporting_the_same_file_changes_nothing() -> None:
    for text in (EVENTBRITE_ATTENDEE_REPORT, GOOGLE_FORMS_CHINESE, PLAIN):
        incoming = parse_text(text).registrations
        plan = plan_import(as_existing(incoming), incoming)
        assert plan.new == []
        assert plan.updated == []
        assert plan.missing == []
        assert len(plan.unchanged) == len(incoming)


def test_updated_export_reports_new_updated_and_missing() -> None:
    existing = as_existing(parse_text(GOOGLE_FORMS_CHINESE).registrations)
    updated_export = (
        GOOGLE_FORMS_CHINESE.replace("Lee Ka Yan,,", "Lee Ka-yan,5555 0000,").replace(  # changed
            "2024/9/2 下午3:05:44,nana@example.com,歐陽娜娜,Au Yeung Na Na,6123 4567,\n", ""
        )
        + "2024/9/4 上午9:00:00,wah@example.com,梁朝偉,Leung Chiu Wai,,\n"  # new
    )
    plan = plan_import(existing, parse_text(updated_export).registrations)
    assert [r.name for r in plan.new] == ["梁朝偉"]
    assert [(m.existing.attendee_id, m.changed_fields) for m in plan.updated] == [
        (2, ("name_latin", "phone"))
    ]
    assert [m.existing.name for m in plan.unchanged] == ["陳大文", "黃子華"]
    assert [a.name for a in plan.missing] == ["歐陽娜娜"]


def registration(
    name: str, email: str, external_id: str | None = None, phone: str | None = None
) -> Registration:
    return Registration(name, None, email, external_id, phone, None, source_row=2)


def test_matching_by_external_id_then_email_then_name() -> None:
    existing = [
        ExistingAttendee(1, "Alice Wong", None, "alice@old.example.com", "T1"),
        ExistingAttendee(2, "Bob Lee", None, "bob@example.com", None),
        ExistingAttendee(3, "陳大文", None, None, None),  # added at the door, no e-mail
        ExistingAttendee(4, "Carol Ho", None, "carol@example.com", "T4"),
    ]
    incoming = [
        registration("Alice Wong", "alice@new.example.com", "T1"),  # id: e-mail changed
        registration("Robert Lee", "BOB@example.com"),  # e-mail: name changed
        registration("陳大文", "chan@example.com"),  # name, existing had no e-mail
        registration("Carol Ho", "carol@example.com", "T9"),  # different ticket: not her
    ]
    plan = plan_import(existing, incoming)
    changes = {m.existing.attendee_id: m.changed_fields for m in plan.updated}
    assert changes == {1: ("email",), 2: ("name",), 3: ("email",)}
    assert [r.external_id for r in plan.new] == ["T9"]
    assert [a.attendee_id for a in plan.missing] == [4]


def test_shared_email_is_matched_by_name() -> None:
    existing = [
        ExistingAttendee(1, "Mum Chan", None, "family@example.com", None),
        ExistingAttendee(2, "Kid Chan", None, "family@example.com", None),
    ]
    incoming = [
        registration("Kid Chan", "family@example.com"),
        registration("Mum Chan", "family@example.com"),
    ]
    plan = plan_import(existing, incoming)
    assert [(m.existing.attendee_id, m.registration.name) for m in plan.unchanged] == [
        (2, "Kid Chan"),
        (1, "Mum Chan"),
    ]


def test_blank_values_in_the_export_do_not_erase_stored_ones() -> None:
    existing = [ExistingAttendee(1, "Alice Wong", "Alice", "alice@example.com", "T1", "123")]
    plan = plan_import(existing, [registration("Alice Wong", "alice@example.com", "T1")])
    assert plan.updated == []
    assert len(plan.unchanged) == 1


def test_external_id_becoming_known_is_an_update() -> None:
    existing = [ExistingAttendee(1, "Alice Wong", None, "alice@example.com", None)]
    plan = plan_import(existing, [registration("Alice Wong", "alice@example.com", "T1")])
    assert [m.changed_fields for m in plan.updated] == [("external_id",)]
