"""The demo's invented audience."""

from __future__ import annotations

import re

from kiosk.core.demo_people import demo_people


def test_reproducible_distinct_and_bilingual() -> None:
    people = demo_people(300)
    assert people == demo_people(300)
    assert len({p.email for p in people}) == 300
    cjk = [p for p in people if re.search(r"[\u4e00-\u9fff]", p.name)]
    assert 120 < len(cjk) < 240
    assert any(p.name_latin for p in cjk)
    assert all(re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+", p.email) for p in people)
