"""Country, region and language names in Traditional Chinese (Hong Kong usage), for the cards.

The festival's programme gives a film's country and language in English; the audience reads
both languages on the title and award cards. A programme may give ``country_zh`` /
``language_zh`` itself; otherwise these built-in tables are used, and a name not in them is
shown in English only (never guessed).
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

COUNTRY_ZH: dict[str, str] = {
    "hong kong": "香港",
    "hong kong sar": "香港",
    "macau": "澳門",
    "macao": "澳門",
    "taiwan": "台灣",
    "china": "中國",
    "mainland china": "中國內地",
    "japan": "日本",
    "south korea": "南韓",
    "korea": "韓國",
    "north korea": "北韓",
    "singapore": "新加坡",
    "malaysia": "馬來西亞",
    "thailand": "泰國",
    "vietnam": "越南",
    "viet nam": "越南",
    "philippines": "菲律賓",
    "indonesia": "印尼",
    "cambodia": "柬埔寨",
    "myanmar": "緬甸",
    "laos": "老撾",
    "mongolia": "蒙古",
    "india": "印度",
    "pakistan": "巴基斯坦",
    "bangladesh": "孟加拉",
    "sri lanka": "斯里蘭卡",
    "nepal": "尼泊爾",
    "iran": "伊朗",
    "iraq": "伊拉克",
    "israel": "以色列",
    "palestine": "巴勒斯坦",
    "lebanon": "黎巴嫩",
    "jordan": "約旦",
    "saudi arabia": "沙地阿拉伯",
    "united arab emirates": "阿拉伯聯合酋長國",
    "uae": "阿聯酋",
    "qatar": "卡塔爾",
    "turkey": "土耳其",
    "türkiye": "土耳其",
    "egypt": "埃及",
    "morocco": "摩洛哥",
    "tunisia": "突尼西亞",
    "nigeria": "尼日利亞",
    "kenya": "肯雅",
    "ethiopia": "埃塞俄比亞",
    "ghana": "加納",
    "south africa": "南非",
    "united kingdom": "英國",
    "uk": "英國",
    "england": "英格蘭",
    "scotland": "蘇格蘭",
    "wales": "威爾斯",
    "ireland": "愛爾蘭",
    "france": "法國",
    "germany": "德國",
    "italy": "意大利",
    "spain": "西班牙",
    "portugal": "葡萄牙",
    "netherlands": "荷蘭",
    "the netherlands": "荷蘭",
    "belgium": "比利時",
    "luxembourg": "盧森堡",
    "switzerland": "瑞士",
    "austria": "奧地利",
    "denmark": "丹麥",
    "norway": "挪威",
    "sweden": "瑞典",
    "finland": "芬蘭",
    "iceland": "冰島",
    "poland": "波蘭",
    "czech republic": "捷克",
    "czechia": "捷克",
    "slovakia": "斯洛伐克",
    "hungary": "匈牙利",
    "romania": "羅馬尼亞",
    "bulgaria": "保加利亞",
    "greece": "希臘",
    "croatia": "克羅地亞",
    "serbia": "塞爾維亞",
    "slovenia": "斯洛文尼亞",
    "estonia": "愛沙尼亞",
    "latvia": "拉脫維亞",
    "lithuania": "立陶宛",
    "ukraine": "烏克蘭",
    "russia": "俄羅斯",
    "georgia": "格魯吉亞",
    "armenia": "亞美尼亞",
    "kazakhstan": "哈薩克",
    "united states": "美國",
    "united states of america": "美國",
    "usa": "美國",
    "us": "美國",
    "canada": "加拿大",
    "mexico": "墨西哥",
    "brazil": "巴西",
    "argentina": "阿根廷",
    "chile": "智利",
    "colombia": "哥倫比亞",
    "peru": "秘魯",
    "cuba": "古巴",
    "australia": "澳洲",
    "new zealand": "新西蘭",
}

LANGUAGE_ZH: dict[str, str] = {
    "cantonese": "粵語",
    "mandarin": "普通話",
    "putonghua": "普通話",
    "chinese": "中文",
    "hokkien": "閩南語",
    "taiwanese": "台語",
    "hakka": "客家話",
    "shanghainese": "上海話",
    "teochew": "潮州話",
    "english": "英語",
    "japanese": "日語",
    "korean": "韓語",
    "thai": "泰語",
    "vietnamese": "越南語",
    "malay": "馬來語",
    "indonesian": "印尼語",
    "tagalog": "他加祿語",
    "filipino": "菲律賓語",
    "hindi": "印地語",
    "urdu": "烏爾都語",
    "bengali": "孟加拉語",
    "nepali": "尼泊爾語",
    "estonian": "愛沙尼亞語",
    "tamil": "泰米爾語",
    "persian": "波斯語",
    "farsi": "波斯語",
    "arabic": "阿拉伯語",
    "hebrew": "希伯來語",
    "turkish": "土耳其語",
    "french": "法語",
    "german": "德語",
    "italian": "意大利語",
    "spanish": "西班牙語",
    "portuguese": "葡萄牙語",
    "dutch": "荷蘭語",
    "danish": "丹麥語",
    "norwegian": "挪威語",
    "swedish": "瑞典語",
    "finnish": "芬蘭語",
    "polish": "波蘭語",
    "czech": "捷克語",
    "hungarian": "匈牙利語",
    "greek": "希臘語",
    "russian": "俄語",
    "ukrainian": "烏克蘭語",
    "no dialogue": "無對白",
    "none": "無對白",
    "silent": "默片",
}

_SEPARATORS = re.compile(r"\s*(?:,|/|&|\band\b|、|，)\s*", re.IGNORECASE)


def _translate(text: str, table: dict[str, str]) -> str | None:
    parts = [part for part in _SEPARATORS.split(text.strip()) if part]
    if not parts:
        return None
    translated = [table.get(part.casefold()) for part in parts]
    if any(item is None for item in translated):
        return None  # one unknown part: English only, never half a translation
    return "、".join(item for item in translated if item)


def country_zh(country: str) -> str | None:
    """``"Hong Kong / Taiwan"`` → ``"香港、台灣"``; None when a part is not in the table."""
    return _translate(country, COUNTRY_ZH)


def language_zh(language: str) -> str | None:
    """``"Cantonese, English"`` → ``"粵語、英語"``; None when a part is not in the table."""
    return _translate(language, LANGUAGE_ZH)


def bilingual(chinese: str | None, english: str) -> str:
    """``"香港 Hong Kong"``, or the English alone when there is no Chinese."""
    return f"{chinese} {english}" if chinese and chinese != english else english
