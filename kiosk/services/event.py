"""An event as the windows open it: its folder, its instance lock and the store's error.

Re-exported from the store so that `kiosk.ui` depends on services, never on the store itself
(a test enforces it).
"""

from __future__ import annotations

from kiosk.store.errors import StoreError
from kiosk.store.event_folder import EventFolder
from kiosk.store.lock import InstanceLock

__all__ = ["EventFolder", "InstanceLock", "StoreError"]
