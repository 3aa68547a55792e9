import pytest

from bot.numerals import arabic_numbers, chinese_numbers, cn_to_int, int_to_cn


@pytest.mark.parametrize("value", [1, 9, 10, 11, 19, 20, 21, 99, 100, 101, 109, 110, 119, 120, 199, 1000, 1001])
def test_round_trip(value):
    assert cn_to_int(int_to_cn(value)) == value


def test_amounts_and_digit_years():
    assert cn_to_int("五十万") == 500_000
    assert cn_to_int("二〇二六") == 2026
    assert cn_to_int("一百零九") == 109
    assert int_to_cn(17) == "十七"
    with pytest.raises(ValueError):
        cn_to_int("第十")


def test_numbers_in_text():
    assert arabic_numbers("RMB 500,000 or 5万元, 1.5 million") == {500_000, 50_000, 1_500_000}
    assert chinese_numbers("处五万元以上五十万元以下罚款，七日内，第三方", units="日|元") == {50_000, 500_000, 7}
