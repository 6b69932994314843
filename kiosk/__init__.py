"""AIFF Screening Night: the show, the projector, the doors, the tickets and the awards."""

__version__ = "0.1.0"
