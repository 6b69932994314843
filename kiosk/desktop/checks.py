"""The booth-checklist lines about the desktop: session and video path, idle and sleep
inhibited, power, notifications. Pure functions over facts read by the modules beside this one
(`session.read_session`, `Inhibitor.status()`, `power.read_power`,
`notifications.notifications_quiet`)."""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.core.booth_check import CheckLine, CheckState
from kiosk.desktop.inhibit import InhibitStatus
from kiosk.desktop.power import LOW_BATTERY_PERCENT, PowerState
from kiosk.desktop.session import SessionType, VideoPath, read_session


def session_check(environ: Mapping[str, str]) -> CheckLine:
    """Session type and the video path: X11 or XWayland green; Wayland without XWayland red."""
    session = read_session(environ)
    title = ("Session and video path", "桌面工作階段與影片路徑")
    path = session.video_path
    kind = {SessionType.X11: "X11", SessionType.WAYLAND: "Wayland", SessionType.NONE: "none"}[
        session.type
    ]
    desktop = f" ({session.desktop})" if session.desktop else ""
    if path is VideoPath.X11:
        return CheckLine(
            "session", CheckState.GREEN, *title,
            f"X11 session{desktop}: films drawn in the projector window",
            f"X11 工作階段{desktop}：影片於投影視窗播放",
        )  # fmt: skip
    if path is VideoPath.XWAYLAND:
        return CheckLine(
            "session", CheckState.GREEN, *title,
            f"Wayland session{desktop}: the app runs on XWayland ({session.x_display}), "
            "films drawn in the projector window",
            f"Wayland 工作階段{desktop}：程式經 XWayland（{session.x_display}）執行，"
            "影片於投影視窗播放",
        )  # fmt: skip
    if path is VideoPath.NO_X:
        return CheckLine(
            "session", CheckState.RED, *title,
            f"Wayland session{desktop} without XWayland: films cannot be shown",
            f"沒有 XWayland 的 Wayland 工作階段{desktop}：無法播放影片",
            "Log out and choose an X11 session ('GNOME on Xorg'), or install XWayland "
            "(sudo apt install xwayland) and log in again.",
        )  # fmt: skip
    return CheckLine(
        "session", CheckState.AMBER, *title,
        f"No screen to show films on ({kind} session, Qt platform "
        f"{session.qt_platform or 'default'})",
        f"沒有可播放影片的螢幕（{kind} 工作階段）",
        "Run the checklist on the laptop's own desktop, with the projector connected.",
    )  # fmt: skip


def inhibit_check(status: InhibitStatus) -> CheckLine:
    """Idle and sleep inhibited (green), one of them (amber), neither (red)."""
    title = ("Screen and sleep kept awake", "螢幕及睡眠保持喚醒")
    idle = ", ".join(status.idle) or "nothing"
    sleep = ", ".join(status.sleep) or "nothing"
    lid = "; lid switch blocked" if status.lid else ""
    found_en = f"idle held off by {idle}; sleep by {sleep}{lid}"
    found_zh = f"閒置由 {idle} 阻止；睡眠由 {sleep} 阻止" + (
        "；合上螢幕不會睡眠" if status.lid else ""
    )
    if not status.held:
        return CheckLine(
            "inhibit", CheckState.AMBER, *title,
            "Not held yet: the console holds it once the event is open",
            "尚未啟用：主控台開啟活動後會啟用",
            "Open the console on the event; then this line turns green.",
        )  # fmt: skip
    if status.idle_inhibited and status.sleep_inhibited:
        return CheckLine("inhibit", CheckState.GREEN, *title, found_en, found_zh)
    fix = (
        "Set the desktop's screen blank and automatic suspend to 'Never' for tonight "
        "(GNOME: Settings → Power), and keep the laptop's lid open. "
        + ("Problems: " + "; ".join(status.problems) if status.problems else "")
    ).strip()
    state = CheckState.RED if not status.idle_inhibited else CheckState.AMBER
    return CheckLine("inhibit", state, *title, found_en, found_zh, fix)


def power_check(power: PowerState) -> CheckLine:
    """Mains power green; on battery amber (red below the low mark); unknown amber."""
    title = ("Power", "電源")
    percent = "" if power.battery_percent is None else f" {power.battery_percent:.0f}%"
    if power.on_battery is None:
        return CheckLine(
            "power", CheckState.AMBER, *title,
            "Power source unknown (no UPower, nothing in /sys/class/power_supply)",
            "無法得知電源狀態",
            "Check by eye that the laptop's charger is plugged in and its light is on.",
        )  # fmt: skip
    if not power.on_battery and not power.low:
        battery = f", battery{percent}" if percent else ""
        return CheckLine(
            "power", CheckState.GREEN, *title,
            f"On mains power{battery}", f"使用市電{('，電池' + percent) if percent else ''}",
        )  # fmt: skip
    state = CheckState.RED if power.low else CheckState.AMBER
    where_en = "On battery" if power.on_battery else "On mains power but the battery is low"
    where_zh = "使用電池" if power.on_battery else "已接市電但電量偏低"
    return CheckLine(
        "power", state, *title,
        f"{where_en}:{percent or ' level unknown'}"
        + (f" (below {LOW_BATTERY_PERCENT:.0f}%)" if power.low else ""),
        f"{where_zh}：{percent.strip() or '電量不明'}",
        "Plug the laptop's charger into a mains socket and check that it charges.",
    )  # fmt: skip


def notifications_check(quiet: bool | None) -> CheckLine:
    """Do Not Disturb on (green), off (amber), unknown (amber)."""
    title = ("Notifications quiet", "通知靜音")
    if quiet:
        return CheckLine(
            "notifications", CheckState.GREEN, *title,
            "Do Not Disturb is on: no pop-ups on the screens",
            "「請勿打擾」已開啟：畫面不會彈出通知",
        )  # fmt: skip
    if quiet is None:
        return CheckLine(
            "notifications", CheckState.AMBER, *title,
            "Cannot tell whether notifications will pop up (not a GNOME desktop)",
            "無法得知通知會否彈出（非 GNOME 桌面）",
            "Turn on the desktop's Do Not Disturb / notifications off for tonight by hand.",
        )  # fmt: skip
    return CheckLine(
        "notifications", CheckState.AMBER, *title,
        "Notifications will pop up (Do Not Disturb is off)",
        "通知會彈出（「請勿打擾」未開啟）",
        "Accept the console's offer to turn on Do Not Disturb, or turn it on in the top bar.",
    )  # fmt: skip
