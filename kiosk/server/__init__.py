"""The event server on the console laptop: door stations talk to it over HTTPS (Starlette).

`station_api` is the door stations' API,
`serve` runs one or more apps (each on its own port, with or without TLS) in one process.
"""
