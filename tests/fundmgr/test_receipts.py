from hypothesis import given
from hypothesis import strategies as st

from fundmgr.lib import receipts


def test_codes_are_sixteen_crockford_characters_and_do_not_repeat():
    codes = {receipts.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 16 and set(c) <= set(receipts.ALPHABET) for c in codes)


@given(st.builds(lambda: receipts.new_code()))
def test_what_is_displayed_or_typed_loosely_reads_back(code):
    shown = receipts.display(code)
    assert receipts.normalise(shown) == code
    assert receipts.normalise(" " + shown.lower().replace("-", " ") + " ") == code


def test_lookalike_letters_read_as_digits_and_junk_is_refused():
    assert receipts.normalise("OOOO-IIII-LLLL-0000") == "0000111111110000"
    assert receipts.normalise("ABC") is None
    assert receipts.normalise("<script>alert(1)</script>") is None
    assert receipts.normalise("UUUU-UUUU-UUUU-UUUU") is None


@given(st.data())
def test_any_run_of_four_or_more_characters_of_a_code_is_a_fragment_of_it(data):
    code = receipts.new_code()
    fragment, display = receipts.fragment, receipts.display
    start = data.draw(st.integers(0, 12))
    end = data.draw(st.integers(start + 4, 16))
    shown = display(code)
    piece = code[start:end]
    assert fragment(piece) == piece and piece in code
    assert fragment(piece.lower()) == piece
    assert fragment(shown[:3]) is None
