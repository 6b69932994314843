"""The report's words for what the journal writes as keys: incident kinds, cues and the
player's technical reasons, in English and Traditional Chinese.

The report used to print the keys ("sound_lost", "holding") and libvlc's English error text as
they were stored. A reader of the report (the festival director, the venue) gets a plain
sentence in both languages here; the technical text stays beside it for whoever fixes the file.
The JSON keeps the keys (`kind`, `cue`, `reason`): they are the command-line contract.
"""

from __future__ import annotations

import re

from kiosk.core.glossary import Term

INCIDENT_WORDS: dict[str, Term] = {
    "pause": Term("Paused", "暫停"),
    "black": Term("Cut to black", "切黑畫面"),
    "failure": Term("Film failed", "影片播放失敗"),
    "preload_failure": Term("Could not prepare the film", "未能預備影片"),
    "retry": Term("Tried the film again", "重試影片"),
    "skip": Term("Skipped", "跳過"),
    "jump": Term("Jumped to another cue", "跳到另一段"),
    "back": Term("Went back a cue", "返回上一段"),
    "seek": Term("Moved within the film", "影片跳段"),
    "restart": Term("Restarted from the start", "從頭重播"),
    "crash": Term("Console stopped and was restored", "控制台中斷後恢復"),
    "closed": Term("Console closed and reopened", "控制台關閉後重開"),
    "sound_lost": Term("Sound lost", "聲音中斷"),
    "stall": Term("Console slow to respond", "控制台反應緩慢"),
}
FADED_TO_BLACK = Term("Faded to black", "淡出至黑畫面")

_CUES: dict[str, Term] = {
    "holding": Term("the holding slide", "等候畫面"),
    "intermission": Term("the intermission", "中場休息"),
    "end": Term("the end card", "完場畫面"),
}


def cue_words(key: str) -> Term:
    """A cue key as words: `holding` → the holding slide, `card:F03` → F03's title card."""
    if key in _CUES:
        return _CUES[key]
    kind, _, film = key.partition(":")
    if kind == "card" and film:
        return Term(f"the title card of {film}", f"{film} 片頭卡")
    if kind == "film" and film:
        return Term(film, film)
    return Term(key, key)


# the player's and the sound watch's technical reasons, as a plain explanation
_EXPLANATIONS: tuple[tuple[re.Pattern[str], Term], ...] = (
    (
        re.compile(r"could not decode"),
        Term(
            "the file could not be played (damaged, or not a format the player reads)",
            "檔案無法播放（可能損壞或格式不支援）",
        ),
    ),
    (
        re.compile(r"found no picture"),
        Term("no picture came out of the file", "檔案沒有畫面"),
    ),
    (
        re.compile(r"stopped at .* \(the file looks damaged\)"),
        Term(
            "the film stopped before its end: the file looks damaged",
            "影片未完便停止，檔案疑已損壞",
        ),
    ),
    (
        re.compile(r"no picture within"),
        Term("the film did not start in time", "影片未能及時開始"),
    ),
    (
        re.compile(r"takes no sound|suspended|stalled"),
        Term("the sound device stopped taking sound", "音響裝置停止接收聲音"),
    ),
    (
        re.compile(r"sound server does not answer"),
        Term("the computer's sound service stopped answering", "電腦的音效服務沒有回應"),
    ),
    (
        re.compile(r"GUI thread held"),
        Term("the console's screen froze for a moment", "控制台畫面短暫停頓"),
    ),
)
_SOUND_LOST = Term(
    "the sound stopped reaching the speakers; the film played on",
    "聲音未能傳到揚聲器，影片繼續播放",
)


def explain(kind: str, reason: str) -> Term | None:
    """A plain explanation of a technical `reason`, or None when the reason is plain already
    (an operator's words, a file name)."""
    for pattern, words in _EXPLANATIONS:
        if pattern.search(reason):
            return words
    return _SOUND_LOST if kind == "sound_lost" else None
