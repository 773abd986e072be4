"""Capital numerals: checked by an independent reader over every amount to ¥2,000 and
random amounts to 万亿, plus the examples of the 《支付结算办法》."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundmgr.lib.capital import MAX_FEN, capital, capital_from_fen

DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def read(words: str) -> int:
    """An independent reader: capital numerals back to fen."""
    negative = words.startswith("负")
    words = words.removeprefix("负").removesuffix("整")
    total_yuan, section, number, fen = 0, 0, 0, 0
    i = 0
    while i < len(words):
        c = words[i]
        if c in DIGIT:
            number = DIGIT[c]
        elif c in UNIT:
            section += number * UNIT[c]
            number = 0
        elif c == "万" and words[i + 1 : i + 2] == "亿":
            total_yuan += (section + number) * 10**12
            section = number = 0
            i += 1
        elif c == "亿":
            total_yuan += (section + number) * 10**8
            section = number = 0
        elif c == "万":
            total_yuan += (section + number) * 10**4
            section = number = 0
        elif c == "元":
            total_yuan += section + number
            section = number = 0
        elif c == "角":
            fen += number * 10
            number = 0
        elif c == "分":
            fen += number
            number = 0
        else:
            raise AssertionError(f"unexpected {c!r} in {words}")
        i += 1
    value = total_yuan * 100 + fen
    return -value if negative else value


def well_formed(words: str, fen: int) -> None:
    assert "零零" not in words
    assert not words.startswith("零") or words == "零元整"
    assert words.endswith("整") == (fen % 10 == 0)
    assert not words.startswith("拾")
    assert "零元" not in words or words == "零元整"
    assert ("元" in words) == (fen >= 100 or fen == 0)


def test_every_amount_up_to_two_thousand_yuan_reads_back():
    for fen in range(0, 200_001):
        words = capital_from_fen(fen)
        assert read(words) == fen, words
        well_formed(words, fen)


@given(st.integers(0, MAX_FEN))
def test_any_amount_to_wan_yi_reads_back(fen):
    words = capital_from_fen(fen)
    assert read(words) == fen, words
    well_formed(words, fen)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("1409.50", "壹仟肆佰零玖元伍角整"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("107000.53", "壹拾万柒仟元伍角叁分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("16.00", "壹拾陆元整"),
        ("0.00", "零元整"),
        ("0.07", "柒分"),
        ("100000001.00", "壹亿零壹元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
    ],
)
def test_the_examples_of_the_payment_rules(amount, words):
    assert capital(Decimal(amount)) == words


def test_a_prefix_and_a_sign():
    assert capital("5000", prefix="人民币") == "人民币伍仟元整"
    assert capital("-12.30") == "负壹拾贰元叁角整"


@pytest.mark.parametrize("bad", ["0.001", "NaN", "Infinity"])
def test_what_is_not_whole_fen_is_refused(bad):
    with pytest.raises(ValueError):
        capital(bad)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        capital(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        capital_from_fen(MAX_FEN + 1)
