"""Test helpers for the doors: registrations with real signed tickets, inserted with plain SQL.

Independent of the ticket-issuing code on purpose: the door tests only need rows in
`attendees` and `tickets` whose codes come from the event's real TicketCodec.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import qrcode
from PySide6.QtGui import QColor, QImage, QPainter

from kiosk.core.tickets import TicketCodec
from kiosk.store.checkins import CheckinRepository
from kiosk.store.database import transaction
from kiosk.store.event_folder import EventFolder

HK = ZoneInfo("Asia/Hong_Kong")

SAMPLE_PEOPLE = (
    ("陳大文", "Chan Tai Man", "taiman.chan@example.com"),
    ("李小龍", "Lee Siu Lung", "bruce@example.hk"),
    ("黃美玲", "Wong Mei Ling", "meiling.wong@example.org"),
    ("張家輝", "Cheung Ka Fai", "kf.cheung@example.com"),
    ("Alice Martin", None, "alice.martin@example.fr"),
    ("何詠詩", "Ho Wing Sze", None),
)


@dataclass(frozen=True)
class Person:
    """A seeded attendee and their valid ticket code."""

    attendee_id: int
    name: str
    name_latin: str | None
    email: str | None
    code: str


def make_event(root: Path, capacity: int = 100) -> EventFolder:
    """An event folder with just event.toml (no films needed at the doors)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "event.toml").write_text(
        textwrap.dedent(
            f"""
            [event]
            name_en = "Test Night"
            name_zh = "測試之夜"
            date = 2026-12-05
            start = 19:30:00
            end = 22:00:00
            venue_en = "Test Hall"
            venue_zh = "測試禮堂"
            capacity = {capacity}
            programme = "programme.toml"
            """
        ),
        encoding="utf-8",
    )
    return EventFolder(root)


def seed_people(
    folder: EventFolder,
    people: tuple[tuple[str, str | None, str | None], ...] = SAMPLE_PEOPLE,
    *,
    count: int | None = None,
) -> list[Person]:
    """Insert attendees with one valid ticket each; ``count`` generates that many instead."""
    if count is not None:
        people = tuple(
            (f"測試{n:06d}", f"Tester {n:06d}", f"tester{n}@example.com") for n in range(count)
        )
    codec = TicketCodec(folder.secret_key())
    db = folder.open_db()
    start = int(db.execute("SELECT coalesce(max(id), 0) FROM attendees").fetchone()[0]) + 1
    stamp = "2026-11-01T10:00:00.000+00:00"
    seeded = [
        Person(start + index, name, latin, email, codec.issue(start + index, 0))
        for index, (name, latin, email) in enumerate(people)
    ]
    with transaction(db) as conn:
        conn.executemany(
            "INSERT INTO attendees (id, name, name_latin, email, registered_at, source, "
            "created_at) VALUES (?, ?, ?, ?, ?, 'test', ?)",
            [(p.attendee_id, p.name, p.name_latin, p.email, stamp, stamp) for p in seeded],
        )
        conn.executemany(
            "INSERT INTO tickets (code, attendee_id, issue_number, issued_at) VALUES (?, ?, 0, ?)",
            [(p.code, p.attendee_id, stamp) for p in seeded],
        )
    db.close()
    return seeded


def seed_namesakes(folder: EventFolder, count: int) -> list[Person]:
    """`count` people all called 陳凱琳 · Chan Hoi Lam with one shared e-mail address (a family
    registering with one address): only the registration time and the phone tell them apart."""
    codec = TicketCodec(folder.secret_key())
    db = folder.open_db()
    start = int(db.execute("SELECT coalesce(max(id), 0) FROM attendees").fetchone()[0]) + 1
    seeded = []
    with transaction(db) as conn:
        for index in range(count):
            person = Person(
                start + index, "陳凱琳", "Chan Hoi Lam", "hoilam@example.com",
                codec.issue(start + index, 0),
            )  # fmt: skip
            registered = f"2026-11-{index + 1:02d}T0{index % 10}:15:00.000+00:00"
            conn.execute(
                "INSERT INTO attendees (id, name, name_latin, email, phone, registered_at, "
                "source, created_at) VALUES (?, ?, ?, ?, ?, ?, 'test', ?)",
                (
                    person.attendee_id, person.name, person.name_latin, person.email,
                    f"+852 9123 4{index:03d}", registered, registered,
                ),
            )  # fmt: skip
            conn.execute(
                "INSERT INTO tickets (code, attendee_id, issue_number, issued_at) "
                "VALUES (?, ?, 0, ?)",
                (person.code, person.attendee_id, registered),
            )
            seeded.append(person)
    db.close()
    return seeded


def reissue(folder: EventFolder, person: Person, reason: str = "lost") -> str:
    """Revoke a person's ticket and issue the next one; returns the new code."""
    codec = TicketCodec(folder.secret_key())
    db = folder.open_db()
    with transaction(db) as conn:
        number = conn.execute(
            "SELECT max(issue_number) FROM tickets WHERE attendee_id = ?", (person.attendee_id,)
        ).fetchone()[0]
        conn.execute(
            "UPDATE tickets SET revoked_at = ?, revoked_reason = ? "
            "WHERE attendee_id = ? AND revoked_at IS NULL",
            ("2026-11-02T10:00:00.000+00:00", reason, person.attendee_id),
        )
        code = codec.issue(person.attendee_id, number + 1)
        conn.execute(
            "INSERT INTO tickets (code, attendee_id, issue_number, issued_at) VALUES (?, ?, ?, ?)",
            (code, person.attendee_id, number + 1, "2026-11-02T10:00:00.000+00:00"),
        )
    db.close()
    return code


def repository(folder: EventFolder, capacity: int | None = 100) -> CheckinRepository:
    """A CheckinRepository on the folder's database, Hong Kong time."""
    return CheckinRepository(
        folder.open_db(), TicketCodec(folder.secret_key()), capacity=capacity, zone=HK
    )


def at(hour: int, minute: int, second: int = 0) -> dt.datetime:
    """A moment on the night, Hong Kong time."""
    return dt.datetime(2026, 12, 5, hour, minute, second, tzinfo=HK)


def qr_frame(text: str, width: int = 1280, height: int = 720, module: int = 7) -> QImage:
    """A camera-like frame: grey-brown background, the ticket's QR off-centre on white."""
    matrix = qrcode.QRCode(border=4)
    matrix.add_data(text)
    matrix.make(fit=True)
    cells = matrix.get_matrix()
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#6f6455"))
    painter = QPainter(image)
    left, top = width // 3, height // 5
    painter.fillRect(left, top, len(cells) * module, len(cells) * module, QColor("#f4f1ea"))
    for row, line in enumerate(cells):
        for column, dark in enumerate(line):
            if dark:
                painter.fillRect(
                    left + column * module, top + row * module, module, module, QColor("#111")
                )
    painter.end()
    return image
