"""Chinese numerals, as laws number their articles (第一百零九条) and write amounts (五十万元)."""

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10**4, "亿": 10**8}

CN_NUMERAL = "[零〇一二两三四五六七八九十百千万亿]"


def cn_to_int(text: str) -> int:
    """Value of a Chinese numeral: positional (一百零九) or digit by digit (二〇二六)."""
    if not text or any(c not in _DIGITS and c not in _UNITS and c not in _BIG for c in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if len(text) > 1 and all(c in _DIGITS for c in text):
        return int("".join(str(_DIGITS[c]) for c in text))
    total = section = number = 0
    for char in text:
        if char in _DIGITS:
            number = _DIGITS[char]
        elif char in _UNITS:
            section += (number or 1) * _UNITS[char]
            number = 0
        else:
            total += (section + number) * _BIG[char]
            section = number = 0
    return total + section + number


def int_to_cn(value: int) -> str:
    """Chinese numeral for 0 < value < 10000, in the form article numbers use (十七, 一百零九)."""
    if not 0 < value < 10000:
        raise ValueError(f"out of range: {value}")
    digits = "零一二三四五六七八九"
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // unit_value % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        if not (unit == "十" and digit == 1 and not parts):
            parts.append(digits[digit])
        parts.append(unit)
    return "".join(parts)


def parse_number(text: str) -> int:
    """An article number written either way: "17", "十七"."""
    text = text.strip()
    return int(text) if text.isdigit() else cn_to_int(text)


_ARABIC = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(万|亿|million|billion|thousand)?", re.I)
_MULTIPLIERS = {"万": 10**4, "亿": 10**8, "thousand": 10**3, "million": 10**6, "billion": 10**9}


def arabic_numbers(text: str) -> set[float]:
    """Every Arabic number in the text, with 万/million multipliers applied."""
    values: set[float] = set()
    for whole, fraction, multiplier in _ARABIC.findall(text):
        value = float(whole.replace(",", "") + ("." + fraction if fraction else ""))
        values.add(value * _MULTIPLIERS.get(multiplier.lower(), 1) if multiplier else value)
    return values


def chinese_numbers(text: str, units: str | None = None) -> set[float]:
    """Every Chinese numeral in the text; with ``units`` (a regex) only those followed by one."""
    pattern = f"(百分之)?({CN_NUMERAL}+)" + (f"(?={units})" if units else "")
    values: set[float] = set()
    for _, run in re.findall(pattern, text):
        run = run.lstrip("万亿")  # in "5万元" the 万 multiplies an Arabic number, read by arabic_numbers
        if not run:
            continue
        try:
            values.add(float(cn_to_int(run)))
        except ValueError:
            continue
    return values


# Units after which a Chinese numeral is an amount ("十万元", "三倍", "七日"); elsewhere it is part of a word (一律).
AMOUNT_UNITS = r"个?月|日|天|年|周岁|岁|倍|元|小时|分钟|次|个工作日|%|％"


def stated_numbers(text: str, units: str | None = AMOUNT_UNITS) -> set[float]:
    """Every number the text states: its Arabic numbers, and its Chinese numerals followed by one of ``units``
    (every Chinese numeral with None)."""
    return arabic_numbers(text) | chinese_numbers(text, units)
