"""Invented audience members for the demo night (clearly fictional, reproducible by seed)."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

# Cantonese romanisation of common Hong Kong surnames, with the characters as written.
_CJK_SURNAMES = (
    ("陳", "Chan"),
    ("李", "Lee"),
    ("張", "Cheung"),
    ("黃", "Wong"),
    ("何", "Ho"),
    ("林", "Lam"),
    ("梁", "Leung"),
    ("吳", "Ng"),
    ("劉", "Lau"),
    ("蔡", "Choi"),
    ("鄭", "Cheng"),
    ("謝", "Tse"),
    ("郭", "Kwok"),
    ("歐陽", "Au Yeung"),
    ("司徒", "Szeto"),
    ("麥", "Mak"),
    ("葉", "Yip"),
    ("馮", "Fung"),
    ("曾", "Tsang"),
    ("鄧", "Tang"),
)
_CJK_GIVEN = (
    ("大文", "Tai Man"),
    ("嘉欣", "Ka Yan"),
    ("子軒", "Tsz Hin"),
    ("詠詩", "Wing Sze"),
    ("志明", "Chi Ming"),
    ("美玲", "Mei Ling"),
    ("家豪", "Ka Ho"),
    ("曉彤", "Hiu Tung"),
    ("俊傑", "Chun Kit"),
    ("凱琳", "Hoi Lam"),
    ("浩然", "Ho Yin"),
    ("穎欣", "Wing Yan"),
    ("柏霖", "Pak Lam"),
    ("思敏", "Sze Man"),
    ("梓晴", "Tsz Ching"),
    ("振邦", "Chun Pong"),
    ("綺雯", "Yee Man"),
    ("銘恩", "Ming Yan"),
    ("芷瑩", "Tsz Ying"),
    ("國榮", "Kwok Wing"),
)
_LATIN_FIRST = (
    "Olivia",
    "Mateo",
    "Amara",
    "Lukas",
    "Sofía",
    "Noah",
    "Chloé",
    "Aarav",
    "Zoë",
    "Kwame",
    "Ingrid",
    "Björn",
    "Siobhán",
    "François",
    "Hana",
    "Dmitri",
    "Leilani",
    "Renée",
    "Søren",
    "Aisha",
    "Tomás",
    "Yusuf",
    "Mei",
    "Priya",
    "José",
    "Anaïs",
    "Oluwaseun",
    "Małgorzata",
)
_LATIN_LAST = (
    "O'Brien",
    "García",
    "Müller",
    "Okafor",
    "Nguyễn",
    "Smith",
    "Rossi",
    "Kowalski",
    "Dubois",
    "Andersson",
    "Haddad",
    "Fernández",
    "Tanaka",
    "Mensah",
    "Lindqvist",
    "Patel",
    "D'Souza",
    "Novák",
    "Papadopoulos",
    "Jørgensen",
    "Cohen",
    "Silva",
    "MacLeod",
    "Yılmaz",
)
_DOMAINS = ("connect.example.hk", "mail.example.com", "students.example.edu.hk", "example.org")


@dataclass(frozen=True)
class DemoPerson:
    """One invented registration, as a website export would carry it."""

    name: str
    name_latin: str | None
    email: str
    phone: str
    registered_at: str


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in " -")).lower()


def demo_people(count: int, seed: int = 2026) -> list[DemoPerson]:
    """`count` distinct people: about 60% with Chinese names (most with a romanisation)."""
    rng = random.Random(seed)
    people: list[DemoPerson] = []
    used_emails: set[str] = set()
    for number in range(count):
        if rng.random() < 0.6:
            (surname, surname_latin), (given, given_latin) = (
                rng.choice(_CJK_SURNAMES),
                rng.choice(_CJK_GIVEN),
            )
            name = surname + given
            latin: str | None = f"{surname_latin} {given_latin}" if rng.random() < 0.8 else None
            handle = _ascii(f"{given_latin} {surname_latin}")
        else:
            first, last = rng.choice(_LATIN_FIRST), rng.choice(_LATIN_LAST)
            name, latin = f"{first} {last}", None
            handle = _ascii(f"{first} {last}")
        local = handle.replace(" ", ".").replace("-", "")
        email = f"{local}@{rng.choice(_DOMAINS)}"
        suffix = 2
        while email in used_emails:
            email = f"{local}{suffix}@{email.split('@')[1]}"
            suffix += 1
        used_emails.add(email)
        day = 1 + number * 28 // max(count, 1)
        registered = f"2026-11-{day:02d}T{rng.randint(8, 23):02d}:{rng.randint(0, 59):02d}:00+08:00"
        phone = f"+852 {rng.choice('569')}{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        people.append(DemoPerson(name, latin, email, phone, registered))
    return people
