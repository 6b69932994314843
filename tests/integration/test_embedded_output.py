"""libvlc 3's `set_xwindow` empties the player's video output; the show's embedding keeps it.

The films' output under Xvfb, with pixels and threads, is checked through the real show in
`test_stage_fade.py` (no Mesa thread or library while a film plays on xcb_x11); this checks the
player's own variable, with no display (setting a window draws nothing until a film plays).
"""

from __future__ import annotations

import pytest
import vlc

from kiosk.media.vlc_backend import create_instance, embed_in_x11_window, video_output_of

pytestmark = pytest.mark.vlc

WINDOW_ID = 0x1234  # never drawn into: no film is played


@pytest.mark.parametrize(("extra", "expected"), [(["--vout=xcb_x11"], "xcb_x11"), ([], "")])
def test_an_embedded_player_keeps_the_output_the_instance_was_given(
    extra: list[str], expected: str
) -> None:
    instance = create_instance(extra=["--aout=dummy", *extra])
    assert isinstance(instance, vlc.Instance)
    player = instance.media_player_new()
    try:
        assert video_output_of(player) == expected
        embed_in_x11_window(player, WINDOW_ID)
        assert video_output_of(player) == expected
        assert player.get_xwindow() == WINDOW_ID
    finally:
        player.release()
        instance.release()


def test_libvlcs_own_set_xwindow_drops_it() -> None:
    # why embed_in_x11_window exists: if a libvlc stops doing this, the rule can go
    instance = create_instance(extra=["--aout=dummy", "--vout=xcb_x11"])
    assert isinstance(instance, vlc.Instance)
    player = instance.media_player_new()
    try:
        player.set_xwindow(WINDOW_ID)
        assert video_output_of(player) == ""
    finally:
        player.release()
        instance.release()
