"""Qt user interface: the console, the projector output (stage), the doors."""
