"""`python -m kiosk`: the same as `python main.py`."""

from kiosk.cli import main

main()
