"""The Viewer's Award winner card says the share of votes, and a tie and how it was settled,
inside the safe area (rendered at 1920x1080 and looked at)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize

from kiosk.core.vote import count_votes, viewer_result
from kiosk.core.vote_settings import TieRule, VoteSettings
from kiosk.render.reveal_cards import AwardPlace, ShownFilm, WinnerCard
from kiosk.store.event_folder import EventFolder
from kiosk.ui.stage.card_view import render_card
from kiosk.ui.stage.typesetting import SAFE_RECT


def test_tied_viewers_award_winner_card(
    qapp: object, demo_event: EventFolder, tmp_path: Path
) -> None:
    config = demo_event.load_config()
    programme = demo_event.load_programme(config)
    ids = [f.id for f in programme]
    choices = [ids[4]] * 120 + [ids[17]] * 120 + [ids[2]] * 60 + [ids[30]] * 33
    tally = count_votes(choices, ids, VoteSettings(3, TieRule.LOT), lot_seed=b"seed")
    award = next(a for a in config.awards if a.kind == "audience")
    result = viewer_result(award.id, tally, programme)
    assert result is not None and tally.tied_with
    assert result.citation_en.startswith("120 of 333 votes (36%). Tied with")
    place = AwardPlace(award, len(config.awards), len(config.awards))
    card = WinnerCard(
        place, ShownFilm(programme.film(result.winner), None), result.citation_en,
        result.citation_zh,
    )  # fmt: skip
    rendered = render_card(card, QSize(1920, 1080))
    path = tmp_path / "viewers-winner-tie.png"
    rendered.image.save(str(path))
    assert SAFE_RECT.adjusted(-1, -1, 1, 1).contains(rendered.content)
    print(f"\nViewer's Award winner card: {path}")
