"""Remote control of the console from the booth: the OSC listener (no Qt; the console bridges
its commands onto the GUI thread)."""
