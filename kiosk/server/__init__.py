"""The event server on the console laptop: door stations talk to it over HTTPS (Starlette).

`station_api` is the door stations' API, `vote_app` the audience's phone vote page (plain HTTP,
its own port), `serve` runs one or more apps (each on its own port, with or without TLS) in
one process.
"""
