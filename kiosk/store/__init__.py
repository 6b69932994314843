"""Persistence: the event folder, its SQLite database (schema, migrations), the journal."""
