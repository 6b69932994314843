"""A door station's side: pairing, online and offline check-in through the event server, and
the station's own folder (credentials, ticket list, offline queue)."""
