"""Country, language and content note in both languages on the audience's cards."""

from __future__ import annotations

from pathlib import Path

from kiosk.core.countries import country_zh, language_zh
from kiosk.core.programme import load_programme

DEMO = Path(__file__).resolve().parents[2] / "playlists" / "demo.toml"


def test_tables_and_lists() -> None:
    assert country_zh("Hong Kong") == "香港"
    assert country_zh("hong kong / Taiwan") == "香港、台灣"
    assert country_zh("Türkiye") == "土耳其"
    assert country_zh("Atlantis") is None
    assert country_zh("Hong Kong, Atlantis") is None  # never half a translation
    assert language_zh("Cantonese, English") == "粵語、英語"


def test_every_demo_film_has_both_languages_on_its_card() -> None:
    programme = load_programme(DEMO)
    for film in programme.films:
        assert film.country_bilingual != film.country, film.country  # a Chinese name found
        if film.language:
            assert film.language_bilingual != film.language, film.language
        if film.content_note:
            assert film.content_note_bilingual and film.content_note_zh, film.id
    first = programme.films[0]
    assert first.country_bilingual == "香港 Hong Kong"
    assert first.language_bilingual == "粵語 Cantonese"


def test_programme_may_give_its_own_chinese(tmp_path: Path) -> None:
    path = tmp_path / "programme.toml"
    path.write_text(
        '[programme]\nname_en = "T"\nname_zh = "測"\n\n[[films]]\nid = "F1"\ntitle_en = "A"\n'
        'title_zh = "甲"\ndirector = "D"\ncountry = "Atlantis"\ncountry_zh = "亞特蘭提斯"\n'
        'year = 2026\nruntime = "3:00"\nfile = "a.mp4"\ncontent_note = "Strobe"\n'
        'content_note_zh = "頻閃"\n',
        encoding="utf-8",
    )
    film = load_programme(path).films[0]
    assert film.country_bilingual == "亞特蘭提斯 Atlantis"
    assert film.content_note_bilingual == "頻閃  ·  Strobe"
