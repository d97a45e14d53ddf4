"""Reliability figures on a history computed by hand.

Ten days, 1-11 January (240 h). Asset 1 in service throughout; asset 2 registered on the 6th
(120 h): 360 h in service. Asset 1 fails on the 2nd (6 h to repair) and on the 5th (12 h),
and has 2 h of preventive work on the 8th: downtime 20 h, operating 340 h. Two failures:
MTBF 340 / 2 = 170 h, MTTR (6 + 12) / 2 = 9 h, availability 340 / 360, planned share
2 / 20. Four preventive orders due, two done by their date: 50%."""
from datetime import date, datetime

from app.maintenance.reliability import Due, InService, Stop, report

START, END = datetime(2026, 1, 1), datetime(2026, 1, 11)
SERVICE = [InService(1, datetime(2025, 6, 1)), InService(2, datetime(2026, 1, 6))]
STOPS = [
    Stop(1, datetime(2026, 1, 2), datetime(2026, 1, 2, 6), failure=True, planned=False),
    Stop(1, datetime(2026, 1, 5, 12), datetime(2026, 1, 6), failure=True, planned=False),
    Stop(1, datetime(2026, 1, 8), datetime(2026, 1, 8, 2), failure=False, planned=True),
    Stop(1, datetime(2025, 12, 1), datetime(2025, 12, 2), failure=True, planned=False),  # before
]
DUE = [Due(date(2026, 1, 5), date(2026, 1, 4)), Due(date(2026, 1, 8), date(2026, 1, 8)),
       Due(date(2026, 1, 9), date(2026, 1, 10)), Due(date(2026, 1, 10), None)]


def test_the_hand_computed_history():
    figures = report(SERVICE, STOPS, DUE, START, END).as_json()
    assert figures["failures"] == 2
    assert figures["mtbf_hours"] == 170.0
    assert figures["mttr_hours"] == 9.0
    assert figures["availability"] == round(340 / 360, 4)
    assert figures["planned_share"] == 0.1
    assert figures["pm_compliance"] == 0.5
    assert figures["figures"]["mtbf_hours"]["inputs"] == {"operating_hours": 340.0, "failures": 2}
    assert figures["figures"]["mtbf_hours"]["formula"] == "operating hours / failures"
    assert figures["sample"]["assets"] == 2


def test_preventive_work_is_not_a_failure_however_long():
    stops = STOPS[:2] + [Stop(1, datetime(2026, 1, 8), datetime(2026, 1, 10), False, True)]
    figures = report(SERVICE, stops, DUE, START, END).as_json()
    assert figures["failures"] == 2 and figures["mttr_hours"] == 9.0
    assert figures["availability"] == round((360 - 66) / 360, 4)


def test_a_retired_asset_counts_until_it_left_and_a_stop_not_back_until_then():
    service = [InService(1, datetime(2025, 6, 1), until=datetime(2026, 1, 6))]  # 120 h
    stops = [Stop(1, datetime(2026, 1, 2), datetime(2026, 1, 2, 6), True, False),
             Stop(1, datetime(2026, 1, 5), None, True, False)]  # not back: 24 h to retirement
    figures = report(service, stops, [], START, END).as_json()
    assert figures["figures"]["mtbf_hours"]["inputs"] == {"operating_hours": 90.0, "failures": 2}
    assert figures["mttr_hours"] == (6 + 24) / 2
    assert figures["availability"] == 0.75


def test_a_repair_that_runs_past_the_period_counts_whole():
    stops = [Stop(1, datetime(2026, 1, 2), datetime(2026, 1, 2, 6), True, False),
             Stop(1, datetime(2026, 1, 10), datetime(2026, 1, 12), True, False)]  # 48 h
    figures = report(SERVICE[:1], stops, [], START, END).as_json()
    assert figures["mttr_hours"] == (6 + 48) / 2
    assert figures["figures"]["availability"]["inputs"]["downtime_hours"] == 6 + 24


def test_too_little_data_says_so():
    figures = report(SERVICE, STOPS[:1], DUE[:2], START, END).as_json()
    assert figures["mtbf_hours"] is None and figures["mttr_hours"] is None
    assert figures["figures"]["mtbf_hours"]["reason"] == (
        "not enough data: 1 failure in the period, 2 needed")
    assert figures["pm_compliance"] is None
    assert "2 preventive orders due, 3 needed" in figures["figures"]["pm_compliance"]["reason"]
    empty = report([], [], [], START, END).as_json()
    assert empty["availability"] is None and empty["planned_share"] is None
