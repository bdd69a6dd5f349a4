"""The fixture landing zone: a few hand-made accounts whose histories are worked out by hand.

`make test` builds the warehouse from this landing zone (as of FIXTURE_AS_OF) and the tests
compare the marts with the expectations written next to each scenario below. Each account id
names its scenario, so that a failing test reads as the rule that broke.

Run: python -m warehouse.fixtures OUT_DIR
"""

from __future__ import annotations

import argparse
import shutil
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from warehouse.contract import LANDING_SCHEMAS, write_landing_table

FIXTURE_AS_OF = date(2026, 3, 31)
LONG_AGO = date(2025, 1, 1)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _spend(
    account_id: str,
    day: date,
    amount: str,
    *,
    tiktok_one: bool = True,
    currency: str = "USD",
    campaign_type: str = "in_feed",
    campaign_id: str = "cmp_1",
    creative_id: str | None = None,
    reported_at: datetime | None = None,
) -> dict:
    return {
        "account_id": account_id,
        "spend_date": day,
        "campaign_id": campaign_id,
        "campaign_type": campaign_type,
        "creative_id": creative_id or ("crt_t1" if tiktok_one else "crt_own"),
        "is_tiktok_one_creative": tiktok_one,
        "spend": Decimal(amount),
        "currency": currency,
        "reported_at": reported_at or datetime.combine(day + timedelta(days=1), datetime.min.time()),
    }


def _account(
    account_id: str,
    joined_on: date | None,
    *,
    country_code: str = "US",
    created_on: date = LONG_AGO,
    first_time: bool = False,
    profile_on: date | None = LONG_AGO,
    is_managed: bool = False,
    agency_id: str | None = None,
) -> dict:
    return {
        "account_id": account_id,
        "account_name": account_id.replace("_", " ").title(),
        "country_code": country_code,
        "ads_manager_created_on": created_on,
        "tiktok_one_joined_on": joined_on,
        "is_first_time_advertiser": first_time,
        "business_profile_completed_on": profile_on,
        "is_managed": is_managed,
        "agency_id": agency_id,
    }


def tier_scenarios() -> tuple[list[dict], list[dict]]:
    """Accounts and spend for the tier engine (RULES.md sections 2-4)."""
    accounts = [
        # Joins 2026-01-31 with 100/day of non-TikTok One history: essential on the historical
        # basis for [J, J+29]; from J+30 (03-02) only TikTok One spend (none) counts, so the
        # 25th day below is 03-26 (warning) and the 30th, 03-31, the downgrade to none.
        _account("acc_historical_basis", date(2026, 1, 31)),
        # 2,000.00 of TikTok One spend in one day: essential exactly, for 30 days.
        _account("acc_threshold_met", LONG_AGO),
        # 1,999.99: one cent short, never essential.
        _account("acc_threshold_missed", LONG_AGO),
        # Essential from 01-01, below from 01-31, warned 02-24, back to essential on 02-28:
        # recovery on the 29th day below.
        _account("acc_recovery_day_29", LONG_AGO),
        # Premium, then classic, then essential: two downgrades, two warnings.
        _account("acc_two_step_drop", LONG_AGO),
        # Spend restated: 5,000 first, corrected to 1,000 by a later report.
        _account("acc_restated", LONG_AGO),
        # Joins 2026-03-20: tier rows only from then; history before counts.
        _account("acc_late_join", date(2026, 3, 20)),
        # Joins after the as-of date: no tier rows, no current tier.
        _account("acc_joins_later", date(2026, 4, 15)),
        # Never in TikTok One.
        _account("acc_not_member", None),
        # Spends in EUR; rates are skipped on weekends, the latest earlier rate applies.
        _account("acc_eur", LONG_AGO, country_code="DE"),
        # Premium falls straight through classic: downgraded to classic while already more
        # than 25 days below it, so a classic warning starts the same day.
        _account("acc_warning_on_downgrade_day", LONG_AGO),
    ]
    spend: list[dict] = []
    spend += [
        _spend("acc_historical_basis", day, "100.00", tiktok_one=False)
        for day in _days(date(2025, 12, 1), date(2026, 3, 31))
    ]
    spend.append(_spend("acc_threshold_met", date(2026, 2, 10), "2000.00"))
    spend.append(_spend("acc_threshold_missed", date(2026, 2, 10), "1999.99"))
    spend.append(_spend("acc_recovery_day_29", date(2026, 1, 1), "2000.00"))
    spend.append(_spend("acc_recovery_day_29", date(2026, 2, 28), "2000.00"))
    spend.append(_spend("acc_two_step_drop", date(2026, 1, 5), "50000.00"))
    spend.append(_spend("acc_two_step_drop", date(2026, 1, 20), "10000.00"))
    spend.append(_spend("acc_two_step_drop", date(2026, 2, 15), "2000.00"))
    spend.append(
        _spend("acc_restated", date(2026, 3, 1), "5000.00", reported_at=datetime(2026, 3, 2, 6))
    )
    spend.append(
        _spend("acc_restated", date(2026, 3, 1), "1000.00", reported_at=datetime(2026, 3, 5, 6))
    )
    spend += [
        _spend("acc_late_join", day, "500.00", tiktok_one=False)
        for day in _days(date(2026, 3, 1), date(2026, 3, 10))
    ]
    spend.append(_spend("acc_joins_later", date(2026, 3, 1), "9000.00"))
    spend.append(_spend("acc_not_member", date(2026, 3, 1), "9000.00"))
    # Saturday 2026-03-07: no rate that day, Friday's 1.10 applies -> 2,200 USD.
    spend.append(_spend("acc_eur", date(2026, 3, 7), "2000.00", currency="EUR"))
    spend.append(_spend("acc_warning_on_downgrade_day", date(2026, 1, 5), "50000.00"))
    spend.append(_spend("acc_warning_on_downgrade_day", date(2026, 1, 7), "10000.00"))
    return accounts, spend


def fx_rates() -> list[dict]:
    """EUR on weekdays only: 1.10 up to 2026-03-06, 1.20 from 2026-03-09. No GBP rate at all."""
    return [
        {"currency": "EUR", "rate_date": day, "usd_per_unit": 1.10 if day < date(2026, 3, 9) else 1.20}
        for day in _days(date(2025, 11, 1), FIXTURE_AS_OF)
        if day.weekday() < 5
    ]


def bad_rows() -> dict[str, list[dict]]:
    """Rows that must land in quarantine, each with the reason in its comment."""
    return {
        "accounts": [
            # Exact copy of acc_restated: the copy is quarantined as duplicate_row.
            _account("acc_restated", LONG_AGO),
            # Two disagreeing rows for one id: both quarantined (conflicting_duplicate_key).
            _account("acc_conflicting", LONG_AGO, country_code="US"),
            _account("acc_conflicting", LONG_AGO, country_code="GB"),
            # No id: null_key.
            _account("acc_placeholder", LONG_AGO) | {"account_id": None},
        ],
        "ad_spend": [
            _spend("acc_ghost", date(2026, 3, 1), "10.00"),  # unknown_account
            _spend("acc_threshold_met", date(2026, 3, 2), "-5.00"),  # negative_spend
            _spend("acc_threshold_met", date(2026, 3, 3), "10.00", currency="GBP"),  # no_fx_rate
            _spend("acc_threshold_met", date(2026, 3, 4), "10.00") | {"spend": None},  # null_spend
            _spend("acc_threshold_met", date(2026, 3, 5), "10.00") | {"campaign_id": None},
            _spend("acc_conflicting", date(2026, 3, 5), "10.00"),  # unknown_account
        ],
    }


def creative_request_scenarios() -> list[dict]:
    """acc_threshold_met is essential (cap 10) in the ISO week of Monday 2026-02-16."""
    def request(request_id: str, at: datetime, creatives: int, account: str = "acc_threshold_met"):
        return {
            "request_id": request_id,
            "account_id": account,
            "project_id": "prj_1",
            "requested_at": at,
            "creatives_requested": creatives,
        }

    return [
        request("req_a", datetime(2026, 2, 16, 9), 6),  # 6 within
        request("req_b", datetime(2026, 2, 18, 9), 6),  # 4 within, 2 over
        request("req_c", datetime(2026, 2, 22, 23), 3),  # 0 within, 3 over (Sunday)
        request("req_d", datetime(2026, 2, 23, 0), 3),  # new week: 3 within
        request("req_none", datetime(2026, 2, 18, 9), 2, account="acc_not_member"),  # cap 0
        request("req_future", datetime(2026, 4, 2, 9), 2),  # after the as-of date: not shown
    ]


def build_fixture_landing(out_dir: Path) -> Path:
    """Write the whole fixture landing zone (every source of the contract) into out_dir."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    accounts, spend = tier_scenarios()
    bad = bad_rows()
    write_landing_table(out_dir, "accounts", accounts)
    write_landing_table(out_dir, "accounts", bad["accounts"], "part-0001-bad.parquet")
    write_landing_table(out_dir, "ad_spend", spend)
    write_landing_table(out_dir, "ad_spend", bad["ad_spend"], "part-0001-bad.parquet")
    write_landing_table(out_dir, "fx_rates", fx_rates())
    write_landing_table(out_dir, "creative_requests", creative_request_scenarios())
    for source in LANDING_SCHEMAS:
        if not (out_dir / source).exists():
            write_landing_table(out_dir, source, [])
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    build_fixture_landing(args.out_dir)


if __name__ == "__main__":
    main()
