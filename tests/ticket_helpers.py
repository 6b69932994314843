"""Registrations with hard names (CJK, long, accented) and the ticket codes they were given."""

from __future__ import annotations

from kiosk.core.tickets import TicketCodec
from kiosk.store.attendees import AttendeeRepository
from kiosk.store.event_folder import EventFolder

NAMES = [
    ("陳大文", "Chan Tai Man"),
    ("歐陽娜娜", "Au Yeung Na Na"),
    ("Zoë O'Brien", ""),
    ("Maximilian Alexander Konstantin von Hohenzollern-Sigmaringen-Wittelsbach", ""),
    ("司徒詠詩司徒詠詩司徒詠詩司徒詠詩司徒詠詩司徒詠詩", "Szeto Wing Sze"),
    ("Nguyễn Thị Minh Khai", ""),
    ("李嘉欣", "Lee Ka Yan"),
]


def codes(folder: EventFolder) -> list[str]:
    db = folder.open_db()
    try:
        repo = AttendeeRepository(db, TicketCodec(folder.secret_key()))
        return [a.code for a in repo.all() if a.code]
    finally:
        db.close()
