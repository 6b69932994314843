"""Debian's headless chromium for tests of pages (the vote page, the stage display)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
TABLET = (1024, 768)

requires_chromium = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs Debian's chromium and chromium-driver (Makefile APT_PACKAGES)",
)


@contextmanager
def chromium(profile: Path, *, console_log: bool = False) -> Iterator[WebDriver]:
    """A headless chromium with a fresh profile, no background network, Hong Kong locale;
    with `console_log`, the page's console messages and errors are kept for `get_log("browser")`."""
    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--lang=zh-HK",
    ):  # fmt: skip
        options.add_argument(flag)
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@contextmanager
def tablet(folder: Path) -> Iterator[WebDriver]:
    """Chromium sized as a host's tablet held in landscape (1024x768)."""
    with chromium(folder / "chromium-profile") as driver:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": TABLET[0], "height": TABLET[1], "deviceScaleFactor": 1, "mobile": True},
        )
        yield driver
