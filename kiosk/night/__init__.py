"""The running night (Qt, no widgets): the show, the award reveal, the projector, the journal.

Imports core/, media/, render/ and store/; never ui/ (the windows reach the night through
`Night` and the narrow interfaces in `kiosk.night.ports`).
"""

from kiosk.night.effects import EffectRunner
from kiosk.night.night import KeyMode, Night, night_start, open_night
from kiosk.night.projector import Projector

__all__ = ["EffectRunner", "KeyMode", "Night", "Projector", "night_start", "open_night"]
