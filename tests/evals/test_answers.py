"""The answer metrics' fact matcher: what counts as an answer mentioning a gold fact."""

from evals.answers import mentions


def test_numbers_match_by_value_not_by_digits():
    assert mentions("fined RMB 500,000 to 2 million", "RMB 500,000 to 2,000,000")
    assert mentions("处十万元以上一百万元以下罚款", "10万以上100万以下")
    # "500,000" holds the digits of "50,000" but not its value
    assert not mentions("fine of RMB 100,000 to RMB 500,000", "RMB 50,000 to RMB 500,000")


def test_words_match_in_other_forms_but_not_other_words():
    assert mentions("it is ordered to suspend business", "suspension")
    assert mentions("the platform is jointly and severally liable", "joint and several liability")
    assert mentions("the business is fined RMB 50,000 to 500,000", "fine RMB 50,000 to 500,000")
    assert not mentions("unsafe products must not be sold", "the seller can recover from the producer")
