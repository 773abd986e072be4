"""Amounts in Chinese capital numerals (大写金额), as written on receipts and vouchers.

Follows the conventions of the 《支付结算办法》 (appendix on writing amounts):
- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 within a group of four, groups 万 and 亿;
- 壹拾 is written in full (¥10 is 壹拾元), so no digit can be squeezed in front;
- one 零 stands for any run of zeros inside the integer part, and for a zero between
  元 and 分 (¥325.04 is 叁佰贰拾伍元零肆分); a group that ends in zeros followed by a
  group that starts with a digit needs none (¥107,000.53 is 壹拾万柒仟元伍角叁分);
- 整 closes an amount that stops at 元 or 角, so nothing can be appended;
- amounts under one yuan have no 元 (¥0.50 is 伍角整); zero is 零元整.
Pure; amounts are Decimal or integer fen, never float.
"""

from __future__ import annotations

from decimal import Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")
MAX_FEN = 10**16 * 100 - 1  # below 壹亿亿 yuan


def _group(n: int) -> str:
    """0 < n < 10000, without leading-zero handling."""
    out: list[str] = []
    zero_pending = False
    for pos in range(3, -1, -1):
        d = (n // 10**pos) % 10
        if d == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(DIGITS[d] + UNITS[pos])
    return "".join(out)


def integer_words(n: int) -> str:
    if n == 0:
        return "零"
    groups = []
    while n:
        n, g = divmod(n, 10_000)
        groups.append(g)
    out = []
    previous = None  # index of the last non-zero group written
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        # Zeros between this group and the last one written read as one 零: a whole
        # empty group between them, or this group not starting at its thousands digit.
        if previous is not None and (g < 1000 or previous - i > 1):
            out.append("零")
        out.append(_group(g) + GROUPS[i])
        previous = i
    return "".join(out)


def capital_from_fen(fen: int, *, prefix: str = "") -> str:
    if type(fen) is not int:
        raise TypeError("fen must be an int")
    if abs(fen) > MAX_FEN:
        raise ValueError("amount too large for capital numerals")
    sign = "负" if fen < 0 else ""
    fen = abs(fen)
    yuan, rest = divmod(fen, 100)
    jiao, fen_digit = divmod(rest, 10)
    parts = []
    if yuan:
        parts.append(integer_words(yuan) + "元")
    if jiao:
        parts.append(DIGITS[jiao] + "角")
    if fen_digit:
        if yuan and not jiao:
            parts.append("零")
        parts.append(DIGITS[fen_digit] + "分")
    if not parts:
        return f"{prefix}零元整"
    if not fen_digit:
        parts.append("整")
    return prefix + sign + "".join(parts)


def capital(amount: Decimal | int | str, *, prefix: str = "") -> str:
    """capital(Decimal("1234.56")) == "壹仟贰佰叁拾肆元伍角陆分"."""
    if isinstance(amount, float):
        raise TypeError("amounts are Decimal, never float")
    value = Decimal(amount)
    scaled = value.scaleb(2)
    if not value.is_finite() or scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of fen")
    return capital_from_fen(int(scaled), prefix=prefix)
