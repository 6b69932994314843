"""The rules of the night: plain Python, no Qt and no VLC."""
