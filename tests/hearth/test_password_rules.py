"""Password rules after NIST SP 800-63B: length, blocklist, personal words, patterns; no composition rules."""

import pytest

from hearth.security import password_rules
from hearth.security.password_rules import HAS_EMAIL, HAS_NAME, PATTERN, TOO_COMMON, TOO_LONG, TOO_SHORT, check


@pytest.mark.parametrize("password", [
    "correct staple mango river",  # lower case only, no digit, no symbol: fine
    "kettle drum 44 lantern",
    "ÁrbolCasaLuna—ñandú",  # any characters
    "🐢🐢 slow turtles win 🐢🐢",
    "x" * 3 + "Tq9!vP0#mZ2&",
])
def test_good_passphrases_pass_without_composition_rules(password):
    assert check(password, email="ana@example.test", name="Ana Lopez") == []


def test_length_is_counted_in_characters_between_12_and_128():
    assert check("short phrase") == []  # exactly 12
    assert check("short phras") == [str(TOO_SHORT)]
    assert check("z" * 5 + "ebra migration " * 8 + "q" * 3) == []
    words = "kettle lantern orchard violet canyon pebble saffron tundra marble cobalt quiver meadow harbor " \
            "juniper falcon ember thistle walnut"
    long_ok = words[:128]
    assert len(long_ok) == 128 and check(long_ok) == []
    assert check(long_ok + "x") == [str(TOO_LONG)]
    assert check("") == [str(TOO_SHORT)]
    # Eleven emoji are eleven characters, not 44 bytes.
    assert check("🐢" * 11) == [str(TOO_SHORT)]


def test_nfkc_normalization_makes_lookalike_forms_equal():
    assert password_rules.normalize("ｐａｓｓｗｏｒｄ１２３４") == "password1234"
    assert check("ｐａｓｓｗｏｒｄ１２３４") == [str(TOO_COMMON)]


@pytest.mark.parametrize("password", [
    "password1234", "Password123!", "iloveyou1234", "QWERTYUIOP123", "1234password", "trustno1trustno1",
    "correct horse battery staple", "Football2024!", "P@ssw0rd1234", "  letmein12345  ",
])
def test_common_passwords_and_padded_common_words_are_refused(password):
    assert str(TOO_COMMON) in check(password)


@pytest.mark.parametrize("password", [
    "aaaaaaaaaaaa", "123456789012", "abcabcabcabc", "zyxwvutsrqpo", "qwertyuiopas", "987654321098",
    "ababababababab", "1q2w3e4r5t6y7u", "mnbvcxzlkjhgfds",
])
def test_repeated_or_sequential_patterns_are_refused(password):
    assert check(password) and (str(PATTERN) in check(password) or str(TOO_COMMON) in check(password))


def test_email_local_part_is_refused():
    assert check("maria.gonzalez-rocks", email="maria.gonzalez@example.test") == [str(HAS_EMAIL)]
    assert str(HAS_EMAIL) in check("gonzalez forever and ever", email="Maria.Gonzalez+portal@example.test")
    assert check("maria keeps bees at dawn", email="mg@example.test") == []


def test_the_users_name_is_refused_but_short_names_inside_words_are_not():
    assert check("roberto has a blue kite", name="Roberto Sánchez") == [str(HAS_NAME)]
    assert check("My name is SANCHEZ ok?", name="Roberto Sánchez") == []  # accent differs: not the name
    assert check("my name is sánchez ok?", name="Roberto Sánchez") == [str(HAS_NAME)]
    assert check("sleepless river night", name="Lee Park") == []  # "lee" alone is too short to refuse
    assert check("leepark in the evening", name="Lee Park") == [str(HAS_NAME)]


def test_several_reasons_are_all_reported():
    reasons = check("ana.lopez.ana.lopez", email="ana.lopez@example.test", name="Ana Lopez")
    assert str(HAS_EMAIL) in reasons and str(HAS_NAME) in reasons


def test_the_blocklist_holds_at_least_a_thousand_lowercase_entries():
    common = password_rules.common_passwords()
    assert len(common) >= 1000
    assert all(entry == entry.lower() and entry.strip() == entry for entry in common)
    assert {"123456", "password", "qwerty", "iloveyou", "dragon", "monkey"} <= common
