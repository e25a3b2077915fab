"""Personal information (supervision.security.personal): the one masking rule, worked by hand; the
check characters of resident identity numbers and unified social credit codes on known
numbers; every ID number the demo generator makes is valid; ID numbers stay out of search
URLs and out of the audit trail."""

from __future__ import annotations

import duckdb
import pytest

from supervision.domain import id_numbers
from supervision.security import audit, personal
from supervision.store import engine

# the textbook resident identity numbers (GB 11643's own examples) and credit codes (GB
# 32100's example and a registered company's)
VALID_RESIDENT = ["11010519491231002X", "440524188001010014"]
VALID_CREDIT = ["91350100M000100Y43", "91110000802100433B"]


@pytest.mark.parametrize("number, masked", [
    ("460100199003071259", "460100**********59"),   # 18: the first 6 and the last 2
    ("11010519491231002X", "110105**********2X"),
    (" 11010519491231002X ", "110105**********2X"),  # surrounding spaces dropped
    ("91350100M000100Y43", "913501**********43"),   # a credit code: 18, the same rule
    ("110105491231002", "110105*******02"),         # the old 15-digit number: 6 and 2
    ("M000100Y4", "M0*****Y4"),                     # 9 (an organization code): 2 and 2
    ("E1234567", "E******7"),                       # 8: the first and the last
    ("X-ID", "X**D"),                               # 4: the first and the last
    ("R1", "**"),                                   # 3 or fewer: all starred
    ("", ""),
    (None, None),
])
def test_masking_keeps_what_the_rule_says_for_each_length(number, masked):
    assert personal.mask_id(number) == masked
    if number:
        assert len(personal.mask_id(number)) == len(number.strip())


def test_the_resident_check_character_is_iso_7064_mod_11_2():
    # 1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5
    # + 0·8 + 0·4 + 2·2 = 167; 167 mod 11 = 2 -> 'X' (12 - 2 = 10)
    assert id_numbers.RESIDENT_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert id_numbers.resident_check("11010519491231002") == "X"
    assert id_numbers.resident_check("44052418800101001") == "4"
    for number in VALID_RESIDENT:
        assert id_numbers.is_resident_id(number), number
    for bad in ("110105194912310021",        # wrong check character
                "11010519491331002X",        # month 13
                "11010519490230002X",        # 30 February
                "1101051949123100X2",        # X only last
                "11010519491231002x0", "11010519491231002"):
        assert not id_numbers.is_resident_id(bad), bad


def test_the_credit_code_check_characters_are_gb_11714_and_gb_32100():
    for code in VALID_CREDIT:
        assert id_numbers.is_credit_code(code), code
    assert id_numbers.org_check("M000100Y") == "4" and id_numbers.credit_check("91350100M000100Y4") \
        == "3"
    for bad in ("91350100M000100Y44",        # the code's own check
                "91350100M000100Y53",        # the organization code's check
                "91350100M000100I43",        # I is not in the alphabet
                "9135010M000100Y43"):        # 17 characters
        assert not id_numbers.is_credit_code(bad), bad


def test_every_generated_id_number_is_valid_and_one_per_respondent(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    rows = con.sql("""SELECT respondent_id, any_value(respondent_kind) AS kind,
                             count(DISTINCT respondent_kind) AS kinds,
                             count(DISTINCT respondent_name) AS names
                      FROM cases GROUP BY respondent_id""").fetchall()
    con.close()
    assert len(rows) > 1000
    kinds = {kind for _, kind, _, _ in rows}
    assert kinds == {"person", "enterprise", "government"}
    bad = [(number, kind) for number, kind, _, _ in rows
           if not (id_numbers.is_resident_id(number) if kind == "person"
                   else id_numbers.is_credit_code(number))]
    assert not bad, bad[:5]
    # one ID number is one respondent: one kind and one name
    assert all(k == 1 and n == 1 for _, _, k, n in rows)
    people = [number for number, kind, _, _ in rows if kind == "person"]
    assert {n[:2] for n in people} > {"46"}                      # every province's region
    assert all("1950" <= n[6:10] <= "1999" for n in people)       # adults born 1950–1999
    organs = [number for number, kind, _, _ in rows if kind == "government"]
    assert all(n.startswith("11") for n in organs)                # 机构编制, 机关


@pytest.mark.parametrize("text, identifies", [
    ("11010519491231002X", True),
    ("身份证 11010519491231002x", True),
    ("４６０１００１９９００３", True),          # full-width digits: a fragment still
    ("4601001990", True),                        # a fragment: 10 digits
    ("91350100M000100Y43", True),
    ("（2026）琼0105执123号", False),            # a case number
    ("某乙公司", False),
    ("HI720", False),
    ("2026", False),
    ("", False),
    (None, False),
])
def test_a_search_that_may_hold_an_id_number_is_recognised(text, identifies):
    assert personal.might_identify(text) is identifies


def test_no_id_number_reaches_the_audit_trail_not_even_a_credit_code(operational_store):
    store = engine(operational_store)
    resident, credit = VALID_RESIDENT[0], VALID_CREDIT[0]
    audit.record(store, "analyst", "export", f"被执行人_{credit}.csv",
                 filters={"text": resident, "also": f"{credit} 等 {credit.lower()}"},
                 what="respondent")
    entry = audit.entries(store, limit=1).row(0, named=True)
    stored = f"{entry['target']} {entry['detail']}"
    assert resident not in stored and credit not in stored and credit.lower() not in stored
    assert personal.mask_id(resident) in stored and personal.mask_id(credit) in stored
