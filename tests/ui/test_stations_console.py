"""The console's Stations tab and the door's pairing dialog, with a real event server process.

The pairing QR painted by the console is read back from the widget's pixels by the same decoder
the doors use, handed to the pairing dialog as a camera frame, and the station pairs with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.services.open_event import OpenEvent
from kiosk.ui.doors.camera import CameraInput
from kiosk.ui.doors.decoder import decode_qr
from kiosk.ui.doors.remote_app import PairingDialog
from tests.doors_helpers import make_event, qr_frame, seed_people
from tests.station_helpers import run_cli, start_server
from tests.ui.conftest import StationsPanelFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

pytestmark = pytest.mark.slow


def test_pair_by_the_consoles_qr_then_revoke(
    qtbot: QtBot, tmp_path: Path, stations_panel_factory: StationsPanelFactory
) -> None:
    folder = make_event(tmp_path / "event", capacity=20)
    seed_people(folder)
    server = start_server(folder.root)
    try:
        panel = stations_panel_factory(OpenEvent.open(folder).stations)
        panel.resize(1366, 700)
        panel.show()
        qtbot.waitExposed(panel)
        qtbot.waitUntil(lambda: not panel.busy, timeout=10000)  # the worker asks the network
        assert "running" in panel.server_line.text()
        assert f":{server.port}" in panel.server_line.text()
        assert not panel.revoke_button.isEnabled()  # nothing to revoke yet (issue #23 item 11)
        assert "python main.py" not in panel.pair_note.text() and "`" not in panel.pair_note.text()
        panel.name_entry.setText("Door 4")
        panel.make_pairing()
        qtbot.waitUntil(lambda: not panel.busy, timeout=10000)
        image = panel.grab().toImage()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        image.save(str(SCREENSHOTS / "console-stations-pairing.png"))
        (payload,) = decode_qr(panel.qr.grab().toImage())
        assert payload.startswith("aiff-pair://127.0.0.1:") and server.fingerprint in payload

        camera = CameraInput()
        dialog = PairingDialog(tmp_path / "door4", camera)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.grab().save(str(SCREENSHOTS / "doors-pairing-dialog.png"))
        assert camera.handle_image(qr_frame(payload))
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=15000)
        assert dialog.outcome is not None and dialog.outcome.station == "Door 4"
        assert dialog.outcome.tickets == 6
        camera.shutdown()

        panel.refresh()
        qtbot.waitUntil(lambda: not panel.busy, timeout=10000)
        assert panel.table.item(0, 0).text() == "Door 4"  # type: ignore[union-attr]
        assert "active" in panel.table.item(0, 1).text()  # type: ignore[union-attr]
        # the pairing is announced with its address, the used QR is gone, its row selected
        assert "Door 4 paired from 127.0.0.1" in panel.status_line.text()
        assert panel.payload_line.text() == "" and panel.qr.grab().toImage().isNull() is False
        assert not decode_qr(panel.qr.grab().toImage())
        panel.grab().save(str(SCREENSHOTS / "console-stations-paired.png"))
        assert panel.revoke_button.isEnabled()
        panel.table.setFocus()
        qtbot.keyClick(panel.table, Qt.Key.Key_Delete)  # one key revokes it
        qtbot.waitUntil(lambda: not panel.busy, timeout=10000)
        assert "Revoked Door 4" in panel.status_line.text()
        assert "revoked" in panel.table.item(0, 1).text()  # type: ignore[union-attr]
        listing = json.loads(
            run_cli("--event", str(folder.root), "stations", "list", "--json").stdout
        )
        assert listing["stations"][0]["active"] is False
        panel.table.setCurrentCell(0, 0)
        assert not panel.revoke_button.isEnabled()  # already revoked
        panel.grab().save(str(SCREENSHOTS / "console-stations-revoked.png"))
    finally:
        server.stop()
