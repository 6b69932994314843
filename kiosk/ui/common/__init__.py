"""Pieces shared by every window: theme, background tasks, the message channel."""
