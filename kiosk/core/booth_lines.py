"""How each line of the booth checklist is judged, from facts gathered elsewhere.

Plain Python: every function here takes what was found (the screens xrandr lists, the sound
server's sinks, free disk space, the films against their preflight, the seal, the server's
answers, the clock) and returns one `CheckLine` — green, amber or red, in both languages, with
what to do when it is not green. Reading those facts from the system is the gatherer's job
(`kiosk.services.booth_checklist`); this module never touches a file, a process or a socket.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.core.booth_check import CheckLine, CheckState

TITLES: dict[str, tuple[str, str]] = {
    "projector": ("Projector", "投影機"),
    "audio": ("Sound output", "音效輸出"),
    "disk": ("Disk space", "磁碟空間"),
    "films": ("Films", "影片"),
    "seal": ("Sealed results", "密封結果"),
    "vote_key": ("Vote key", "投票密鑰"),
    "server": ("Event server", "活動伺服器"),
    "clock": ("Clock", "時鐘"),
}


def line(
    line_id: str, state: CheckState, detail_en: str, detail_zh: str, fix: str = ""
) -> CheckLine:
    """A checklist line with its standard bilingual title (see `TITLES`)."""
    title_en, title_zh = TITLES.get(line_id, (line_id, line_id))
    return CheckLine(line_id, state, title_en, title_zh, detail_en, detail_zh, fix)


def failed_line(line_id: str, error: str) -> CheckLine:
    """The line of a check that could not run at all: red, with the error."""
    return line(
        line_id,
        CheckState.RED,
        f"The check could not run: {error}",
        f"無法檢查：{error}",
        "Note the message and look at kiosk.log; fix the cause and check again · "
        "記下訊息並查看 kiosk.log，修正後再檢查",
    )


# --- projector -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Monitor:
    """A screen as the X server lists it (`xrandr --listmonitors`): Qt uses the same name."""

    name: str
    width: int
    height: int
    primary: bool = False


@dataclass(frozen=True)
class OutputModes:
    """One RandR output's current and preferred (native) mode, from `xrandr --query`."""

    name: str
    current: tuple[int, int] | None
    preferred: tuple[int, int] | None


_MONITOR = re.compile(r"^\s*\d+:\s+([+*]*)(\S+)\s+(\d+)/\d+x(\d+)/\d+")
_OUTPUT = re.compile(r"^(\S+)\s+(connected|disconnected)")
_MODE = re.compile(r"^\s+(\d+)x(\d+)\S*\s+(.*)$")


def parse_monitors(text: str) -> list[Monitor]:
    """The monitors in `xrandr --listmonitors` output (`*` marks the primary)."""
    found = []
    for row in text.splitlines():
        match = _MONITOR.match(row)
        if match:
            flags, name, width, height = match.groups()
            found.append(Monitor(name, int(width), int(height), "*" in flags))
    return found


def parse_output_modes(text: str) -> list[OutputModes]:
    """Each connected output's current (`*`) and preferred (`+`) mode from `xrandr --query`."""
    outputs: list[OutputModes] = []
    name: str | None = None
    current: tuple[int, int] | None = None
    preferred: tuple[int, int] | None = None

    def close() -> None:
        if name is not None:
            outputs.append(OutputModes(name, current, preferred))

    for row in text.splitlines():
        header = _OUTPUT.match(row)
        if header:
            close()
            name = header.group(1) if header.group(2) == "connected" else None
            current = preferred = None
            continue
        mode = _MODE.match(row)
        if mode and name is not None:
            size = (int(mode.group(1)), int(mode.group(2)))
            rates = mode.group(3)
            if "*" in rates:
                current = size
            if "+" in rates:
                preferred = size
        elif not row.startswith(" "):
            close()
            name = None
    close()
    return outputs


def projector_monitor(monitors: Sequence[Monitor], wanted: str | None) -> Monitor | None:
    """The monitor the stage goes to (as `choose_screen` picks it): the chosen one if it is
    there, else the first that is not the primary; None when there is only the laptop's."""
    if wanted:
        for monitor in monitors:
            if monitor.name == wanted:
                return monitor
    if len(monitors) < 2:
        return None
    # with no primary marked, Qt takes the first screen as the primary (the console's)
    primary = next((m for m in monitors if m.primary), monitors[0])
    return next(m for m in monitors if m is not primary)


def judge_projector(
    monitors: Sequence[Monitor] | None,
    outputs: Sequence[OutputModes],
    wanted: str | None,
) -> CheckLine:
    """The projector: connected (the chosen one, if one was chosen) and at its native size.

    `monitors` None: there is no display to look at (a terminal without a desktop).
    """
    if monitors is None:
        return line(
            "projector",
            CheckState.AMBER,
            "No desktop display to look at from here.",
            "此處沒有可檢查的桌面顯示。",
            "Run the check on the booth laptop's desktop (the console's Checklist, key K) · "
            "請在放映室電腦桌面上檢查（控制台清單，K 鍵）",
        )
    names = ", ".join(m.name for m in monitors) or "none"
    if wanted and all(m.name != wanted for m in monitors):
        return line(
            "projector",
            CheckState.RED,
            f"The projector chosen for this event ({wanted}) is not connected (screens: {names}).",
            f"本活動選定的投影機（{wanted}）未連接（螢幕：{names}）。",
            "Plug in the projector's cable and switch the projector on, or choose the screen "
            "again with O · 接上投影機線並開啟投影機，或按 O 重新選擇螢幕",
        )
    chosen = projector_monitor(monitors, wanted)
    if chosen is None:
        return line(
            "projector",
            CheckState.RED,
            f"Only one screen is connected ({names}): the films would show on the laptop.",
            f"只連接了一個螢幕（{names}）：影片會在電腦螢幕上播放。",
            "Connect the projector (HDMI), set the desktop to 'extend' (not mirror), then check "
            "again · 連接投影機（HDMI），桌面設定為「延伸」而非「鏡像」，再檢查",
        )
    size = f"{chosen.width}x{chosen.height}"
    modes = next((o for o in outputs if o.name == chosen.name), None)
    native = modes.preferred if modes is not None else None
    if native is None:
        return line(
            "projector",
            CheckState.GREEN,
            f"{chosen.name} at {size} (the screen reports no native mode to compare).",
            f"{chosen.name}，{size}（螢幕未報告原生解析度）。",
        )
    if (chosen.width, chosen.height) != native:
        return line(
            "projector",
            CheckState.AMBER,
            f"{chosen.name} runs at {size}, but its native resolution is "
            f"{native[0]}x{native[1]}: the picture is scaled.",
            f"{chosen.name} 以 {size} 運行，原生解析度為 {native[0]}x{native[1]}：畫面會被縮放。",
            f"Set {chosen.name} to {native[0]}x{native[1]} in the desktop's display settings · "
            f"在桌面顯示設定中把 {chosen.name} 設為 {native[0]}x{native[1]}",
        )
    return line(
        "projector",
        CheckState.GREEN,
        f"{chosen.name} at its native {size}.",
        f"{chosen.name}，原生解析度 {size}。",
    )


# --- sound ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToneResult:
    """What became of the test tone: played to a device, and whether the operator heard it."""

    device: str
    heard: bool | None  # None: played, not yet confirmed
    error: str | None = None


def judge_audio(
    chosen: str | None, sinks: Sequence[str] | None, tone: ToneResult | None
) -> CheckLine:
    """The chosen audio output is there, and a test tone was heard through it.

    `sinks` None: no sound server answered. `tone` None: no tone played in this session (the
    command line cannot play one; it reports presence).
    """
    device = chosen or "the default output"
    subject = chosen or "The default output"  # at the start of a sentence
    device_zh = chosen or "預設輸出"
    if sinks is None:
        return line(
            "audio",
            CheckState.RED,
            "No sound server answers: the films would play silently.",
            "音效伺服器沒有回應：影片會無聲播放。",
            "Log in to the desktop (the sound server runs in the session) or restart it with "
            "`pulseaudio --start` · 登入桌面或以 `pulseaudio --start` 重新啟動音效伺服器",
        )
    if not sinks:
        return line(
            "audio",
            CheckState.RED,
            "The sound server lists no output at all.",
            "音效伺服器沒有任何輸出裝置。",
            "Connect the sound desk / HDMI audio and check the sound card · "
            "連接音控台或 HDMI 音訊，並檢查音效卡",
        )
    if chosen and chosen not in sinks:
        return line(
            "audio",
            CheckState.RED,
            f"The output chosen for this event ({chosen}) is not there "
            f"(outputs: {', '.join(sinks)}).",
            f"本活動選定的輸出（{chosen}）不存在（輸出：{', '.join(sinks)}）。",
            "Plug the sound desk in again, or choose the output again with O · "
            "重新接上音控台，或按 O 重新選擇輸出",
        )
    if tone is not None and tone.device == (chosen or "") and tone.error:
        return line(
            "audio",
            CheckState.RED,
            f"The test tone could not play on {device}: {tone.error}",
            f"測試音無法在 {device_zh} 播放：{tone.error}",
            "Check the output with O, then play the tone again · 按 O 檢查輸出後再播放測試音",
        )
    if tone is not None and tone.device == (chosen or "") and tone.heard is False:
        return line(
            "audio",
            CheckState.RED,
            f"The test tone played on {device} but was not heard in the hall.",
            f"測試音已在 {device_zh} 播放，但場內聽不到。",
            "Check the sound desk's faders, the amplifier and the cable, then play the tone "
            "again · 檢查音控台推桿、擴音器及線材，再播放測試音",
        )
    if tone is not None and tone.device == (chosen or "") and tone.heard:
        return line(
            "audio",
            CheckState.GREEN,
            f"{subject} is there and the test tone was heard in the hall.",
            f"{device_zh} 已連接，場內聽到測試音。",
        )
    return line(
        "audio",
        CheckState.AMBER,
        f"{subject} is there; no test tone heard yet.",
        f"{device_zh} 已連接；尚未確認聽到測試音。",
        "Press 'Play test tone' on the console's checklist and listen in the hall · "
        "在控制台清單按「播放測試音」並在場內聆聽",
    )


# --- disk ----------------------------------------------------------------------------------

DISK_RED_BYTES = 500 * 1000**2  # the journal, logs and a report need far less: this is margin
DISK_AMBER_BYTES = 2 * 1000**3


def judge_disk(free_bytes: int, where: str) -> CheckLine:
    """Free space where the journal, the logs and the report are written."""
    free = f"{free_bytes / 1000**3:.1f} GB"
    if free_bytes < DISK_RED_BYTES:
        state = CheckState.RED
    elif free_bytes < DISK_AMBER_BYTES:
        state = CheckState.AMBER
    else:
        return line("disk", CheckState.GREEN, f"{free} free for {where}.", f"{where} 尚餘 {free}。")
    return line(
        "disk",
        state,
        f"Only {free} free for {where} (the journal and the report need room).",
        f"{where} 只餘 {free}（記錄及報告需要空間）。",
        "Free some space (empty the trash, move old films off this disk) · "
        "騰出空間（清空垃圾桶，移走舊影片）",
    )


# --- films ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilmState:
    """One film of the programme against its preflight: `media` is a MediaState value
    ("same", "changed", "missing", "unchecked"), `ok` whether preflight passed it."""

    film_id: str
    media: str
    ok: bool | None  # None: no preflight result


def judge_films(films: Sequence[FilmState]) -> CheckLine:
    """Every film preflighted, passed, and its file unchanged since."""
    unchecked = [f.film_id for f in films if f.ok is None or f.media == "unchecked"]
    changed = [f.film_id for f in films if f.media in ("changed", "missing")]
    blocked = [f.film_id for f in films if f.ok is False and f.film_id not in changed]
    if not (unchecked or changed or blocked):
        return line(
            "films",
            CheckState.GREEN,
            f"All {len(films)} films preflighted and unchanged since.",
            f"全部 {len(films)} 部影片已檢查，其後沒有變更。",
        )
    parts_en, parts_zh = [], []
    if changed:
        parts_en.append(f"changed or missing since preflight: {', '.join(changed)}")
        parts_zh.append(f"檢查後有變更或遺失：{', '.join(changed)}")
    if blocked:
        parts_en.append(f"would stop the show: {', '.join(blocked)}")
        parts_zh.append(f"會令放映停止：{', '.join(blocked)}")
    if unchecked:
        parts_en.append(f"not preflighted: {', '.join(unchecked)}")
        parts_zh.append(f"未檢查：{', '.join(unchecked)}")
    return line(
        "films",
        CheckState.RED,
        _sentence("; ".join(parts_en)),
        "；".join(parts_zh) + "。",
        "Run preflight (F5, or `python main.py preflight`) and fix what it finds · "
        "執行檢查（F5 或 `python main.py preflight`）並修正問題",
    )


def _sentence(text: str) -> str:
    """`text` with its first letter upper-cased and a full stop (ids keep their case)."""
    return text[:1].upper() + text[1:] + "."


# --- seal and vote key ---------------------------------------------------------------------


def judge_seal(
    *,
    needed: bool,
    sealed: bool,
    problems: Sequence[str],
    warnings: Sequence[str],
) -> CheckLine:
    """The jury's results are sealed and the seal checks out (without opening it).

    `needed`: the event has a jury award (else nothing has to be sealed)."""
    if not needed and not sealed:
        return line(
            "seal",
            CheckState.GREEN,
            "The event has no jury award: nothing to seal.",
            "本活動沒有評審獎項：無需密封。",
        )
    if not sealed:
        return line(
            "seal",
            CheckState.RED,
            "The jury's results are not sealed: the reveal cannot open them.",
            "評審結果尚未密封：頒獎時無法開啟。",
            "Seal them: `python main.py results seal FILE` with the keyholders present · "
            "在持鑰人在場下執行 `python main.py results seal FILE` 密封",
        )
    if problems:
        return line(
            "seal",
            CheckState.RED,
            "The seal does not check out: " + "; ".join(problems),
            "密封結果有問題：" + "；".join(problems),
            "Run `python main.py results verify` and do what it says (seal again with the "
            "keyholders if needed) · 執行 `python main.py results verify` 並按指示處理",
        )
    if warnings:
        return line(
            "seal",
            CheckState.AMBER,
            "Sealed, but: " + "; ".join(warnings),
            "已密封，但：" + "；".join(warnings),
            "Read `python main.py results verify` and seal again if it says so · "
            "查看 `python main.py results verify`，如有需要重新密封",
        )
    return line(
        "seal",
        CheckState.GREEN,
        "Sealed, intact, and it fits the programme.",
        "已密封、完整，並與節目相符。",
    )


def judge_vote_key(*, needed: bool, problem: str | None, matches_seal: bool | None) -> CheckLine:
    """The Viewer's Award's vote key is there and belongs to the current seal.

    `needed`: the event has an audience award. `problem`: why the key cannot be read (None:
    read). `matches_seal`: the key was made with the current seal (None: no seal to compare)."""
    if not needed:
        return line(
            "vote_key",
            CheckState.GREEN,
            "The event has no Viewer's Award: no vote key needed.",
            "本活動沒有觀眾獎：無需投票密鑰。",
        )
    if problem is not None:
        return line(
            "vote_key",
            CheckState.RED,
            f"The Viewer's Award cannot be counted: {problem}",
            f"觀眾獎無法點票：{problem}",
            "Seal the jury's results (that makes the vote key): `python main.py results seal "
            "FILE` · 密封評審結果（同時產生投票密鑰）",
        )
    if matches_seal is False:
        return line(
            "vote_key",
            CheckState.RED,
            "The vote key belongs to an earlier seal: the current passphrases cannot open it.",
            "投票密鑰屬於較早的密封：目前的密碼無法開啟。",
            "Seal the results again with --replace before any ballot is cast · "
            "在投票開始前以 --replace 重新密封",
        )
    return line(
        "vote_key",
        CheckState.GREEN,
        "The vote key is there and belongs to the seal.",
        "投票密鑰存在，並與密封相符。",
    )


# --- server --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """An address the stations or the phones use, and whether it answered."""

    role_en: str  # "door stations", "vote page"
    role_zh: str
    host: str
    port: int
    answers: bool


LOOPBACK = ("127.", "::1", "localhost")


def judge_server(endpoints: Sequence[Endpoint], lan_address: str) -> CheckLine:
    """The event server answers on the addresses the stations and phones were given.

    `endpoints` empty: the server never ran for this event. `lan_address`: where this laptop
    is on the venue network now (a changed address strands paired stations)."""
    if not endpoints:
        return line(
            "server",
            CheckState.AMBER,
            "The event server has not run for this event yet: door stations and phones have "
            "nothing to reach.",
            "本活動的伺服器尚未運行：門口站及手機無法連線。",
            "Start it: `python main.py serve` (then pair the door stations) · "
            "啟動：`python main.py serve`（然後配對門口站）",
        )
    silent = [e for e in endpoints if not e.answers]
    if silent:
        where = ", ".join(f"{e.role_en} {e.host}:{e.port}" for e in silent)
        where_zh = "、".join(f"{e.role_zh} {e.host}:{e.port}" for e in silent)
        return line(
            "server",
            CheckState.RED,
            f"Nothing answers at {where}.",
            f"{where_zh} 沒有回應。",
            "Start the server (`python main.py serve`) and check the laptop is on the venue "
            "network · 啟動伺服器並確認電腦已連接場地網絡",
        )
    local = [e for e in endpoints if e.host.startswith(LOOPBACK)]
    moved = [e for e in endpoints if not e.host.startswith(LOOPBACK) and e.host != lan_address]
    listed = ", ".join(f"{e.role_en} {e.host}:{e.port}" for e in endpoints)
    listed_zh = "、".join(f"{e.role_zh} {e.host}:{e.port}" for e in endpoints)
    if local:
        return line(
            "server",
            CheckState.AMBER,
            f"Answers at {listed}, but only on this laptop: other laptops and phones cannot "
            f"reach it.",
            f"{listed_zh} 有回應，但只限本機：其他電腦及手機無法連線。",
            "Connect to the venue network and start `python main.py serve` again · "
            "連接場地網絡後重新啟動 `python main.py serve`",
        )
    if moved:
        return line(
            "server",
            CheckState.AMBER,
            f"Answers at {listed}, but this laptop's address is now {lan_address}.",
            f"{listed_zh} 有回應，但本機地址已變為 {lan_address}。",
            "Restart `python main.py serve` and pair the door stations again · "
            "重新啟動伺服器並重新配對門口站",
        )
    return line("server", CheckState.GREEN, f"Answers at {listed}.", f"{listed_zh} 有回應。")


# --- clock ---------------------------------------------------------------------------------

EARLY_DAYS = 60  # the laptop's date this long before the event: probably a wrong clock


def judge_clock(
    now: dt.datetime,
    event_start: dt.datetime,
    laptop_offset: dt.timedelta | None,
    synchronised: bool | None,
) -> CheckLine:
    """The laptop's clock: the right day for the event, the event's time zone, synchronised.

    `now` and `event_start` are aware. `laptop_offset`: the laptop's own UTC offset now.
    `synchronised`: the NTP state from timedatectl (None: unknown)."""
    zone = event_start.tzinfo
    local_now = now.astimezone(zone)
    event_offset = local_now.utcoffset()
    days = (event_start.date() - local_now.date()).days
    shown = f"{local_now:%Y-%m-%d %H:%M} ({local_now.tzname()})"
    if days < -1:
        return line(
            "clock",
            CheckState.AMBER,
            f"The clock says {shown}, {-days} days after the event ({event_start:%Y-%m-%d}).",
            f"時鐘顯示 {shown}，已在活動（{event_start:%Y-%m-%d}）之後 {-days} 日。",
            "Check the laptop's date and time, and the date in event.toml · "
            "檢查電腦日期時間及 event.toml 的日期",
        )
    if days > EARLY_DAYS:
        return line(
            "clock",
            CheckState.AMBER,
            f"The clock says {shown}, {days} days before the event: is the date right?",
            f"時鐘顯示 {shown}，距活動尚有 {days} 日：日期正確嗎？",
            "Check the laptop's date and time, and the date in event.toml · "
            "檢查電腦日期時間及 event.toml 的日期",
        )
    if laptop_offset is not None and laptop_offset != event_offset:
        hours = laptop_offset.total_seconds() / 3600
        return line(
            "clock",
            CheckState.AMBER,
            f"The laptop's time zone is UTC{hours:+g}, the event's {local_now.tzname()}: the "
            f"desktop clock differs from the times on the screens.",
            f"電腦時區為 UTC{hours:+g}，活動時區為 {local_now.tzname()}：桌面時鐘與畫面時間不同。",
            "Set the laptop's time zone to the venue's in the system settings · "
            "在系統設定中把電腦時區設為場地時區",
        )
    if synchronised is False:
        return line(
            "clock",
            CheckState.AMBER,
            f"The clock says {shown} but is not synchronised with network time.",
            f"時鐘顯示 {shown}，但未與網絡時間同步。",
            "Turn on automatic time (`timedatectl set-ntp true`) on a network with internet · "
            "開啟自動校時（`timedatectl set-ntp true`）",
        )
    sync_en = {True: "synchronised", None: "synchronisation unknown"}[synchronised]
    sync_zh = {True: "已同步", None: "同步狀態不明"}[synchronised]
    return line(
        "clock",
        CheckState.GREEN,
        f"{shown}, {sync_en}.",
        f"{shown}，{sync_zh}。",
    )
