"""Names and account numbers as a comparison sees them, not as someone typed them.

"张 伟", "張偉", "张伟 " and full-width "ＺＨＡＮＧ　ＷＥＩ" are one payee to an auditor; a
conflict-of-interest match or a shared-account check that compares the typed text misses
the first trick a dishonest officer tries. Pure functions, no database.
"""

from __future__ import annotations

import re
import unicodedata

# Traditional -> simplified forms of the characters most common in Chinese names (the
# hundred commonest surnames and given-name characters that differ). A full converter
# (OpenCC) is a C++ library and a dictionary of 10,000 entries; names need these.
_TRADITIONAL = (
    "張张 陳陈 劉刘 黃黄 趙赵 吳吴 鄭郑 楊杨 孫孙 馬马 許许 鄧邓 馮冯 蕭萧 葉叶 呂吕 羅罗 韓韩 "
    "謝谢 蔣蒋 龍龙 錢钱 湯汤 盧卢 鍾钟 莊庄 譚谭 賴赖 陸陆 顧顾 鄒邹 閻阎 華华 範范 衛卫 蘇苏 "
    "賈贾 節节 孔孔 齊齐 萬万 龔龚 鄔邬 嚴严 薛薛 魯鲁 溫温 丁丁 歐欧 陽阳 鄒邹 戴戴 宮宫 "
    "偉伟 國国 軍军 紅红 麗丽 強强 東东 輝辉 鵬鹏 傑杰 濤涛 寧宁 靜静 艷艳 鳳凤 蘭兰 雲云 "
    "貴贵 銀银 義义 慶庆 紀纪 貞贞 順顺 嬌娇 鳴鸣 瑩莹 貝贝 書书 達达 愛爱 權权 險险 億亿 "
    "興兴 漢汉 瓊琼 鋒锋 剛刚 連连 楓枫 瑤瑶 頤颐 韻韵 穎颖 廣广 實实 憲宪 聰聪 瑋玮 藝艺 "
    "進进 學学 業业 榮荣 長长 門门 閩闽 寶宝 霞霞 燕燕 鑫鑫 邊边 蓮莲 嶽岳 綠绿 詩诗 "
)
_SIMPLIFY = {pair[0]: pair[1] for pair in _TRADITIONAL.split() if len(pair) == 2}
# Separators people put inside a name: spaces of every width, middle dots, dots, dashes.
_SEPARATORS = re.compile(r"[\s·•・.\-_()（）,，、]+")


def normal_name(text: str) -> str:
    """The form two names are compared in: NFKC (full-width letters and digits become
    half-width), separators removed, case folded, traditional characters simplified."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _SEPARATORS.sub("", text).casefold()
    return "".join(_SIMPLIFY.get(ch, ch) for ch in text)


def normal_account(text: str) -> str:
    """A bank account as its digits (and letters, for foreign IBAN-like numbers)."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if ch.isalnum()).upper()


def normal_invoice(text: str) -> str:
    """An invoice number as its letters and digits, leading zeros dropped: "FP-00118",
    "fp 118" and full-width "ＦＰ１１８" are one invoice."""
    text = normal_account(text)
    head = re.match(r"^([A-Z]*)0*(\d.*)$", text)
    return f"{head.group(1)}{head.group(2)}" if head else text


def name_forms(full: str, first: str = "", last: str = "") -> set[str]:
    """The normal forms a person's name may be written in: as stored, surname first and
    given name first. Forms shorter than two characters identify nobody and are left out."""
    forms = {normal_name(full), normal_name(last + first), normal_name(first + last)}
    return {f for f in forms if len(f) >= 2}
