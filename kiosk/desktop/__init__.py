"""The desktop the app runs on: the session (X11 / Wayland and the video path), keeping the
screen and the laptop awake, power, notifications — and the booth-checklist lines about them.

Plain Python (no Qt, no libvlc): D-Bus through `jeepney`, X11 through ctypes, facts from the
environment and `/sys`. The Qt side (banners, the console's wiring) lives in `kiosk.ui`.
"""
