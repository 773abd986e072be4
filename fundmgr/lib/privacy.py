"""What of a person may appear in public: a payer's name masked to its first character,
and no phone, ID or bank card number (nor the name of the person it belongs to) in free
text that is published."""

from __future__ import annotations

import re
import unicodedata


def mask_name(name: str) -> str:
    """'张三丰' -> '张**', 'Alice Wang' -> 'A**', '' -> ''. Digits are never shown, so a
    phone number typed as a name reveals nothing."""
    name = (name or "").strip()
    if not name:
        return ""
    first = name[0]
    if first.isdigit() or not first.isprintable():
        first = "*"
    return first + "*" * max(1, min(len(name) - 1, 2))


# --- Personal data inside free text that reaches public pages ------------------------------
# A reversal reason `付款人张伟要求退款，电话13800001111` was published verbatim. Free text
# an officer types for the public (reversal reasons, disbursement purposes, settlement
# references, answers to residents) is screened when it is entered (`findings`: refused,
# naming the field) and masked when it is published (`mask`), so text entered before the
# screening existed cannot leak either. `\d` is any Unicode digit: full-width １３８ and
# Arabic-Indic digits are digits too. Separators people type inside numbers: space, -, .
_SEP = r"[\s\-.]?"
_D = r"\d"
# Mainland mobile numbers (+86 optional), and landlines with an area code (010-12345678).
_MOBILE = rf"(?:(?:\+|00)?86{_SEP})?1{_SEP}[3-9]{_SEP}(?:{_D}{_SEP}){{8}}{_D}"
_LANDLINE = rf"0{_D}{{2,3}}[\s\-]{_D}{{7,8}}|\(0{_D}{{2,3}}\){_SEP}{_D}{{7,8}}"
# 身份证: 17 digits and a check digit or X (the 15-digit old form too).
_ID = rf"{_D}{{17}}[{_D}Xx]|[1-9]{_D}{{14}}"
# Bank cards: 16-19 digits, maybe in groups of four; only those that pass the Luhn check
# and start as card numbers do (3-6), so a 20-digit transfer reference is not one.
_CARD = rf"[3-6](?:{_D}{_SEP}){{14,17}}{_D}"

_NUMBER = re.compile(
    rf"(?<![\dA-Za-z])(?:(?P<id>{_ID})|(?P<card>{_CARD})|(?P<phone>{_MOBILE}|{_LANDLINE}))"
    r"(?![\dA-Za-z])"
)
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"
# Words that introduce a person: the name that follows them is theirs.
# Only words that always introduce a person's name: 老人 or 居民 are followed by other
# words as often (困难老人慰问 must stay as it is).
_LABELS = "付款人|缴费人|收款人|联系人|领款人|经办人|申请人|户主|姓名|名字"
# A name is a surname and one or two characters, ended by a word that cannot be part of it.
_NAME_END = (
    r"(?=$|[^\u3400-\u4dbf\u4e00-\u9fff]|要|说|称|的|已|于|在|来|退|交|付|缴"
    r"|电话|手机|先生|女士|本人|申请|反映)"
)
_LABELLED_NAME = re.compile(
    rf"(?P<label>{_LABELS})[\s:：]*(?P<name>{_HAN}{_HAN}{{1,2}}?){_NAME_END}"
)
# ... or two or three Han characters right before a number (张伟13800001111, 张伟，电话
# 138...), but not the words that name the number itself.
_NAME_CHAR = r"(?:(?![电话手机身份证卡号码账尾联系])[\u3400-\u4dbf\u4e00-\u9fff])"
_NAME_BEFORE_NUMBER = re.compile(
    rf"(?P<name>{_NAME_CHAR}{{2,3}})"
    r"(?=[\s:：,，]*(?:电话|手机|联系电话|身份证号?|卡号|tel)?[\s:：]*\+?\d)"
)

CATEGORIES = ("phone", "id_number", "bank_card", "name_with_phone")


_ASCII = {"Ｘ": "X", "ｘ": "x", "＋": "+", "－": "-", "　": " ", "（": "(", "）": ")", "．": "."}


def _plain(text: str) -> str:
    """The text with every digit as ASCII and full-width signs as ASCII, one character for
    one (so positions found in it are positions in the text)."""
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else _ASCII.get(c, c) for c in text)


def _digits(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) for c in text if c.isdigit())


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _numbers(text: str) -> list[tuple[int, int, str]]:
    """(start, end, category) of every phone, ID or card number in the text."""
    found = []
    for m in _NUMBER.finditer(_plain(text)):
        if m.group("id"):
            found.append((m.start(), m.end(), "id_number"))
        elif m.group("card"):
            digits = _digits(m.group("card"))
            if 16 <= len(digits) <= 19 and _luhn(digits):
                found.append((m.start(), m.end(), "bank_card"))
            elif len(digits) in (11, 12) and m.group("phone"):
                found.append((m.start(), m.end(), "phone"))
        else:
            found.append((m.start(), m.end(), "phone"))
    return found


def findings(text: str) -> list[str]:
    """The kinds of personal data in `text` (see CATEGORIES), each once, in that order."""
    text = _plain(text or "")
    numbers = _numbers(text)
    kinds = {kind for _s, _e, kind in numbers}
    if numbers and any(
        m.end() <= start for m in _NAME_BEFORE_NUMBER.finditer(text) for start, _e, _k in numbers
    ):
        kinds.add("name_with_phone")
    if kinds and _LABELLED_NAME.search(text):
        kinds.add("name_with_phone")
    return [k for k in CATEGORIES if k in kinds]


def mask(text: str) -> str:
    """`text` with every phone, ID and card number's digits replaced by `*`, and the name
    of a person it introduces (付款人张伟 -> 付款人张*) masked as mask_name does. Text
    with none of these is returned unchanged."""
    text = text or ""
    plain = _plain(text)
    numbers = _numbers(plain)
    if not numbers:
        # A name alone (付款人张伟) is refused at entry only with a number beside it: the
        # reason "付款人张伟要求退款" names the payer, whose name is published masked
        # elsewhere anyway (张*), so it is masked here too.
        if not _LABELLED_NAME.search(plain):
            return text
    chars = list(text)
    for start, end, _kind in numbers:
        for i in range(start, end):
            if chars[i].isdigit():
                chars[i] = "*"
    for m in _LABELLED_NAME.finditer(plain):
        for i in range(m.start("name") + 1, m.end("name")):
            chars[i] = "*"
    for m in _NAME_BEFORE_NUMBER.finditer(plain):
        if any(m.end() <= start for start, _e, _k in numbers):
            # The name right before a number: its surname kept, as mask_name does.
            for i in range(m.start("name") + 1, m.end("name")):
                chars[i] = "*"
    return "".join(chars)


def public_text_error(label: str, text: str) -> str | None:
    """The message refusing free text that will be published, naming the field by its
    `label`, or None when the text holds nothing personal."""
    from django.utils.translation import gettext as _

    kinds = findings(text)
    if not kinds:
        return None
    names = {
        "phone": _("a phone number"),
        "id_number": _("an ID card number"),
        "bank_card": _("a bank card number"),
        "name_with_phone": _("a person's name with their number"),
    }
    return _(
        "%(field)s is published for residents to read, so it must not contain %(what)s."
        " Leave it out (for example write “the payer” instead of the name)."
    ) % {"field": label, "what": "、".join(str(names[k]) for k in kinds)}
