"""The phone vote page in a real headless browser (Debian's chromium + chromium-driver through
Selenium), served by a real `main.py vote serve` process: enter the code, choose, confirm,
thanks; the refusals a voter can meet; screenshots at 360x800 and 390x844."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import chromium, requires_chromium
from tests.vote_helpers import VotingEvent, add_stills, make_voting_event, open_vote
from tests.vote_server import vote_server

SIZES = ((360, 800), (390, 844))

pytestmark = [
    requires_chromium,
    pytest.mark.skipif(not shutil.which("ffmpeg"), reason="needs ffmpeg (the films' stills)"),
]


@pytest.fixture
def open_voting(tmp_path: Path) -> VotingEvent:
    event = make_voting_event(tmp_path / "event", admitted=6, absent=2)
    add_stills(event)
    open_vote(event.folder).open_vote(10)
    return event


@pytest.fixture
def unopened(tmp_path: Path) -> VotingEvent:
    """A night whose vote has not been opened yet (people scan the QR early)."""
    return make_voting_event(tmp_path / "event", admitted=2, absent=0)


@pytest.fixture(scope="module")
def phone_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One headless chromium for the module: starting one costs a second or two of CPU, and
    each test's page comes from a vote server of its own (a new port: a new origin, with no
    cookies, storage or cache of the test before)."""
    with chromium(tmp_path_factory.mktemp("chromium") / "profile", console_log=True) as driver:
        yield driver


@pytest.fixture
def browser(phone_browser: WebDriver) -> WebDriver:
    """The module's chromium on a blank page, its console log emptied (a test sees only the
    messages of its own pages)."""
    phone_browser.get("about:blank")
    phone_browser.get_log("browser")
    return phone_browser


def phone(driver: WebDriver, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True},
    )
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})


def wait_visible(driver: WebDriver, element_id: str) -> None:
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, element_id).is_displayed())


def message(driver: WebDriver) -> tuple[str, str, str]:
    wait_visible(driver, "msg")
    box = driver.find_element(By.ID, "msg")
    zh = driver.find_element(By.ID, "msg-zh").text
    en = driver.find_element(By.ID, "msg-en").text
    return str(box.get_attribute("data-reason")), zh, en


def enter_code(driver: WebDriver, code: str) -> None:
    field = driver.find_element(By.ID, "code")
    field.clear()
    field.send_keys(code)
    driver.find_element(By.ID, "code-next").click()


def shot(driver: WebDriver, folder: Path, name: str) -> Path:
    """A full-page screenshot (the page's whole height at the phone's width)."""
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def check_layout(driver: WebDriver, width: int) -> None:
    """No sideways scrolling, and every tap target at least 48 CSS px high and wide enough."""
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    sizes = driver.execute_script(
        "return Array.from(document.querySelectorAll('.film, .btn, #code'))"
        ".filter(e => e.offsetParent !== null)"
        ".map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
    )
    assert sizes and all(w >= 200 and h >= 48 for w, h in sizes), sizes


@pytest.mark.slow
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_vote_on_a_phone(
    open_voting: VotingEvent, browser: WebDriver, tmp_path: Path, width: int, height: int
) -> None:
    shots = tmp_path / f"shots-{width}x{height}"
    shots.mkdir()
    phone(browser, width, height)
    with vote_server(open_voting.folder) as url:
        browser.get(url + "/")
        wait_visible(browser, "code")
        assert browser.execute_script("return document.documentElement.lang") == "zh-Hant-HK"
        check_layout(browser, width)
        shot(browser, shots, "1-code")

        enter_code(browser, "ABCD EFGH")
        assert message(browser) == (
            "invalid_code",
            "投票碼不正確。請核對門票上的 8 個字元後再試。",
            "This vote code is not right. Check the 8 characters on your ticket and try again.",
        )
        shot(browser, shots, "2-wrong-code")

        enter_code(browser, open_voting.vote_code_of(open_voting.absent[0]))
        assert message(browser)[0] == "not_checked_in"
        shot(browser, shots, "3-not-admitted")

        voter = open_voting.admitted[0 if width == 360 else 1]
        enter_code(browser, open_voting.vote_code_of(voter).lower().replace("-", " "))
        wait_visible(browser, "films")
        assert not browser.find_element(By.ID, "msg").is_displayed()
        films = browser.find_elements(By.CSS_SELECTOR, ".film")
        assert len(films) == 7
        assert films[5].text.splitlines()[:2] == ["無人提及之片", "Nobody Names This Film"]
        images = browser.find_elements(By.CSS_SELECTOR, ".film img")
        assert len(images) == 7 and {i.get_attribute("loading") for i in images} == {"lazy"}
        WebDriverWait(browser, 10).until(
            lambda d: d.execute_script(
                "const i = document.querySelector('.film img');"
                "return i.complete && i.naturalWidth > 0"
            )
        )
        check_layout(browser, width)
        shot(browser, shots, "4-films")

        films[5].click()
        wait_visible(browser, "confirm")
        assert "Nobody Names This Film" in browser.find_element(By.ID, "pick").text
        step = browser.find_element(By.ID, "step-confirm").text
        assert "Once cast, a vote cannot be changed." in step and "投票後不能更改" in step
        check_layout(browser, width)
        shot(browser, shots, "5-confirm")

        browser.find_element(By.ID, "confirm").click()
        wait_visible(browser, "step-done")
        assert "Thank you for voting!" in browser.find_element(By.ID, "step-done").text
        assert open_vote(open_voting.folder).status().ballots == 1
        shot(browser, shots, "6-thanks")

        browser.get(url + "/")
        enter_code(browser, open_voting.vote_code_of(voter))
        assert message(browser)[:2] == ("already_voted", "此門票已經投過票。每張門票只可投票一次。")
        shot(browser, shots, "7-already-voted")

        open_vote(open_voting.folder).close_vote()
        browser.get(url + "/")
        wait_visible(browser, "step-closed")
        assert "Voting has closed" in browser.find_element(By.ID, "step-closed").text
        shot(browser, shots, "8-closed")
        page_bytes = browser.execute_script(
            "return performance.getEntriesByType('navigation')[0].transferSize"
        )
        problems = [
            entry["message"]
            for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
        ]
        assert problems == []  # no script error, nothing the page's CSP blocked
    print(f"\n{width}x{height}: screenshots in {shots}; page {page_bytes} bytes over the wire")


def state_line(driver: WebDriver) -> str:
    return str(driver.find_element(By.ID, "state").text)


@pytest.mark.slow
def test_the_page_follows_the_vote_live(
    unopened: VotingEvent, browser: WebDriver, tmp_path: Path
) -> None:
    """Not open yet -> open with its countdown -> closed, on one page that is never reloaded
    (it said "Voting has ended" to anyone who scanned early, and never updated)."""
    shots = tmp_path / "live"
    shots.mkdir()
    live = WebDriverWait(browser, 20)  # the page asks every 5-7 s
    with vote_server(unopened.folder) as url:
        for width, height in SIZES:
            phone(browser, width, height)
            browser.get(url + "/")
            wait_visible(browser, "step-notyet")
            assert not browser.find_element(By.ID, "step-code").is_displayed()
            assert state_line(browser) == "投票尚未開始 · Voting has not opened yet"
            assert "updates by itself" in browser.find_element(By.ID, "step-notyet").text
            assert browser.execute_script("return document.documentElement.scrollWidth") <= width
            shot(browser, shots, f"1-not-open-yet-{width}")

        open_vote(unopened.folder).open_vote(10)  # the console opens it: the page follows
        live.until(lambda d: d.find_element(By.ID, "step-code").is_displayed())
        first = state_line(browser)
        assert first.startswith("投票進行中 · 尚餘 ") and " left" in first, first
        live.until(lambda d: state_line(d) != first)  # the countdown moves by itself
        minutes, seconds = state_line(browser).rsplit(" · ", 1)[1].split()[0].split(":")
        assert 8 * 60 < int(minutes) * 60 + int(seconds) <= 10 * 60
        shot(browser, shots, "2-open")

        open_vote(unopened.folder).close_vote()
        live.until(lambda d: d.find_element(By.ID, "step-closed").is_displayed())
        assert state_line(browser) == "投票已經結束 · Voting has closed"
        shot(browser, shots, "3-closed")
        problems = [
            entry["message"]
            for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
        ]
        assert problems == []
    print(f"\nscreenshots in {shots}")
