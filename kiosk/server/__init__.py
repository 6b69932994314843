"""The event server's web apps (ASGI): the phone vote page (`vote_app`)."""
