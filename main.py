"""Entry point: `python main.py [COMMAND]`. All the work is in kiosk.cli."""

from kiosk.cli import main

if __name__ == "__main__":
    main()
