"""The event folder's type for `kiosk.server.station_vote`, its last user here.

The windows reach the event through :mod:`kiosk.services.open_event`; this module goes once
that server module names the folder where it lives (the store), with the one-vote-writer work.
"""

from __future__ import annotations

from kiosk.store.event_folder import EventFolder

__all__ = ["EventFolder"]
