"""What of a payer may appear in public: the first character, never a digit."""

import pytest

from fundmgr.lib.privacy import mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("张", "张*"),
        ("Alice Wang", "A**"),
        ("13812345678", "***"),
        ("  李四  ", "李*"),
        ("", ""),
        ("   ", ""),
        (None, ""),
        ("\u200b隐", "**"),
    ],
)
def test_a_name_is_masked_to_its_first_character(name, masked):
    assert mask_name(name) == masked
