"""Free text that reaches public pages: phone, ID and bank card numbers (and the name of
the person they belong to) are found whatever digits they are typed in, and masked."""

import string

from hypothesis import example, given
from hypothesis import strategies as st

from fundmgr.lib.privacy import findings, mask, public_text_error


def luhn(prefix: str) -> str:
    for d in "0123456789":
        s, total = prefix + d, 0
        for i, ch in enumerate(reversed(s)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return s
    raise AssertionError


CHINESE = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严，。、 "


phones = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet=string.digits, min_size=9, max_size=9),
)
id_numbers = st.builds(
    lambda area, year, day, rest, check: f"{area}{year}{day}{rest}{check}",
    st.text(alphabet=string.digits, min_size=6, max_size=6).filter(lambda s: s[0] != "0"),
    st.integers(1930, 2020).map(str),
    st.sampled_from(["0101", "0615", "1231"]),
    st.text(alphabet=string.digits, min_size=3, max_size=3),
    st.sampled_from("0123456789X"),
)
cards = st.builds(
    lambda head, body: luhn((head + body)[:15]),
    st.sampled_from(["62", "4", "5"]),
    st.text(alphabet=string.digits, min_size=14, max_size=14),
)
prose = st.text(alphabet=CHINESE, max_size=30)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def spaced(number: str, sep: str) -> str:
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


@given(prose, phones, prose, st.booleans())
@example("付款人张伟要求退款，电话", "13800001111", "", False)
def test_a_phone_number_anywhere_is_found_and_masked(before, phone, after, full_width):
    typed = phone.translate(FULL_WIDTH) if full_width else phone
    text = before + typed + after
    assert "phone" in findings(text)
    masked = mask(text)
    assert phone not in masked and typed not in masked
    assert findings(masked) == []


@given(prose, id_numbers, prose)
def test_an_id_number_is_found_and_masked(before, number, after):
    text = f"{before}身份证{number}{after}"
    assert "id_number" in findings(text)
    assert number[:17] not in mask(text)
    assert findings(mask(text)) == []


@given(prose, cards, st.sampled_from(["", " ", "-"]))
def test_a_bank_card_number_is_found_and_masked_even_in_groups(before, card, sep):
    text = f"{before} 卡号 {spaced(card, sep)}"
    assert "bank_card" in findings(text)
    assert findings(mask(text)) == []
    assert card[:8] not in mask(text).replace(sep, "") if sep else card not in mask(text)


@given(st.text(max_size=80))
def test_mask_is_idempotent_and_leaves_nothing_to_find(text):
    once = mask(text)
    assert findings(once) == []
    assert mask(once) == once
    assert len(once) == len(text)


@given(prose)
def test_text_without_numbers_or_introduced_names_is_unchanged(text):
    from fundmgr.lib.privacy import _LABELS

    assert mask(text) == text or any(label in text for label in _LABELS.split("|"))


def test_the_issue_s_reversal_reason_loses_the_name_and_the_number():
    text = "付款人张伟要求退款，电话13800001111"
    assert findings(text) == ["phone", "name_with_phone"]
    masked = mask(text)
    assert "张伟" not in masked and "13800001111" not in masked
    assert masked.startswith("付款人张*")


def test_references_that_are_not_personal_pass():
    for text in (
        "流水号20260301123456789012",
        "支付宝转账 2026030122001400000000",
        "发票号 44031234",
        "购买打印纸 5 包，共 120 元",
        "WX20260301-0042",
        "困难老人慰问",
        "困难独居老人冬季取暖补助",
        "居民议事会决定",
    ):
        assert findings(text) == [], text
        assert mask(text) == text


def test_the_refusal_names_the_field():
    message = public_text_error("退款原因", "电话13800001111")
    assert message is not None and "退款原因" in message
    assert public_text_error("用途", "购买打印纸") is None
