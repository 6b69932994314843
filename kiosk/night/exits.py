"""How the app tells its supervisor why it ended (the process exit status)."""

from __future__ import annotations

# The operator closed the console while the show was under way and chose to keep the projector
# dark: the supervisor keeps its black window up and starts the console again (which restores
# the show paused, under black) instead of ending with the app.
KEEP_PROJECTOR_DARK = 75

# Set in the app's environment by the supervisor: someone keeps the projector black for us.
SUPERVISED_ENV = "KIOSK_SUPERVISED"
