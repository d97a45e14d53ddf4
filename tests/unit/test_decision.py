"""The repair-or-replace policy on worked examples: each rule at and past its limit, the most
severe rule deciding, a warranty that pays for the repair, and figures that are not known."""
from datetime import date
from decimal import Decimal as D

from app.maintenance.decision import DEFAULT_POLICY, Inputs, decide, months_between
from app.warranty.coverage import Coverage, Source, verdict

TODAY = date(2026, 12, 4)
EXPIRED = verdict(Coverage(Source.REGISTER, date(2025, 1, 1)), TODAY)
COVERED = verdict(Coverage(Source.CONTRACT, date(2027, 6, 30), date(2024, 7, 1), "Acme"), TODAY)


def facts(**changed) -> Inputs:
    """A laptop bought for 1,200.00 two years ago (of 48 months), worth 600.00, replaced for
    1,000.00, 100.00 spent on it so far, all of it this year."""
    base = dict(estimate=D(0), repairs_12_months=D(100), maintenance_total=D(100),
                purchase_cost=D(1200), replacement_cost=D(1000), replacement_from="model",
                book_value=D(600), age_months=24, useful_life_months=48, warranty=EXPIRED)
    return Inputs(**base | changed)


def test_nothing_near_a_limit_is_repaired():
    result = decide(facts(estimate=D(150)), DEFAULT_POLICY)
    assert result.recommendation == "repair"
    assert result.reasons == ["No limit of the repair policy is reached."]


def test_repairs_over_half_the_replacement_cost():
    assert decide(facts(estimate=D(400)), DEFAULT_POLICY).recommendation == "repair"  # 500: at
    result = decide(facts(estimate=D("400.01")), DEFAULT_POLICY)
    assert result.recommendation == "replace"
    assert result.reasons == ["Repairs of 500.01 (this estimate 400.01 and 100.00 in the last "
                              "12 months) are over 50% of the replacement cost, 1,000.00."]


def test_a_repair_worth_more_than_the_asset():
    result = decide(facts(estimate=D(450), book_value=D(400), replacement_cost=D(5000)),
                    DEFAULT_POLICY)
    assert result.recommendation == "replace"
    assert result.reasons == ["This repair (450.00) costs more than 100% of what the asset is "
                              "still worth, 400.00."]


def test_maintenance_against_the_purchase_price_watches_then_replaces():
    watch = decide(facts(maintenance_total=D(650), repairs_12_months=D(0),
                         replacement_cost=D(5000)), DEFAULT_POLICY)
    assert watch.recommendation == "watch" and "over 50% of the purchase price" in watch.reasons[0]
    replace = decide(facts(maintenance_total=D(1250), repairs_12_months=D(0),
                           replacement_cost=D(5000)), DEFAULT_POLICY)
    assert replace.recommendation == "replace"
    assert replace.reasons == ["Maintenance of 1,250.00 so far (this estimate included) is over "
                               "100% of the purchase price, 1,200.00."]


def test_age_against_useful_life():
    assert decide(facts(age_months=38), DEFAULT_POLICY).recommendation == "repair"  # 79%
    old = decide(facts(age_months=39), DEFAULT_POLICY)
    assert old.recommendation == "watch"
    assert old.reasons == ["It is 39 months old, over 80% of its useful life of 48 months."]
    assert decide(facts(age_months=61), DEFAULT_POLICY).recommendation == "replace"


def test_the_most_severe_rule_decides_and_every_reason_is_given():
    result = decide(facts(estimate=D(700), age_months=40), DEFAULT_POLICY)
    assert result.recommendation == "replace"
    assert [r.split()[0] for r in result.reasons] == ["Repairs", "This", "Maintenance", "It"]


def test_a_warranty_that_pays_turns_replace_into_watch():
    result = decide(facts(estimate=D(700), warranty=COVERED), DEFAULT_POLICY)
    assert result.recommendation == "watch"
    assert result.reasons[0].startswith("Covered by Acme until 2027-06-30")
    assert decide(facts(warranty=COVERED), DEFAULT_POLICY).recommendation == "repair"


def test_a_stricter_policy():
    strict = DEFAULT_POLICY | {"replace_repairs_over_replacement": D("0.2")}
    assert decide(facts(estimate=D(150)), strict).recommendation == "replace"


def test_what_is_not_known_is_said_not_guessed():
    result = decide(facts(replacement_cost=None, book_value=None, age_months=None,
                          purchase_cost=None), DEFAULT_POLICY)
    assert result.recommendation == "repair"
    assert result.reasons[-1].startswith("Not known, so not weighed: the replacement cost")


def test_months_between():
    assert months_between(date(2024, 12, 4), TODAY) == 24
    assert months_between(date(2024, 12, 5), TODAY) == 23
    assert months_between(TODAY, date(2020, 1, 1)) == 0
