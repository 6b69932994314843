"""One event = one folder: `event.toml`, `event.db`, `secret.key`, `logs/`, and the films.

Where the folder is: `--event DIR`, else `$KIOSK_EVENT_DIR`, else `<user data dir>/aiff-kiosk/demo`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import stat
from pathlib import Path

import platformdirs
import sqlite_utils

from kiosk.core.event import EventConfig, load_event_config
from kiosk.core.problems import ConfigError
from kiosk.core.programme import Programme, load_programme
from kiosk.store.database import open_database
from kiosk.store.errors import StoreError
from kiosk.store.lock import InstanceLock
from kiosk.store.private_files import private_dir

log = logging.getLogger(__name__)

ENV_VAR = "KIOSK_EVENT_DIR"
SECRET_BYTES = 32


def default_event_dir() -> Path:
    """The folder used when neither --event nor KIOSK_EVENT_DIR says otherwise."""
    return Path(platformdirs.user_data_dir("aiff-kiosk", appauthor=False)) / "demo"


class EventFolder:
    """Paths and access to everything one event keeps on disk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().absolute()

    @classmethod
    def resolve(cls, option: str | os.PathLike[str] | None = None) -> EventFolder:
        """The event folder chosen by the command line, the environment or the default."""
        chosen = option or os.environ.get(ENV_VAR) or default_event_dir()
        return cls(Path(chosen))

    @property
    def config_path(self) -> Path:
        """`event.toml`: name, date, venue, capacity, programme, awards."""
        return self.root / "event.toml"

    @property
    def db_path(self) -> Path:
        """`event.db`: attendees, check-ins, preflight results, the journal."""
        return self.root / "event.db"

    @property
    def secret_path(self) -> Path:
        """`secret.key`: the ticket signing key (mode 0600, never logged or exported)."""
        return self.root / "secret.key"

    @property
    def sealed_results_path(self) -> Path:
        """`results.sealed`: the jury's results, encrypted until the reveal (mode 0600)."""
        return self.root / "results.sealed"

    @property
    def logs_dir(self) -> Path:
        """`logs/`: the rotating log and crash dumps."""
        return self.root / "logs"

    def exists(self) -> bool:
        """True once the folder holds an event (its `event.toml`)."""
        return self.config_path.is_file()

    def require(self) -> None:
        """StoreError with the way out if there is no event here."""
        if not self.exists():
            raise StoreError(
                f"No event at {self.root} (no event.toml). Create the demo with "
                f"`python main.py --event {self.root} demo`, or pass --event DIR."
            )

    def create_dirs(self) -> None:
        """Make the folder and its logs folder (0700: the database and logs are private)."""
        private_dir(self.root)
        private_dir(self.logs_dir)

    def load_config(self) -> EventConfig:
        """Read and validate `event.toml` (ConfigError on problems)."""
        self.require()
        return load_event_config(self.config_path)

    def load_programme(self, config: EventConfig | None = None) -> Programme:
        """Read and validate the programme named in `event.toml`."""
        return load_programme((config or self.load_config()).programme_file)

    def open_db(self) -> sqlite_utils.Database:
        """Open the event database, migrating it to the current schema."""
        self.create_dirs()
        return open_database(self.db_path)

    def lock(self, role: str = "console") -> InstanceLock:
        """The lock that keeps a second copy of the app off this event."""
        self.create_dirs()
        return InstanceLock(self.root, role)

    def event_lock(self, holder: str) -> InstanceLock:
        """The one lock of everything that changes the event: console, rehearse, results seal,
        attendees import, demo. ``holder`` names the taker in the refusal others get."""
        self.create_dirs()
        return InstanceLock(self.root, "console", holder=holder, zone=self.zone_or_none())

    def station_lock(self, station: str) -> InstanceLock:
        """One door window per station name on this computer (Undo works per station)."""
        slug = re.sub(r"[^A-Za-z0-9]+", "-", station).strip("-").lower() or "station"
        self.create_dirs()
        return InstanceLock(
            self.root, f"doors-{slug}", holder=f"door station {station}", zone=self.zone_or_none()
        )

    def zone_or_none(self) -> dt.tzinfo | None:
        """The event's time zone, or None while event.toml is missing or broken."""
        try:
            return self.load_config().zone
        except (ConfigError, StoreError, ValueError, OSError):
            return None

    def secret_key(self) -> bytes:
        """The per-event ticket key, created on first use with mode 0600."""
        path = self.secret_path
        if not path.exists():
            self.create_dirs()
            # written whole under another name, then linked into place: a reader (another
            # thread or process opening the event at the same moment) never sees a key file
            # that exists but is still empty
            partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(partial, path)
            except FileExistsError:
                pass  # another thread or process made it first: read theirs
            else:
                log.info("created a new ticket key at %s", path)
            finally:
                partial.unlink()
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("%s was readable by others (mode %o); tightening to 0600", path, mode)
            path.chmod(0o600)
        try:
            key = bytes.fromhex(path.read_text().strip())
        except ValueError as exc:
            raise StoreError(
                f"{path} is damaged (not a hex key); restore it from backup: "
                f"tickets already issued depend on it"
            ) from exc
        if len(key) < 16:
            raise StoreError(f"{path} holds a key that is too short ({len(key)} bytes)")
        return key
