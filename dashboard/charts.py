"""The dashboard's charts (Altair, drawn by Vega-Lite): one place for colours, axes and formats.

Tiers keep one colour on every page, from the tier order in the copy's `rules.tier_thresholds`;
money axes read in dollars and time axes in dates.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

# Lightest for no tier, darkest for the highest: one colour per tier rank.
TIER_PALETTE = ["#bdbdbd", "#7fc8f8", "#2f7ed8", "#5b2a86"]
TIER_LABEL_EXPR = (
    "datum.label == 'none' ? 'no tier' : upper(slice(datum.label, 0, 1)) + slice(datum.label, 1)"
)
DOLLARS = "$,.0f"
DAY = "%Y-%m-%d"
MONTH = "%b %Y"
# Bars over time span their week or month (x to x2, standing on zero), a white edge between.
BAR = {"orient": "vertical", "stroke": "white", "strokeWidth": 1}
MONTH_AXIS = alt.Axis(format=MONTH, tickCount={"interval": "month", "step": 1})
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)
# Categories that are not tiers use colours no tier uses, so that blue always means a tier.
SOURCE_COLOURS = alt.Scale(
    domain=["spend_match", "coupon", "managed"], range=["#e377c2", "#ff9f1c", "#2ca02c"]
)
OTHER_CATEGORIES = alt.Scale(scheme="set2")
CHANGE_COLOURS = alt.Scale(domain=["upgrade", "downgrade"], range=["#2ca02c", "#d62728"])
# Missing and late stand out; the other statuses stay quiet.
STATUS_ORDER = [
    "missing",
    "issued_late",
    "pending",
    "issued_on_time",
    "issued_early",
    "unexpected",
    "duplicate",
]
SPEND_MATCH_COLOURS = alt.Scale(
    domain=STATUS_ORDER,
    range=["#d62728", "#ff7f0e", "#f7e08a", "#c7c7c7", "#a1d99b", "#e7969c", "#8c6d31"],
)


def tier_colour(tiers: list[str], title: str = "Tier", field: str = "tier") -> alt.Color:
    """The tier colour encoding: `tiers` lowest first (rules.tier_thresholds by tier_rank)."""
    return alt.Color(
        f"{field}:N",
        title=title,
        scale=alt.Scale(domain=tiers, range=TIER_PALETTE[: len(tiers)]),
        legend=alt.Legend(labelExpr=TIER_LABEL_EXPR),
    )


def members_per_tier(days: pd.DataFrame, tiers: list[str]) -> alt.Chart:
    return (
        alt.Chart(days, title="TikTok One members per tier")
        .mark_area()
        .encode(
            x=alt.X("date_day:T", title="Day", axis=alt.Axis(format=DAY)),
            y=alt.Y("accounts:Q", title="Accounts", stack="zero"),
            color=tier_colour(tiers),
            order=alt.Order("tier_rank:Q"),
            tooltip=["date_day:T", "tier:N", "accounts:Q"],
        )
    )


def tier_changes_weekly(changes: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(changes, title="Upgrades and downgrades per week")
        .mark_bar(**BAR)
        .encode(
            x=alt.X("week_start:T", title="Week (Monday)", axis=alt.Axis(format=DAY)),
            x2="week_end:T",
            y=alt.Y("changes:Q", title="Tier changes", axis=COUNT_AXIS),
            color=alt.Color("change_type:N", title="Change", scale=CHANGE_COLOURS),
            tooltip=["week_start:T", "change_type:N", "changes:Q"],
        )
    )


def pending_warnings(warnings: pd.DataFrame, tiers: list[str]) -> alt.Chart:
    """Accounts warned per scheduled downgrade day, each bar a day wide, stacked by tier."""
    return (
        alt.Chart(warnings, title="Pending warnings by scheduled downgrade date")
        .mark_bar(**BAR)
        .encode(
            x=alt.X(
                "scheduled_downgrade_date:T",
                title="Scheduled downgrade",
                axis=alt.Axis(format=DAY, tickCount={"interval": "day", "step": 1}),
            ),
            x2="next_day:T",
            y=alt.Y("accounts:Q", title="Accounts warned", axis=COUNT_AXIS, stack="zero"),
            color=tier_colour(tiers, title="Tier at risk", field="tier_at_risk"),
            tooltip=["scheduled_downgrade_date:T", "tier_at_risk:N", "accounts:Q"],
        )
    )


def creative_requests_weekly(weeks: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(weeks, title="Creatives requested per week, within and over the weekly caps")
        .mark_bar(**BAR)
        .encode(
            x=alt.X("request_week:T", title="Week (Monday)", axis=alt.Axis(format=DAY)),
            x2="week_end:T",
            y=alt.Y("creatives:Q", title="Creatives requested", axis=COUNT_AXIS),
            color=alt.Color(
                "part:N",
                title="Against the cap",
                scale=alt.Scale(domain=["within cap", "over cap"], range=["#2ca02c", "#d62728"]),
            ),
            tooltip=["request_week:T", "part:N", "creatives:Q"],
        )
    )


def minimums_in_view(days: pd.DataFrame, minimums: pd.DataFrame) -> pd.DataFrame:
    """The tier minimums an account's timeline shows: those of the tiers it held or qualified
    for, and the next one up, so that the axis fits the account's own spend; each minimum over
    the days of the timeline it was in effect (`valid_from` to `valid_until`, null: still in
    effect: rules.tier_thresholds by effective_from), cut to the timeline's days."""
    top = max(days["tier_rank"].max(), days["qualified_tier_rank"].max())
    first, end = days["date_day"].min(), days["next_day"].max()
    starts = pd.to_datetime(minimums["valid_from"])
    ends = pd.to_datetime(minimums["valid_until"]).fillna(end)
    shown = minimums.assign(valid_from=starts.clip(lower=first), valid_until=ends.clip(upper=end))
    ranks = shown["tier_rank"]
    return shown[(ranks > 0) & (ranks <= top + 1) & (shown["valid_from"] < shown["valid_until"])]


def account_tier_timeline(
    days: pd.DataFrame, minimums: pd.DataFrame, tiers: list[str]
) -> alt.LayerChart:
    """Qualifying spend against the tier minimums in view (dashed, each over the days it was in
    effect), over bands of the tier."""
    x = alt.X("date_day:T", title="Day", axis=alt.Axis(format=DAY))
    bands = (
        alt.Chart(days)
        .mark_rect(opacity=0.35)
        .encode(
            x=x,
            x2="next_day:T",
            color=tier_colour(tiers),
            tooltip=["date_day:T", "tier:N", "days_below_tier:Q"],
        )
    )
    minimum_lines = (
        alt.Chart(minimums_in_view(days, minimums))
        .mark_rule(strokeDash=[4, 4], strokeWidth=2)
        .encode(
            x="valid_from:T",
            x2="valid_until:T",
            y="min_rolling_30d_spend_usd:Q",
            color=tier_colour(tiers),
            tooltip=[
                "tier:N",
                alt.Tooltip("min_rolling_30d_spend_usd:Q", format=DOLLARS),
                alt.Tooltip("valid_from:T", title="from", format=DAY),
            ],
        )
    )
    spend = (
        alt.Chart(days)
        .mark_line(color="#333333")
        .encode(
            x=x,
            y=alt.Y(
                "qualifying_spend_usd:Q",
                title="Qualifying 30-day spend (USD)",
                axis=alt.Axis(format=DOLLARS),
            ),
            tooltip=["date_day:T", "qualifying_spend_usd:Q", "spend_basis:N", "tier:N"],
        )
    )
    return alt.layer(
        bands,
        minimum_lines,
        spend,
        title="Qualifying spend (line) against the tier minimums (dashed), over the tier held",
    )


def account_balance(balance: pd.DataFrame) -> alt.Chart:
    """The balance at the end of each day, each day a bar from that day to the next."""
    return (
        alt.Chart(balance, title="Credit balance at the end of each day")
        .mark_bar(orient="vertical", color="#2ca02c")
        .encode(
            x=alt.X("date_day:T", title="Day", axis=alt.Axis(format=DAY)),
            x2="next_day:T",
            y=alt.Y("balance_usd:Q", title="Balance (USD)", axis=alt.Axis(format=DOLLARS)),
            tooltip=["date_day:T", alt.Tooltip("balance_usd:Q", format=DOLLARS)],
        )
    )


def credits_issued_monthly(issued: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(issued, title="Credits issued by source and month")
        .mark_bar(**BAR)
        .encode(
            x=alt.X("month:T", title="Month issued", axis=MONTH_AXIS),
            x2="month_end:T",
            y=alt.Y("amount_usd:Q", title="Issued (USD)", axis=alt.Axis(format=DOLLARS)),
            color=alt.Color("credit_source:N", title="Source", scale=SOURCE_COLOURS),
            tooltip=["month:T", "credit_source:N", alt.Tooltip("amount_usd:Q", format=DOLLARS)],
        )
    )


def credits_used_monthly(used: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(used, title="Credits consumed and expired by month")
        .mark_bar(**BAR)
        .encode(
            x=alt.X("month:T", title="Month", axis=MONTH_AXIS),
            x2="month_end:T",
            y=alt.Y("amount_usd:Q", title="Amount (USD)", axis=alt.Axis(format=DOLLARS)),
            color=alt.Color(
                "entry_type:N",
                title="Entry",
                scale=alt.Scale(domain=["consumed", "expired"], range=["#2ca02c", "#ff7f0e"]),
            ),
            tooltip=["month:T", "entry_type:N", alt.Tooltip("amount_usd:Q", format=DOLLARS)],
        )
    )


def breakage_monthly(breakage: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(breakage, title="Breakage: credit that expired unused, by expiry month")
        .mark_bar(**BAR)
        .encode(
            x=alt.X("expiry_month:T", title="Month expired", axis=MONTH_AXIS),
            x2="month_end:T",
            y=alt.Y("breakage_usd:Q", title="Breakage (USD)", axis=alt.Axis(format=DOLLARS)),
            color=alt.Color("credit_source:N", title="Source", scale=SOURCE_COLOURS),
            tooltip=[
                "expiry_month:T",
                "credit_source:N",
                alt.Tooltip("breakage_usd:Q", format=DOLLARS),
            ],
        )
    )


def spend_match_statuses(statuses: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(
            statuses, title="Spend-match credits by status and month (missing and late in red)"
        )
        # Missing and late at the bottom of each bar, in the legend's order.
        .transform_calculate(status_order=f"indexof({STATUS_ORDER}, datum.status)")
        .mark_bar(**BAR)
        .encode(
            x=alt.X("month:T", title="Month due (or issued)", axis=MONTH_AXIS),
            x2="month_end:T",
            y=alt.Y("credits:Q", title="Credits", axis=COUNT_AXIS),
            color=alt.Color("status:N", title="Status", scale=SPEND_MATCH_COLOURS),
            order=alt.Order("status_order:Q"),
            tooltip=["month:T", "status:N", "credits:Q"],
        )
    )


def creators_eligible(days: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(days, title="Creators eligible for Creator Next, by region")
        .mark_line(point=True)
        .encode(
            x=alt.X("date_day:T", title="Day", axis=alt.Axis(format=DAY)),
            y=alt.Y("creators:Q", title="Eligible creators", axis=COUNT_AXIS),
            color=alt.Color("country_code:N", title="Region", scale=OTHER_CATEGORIES),
            tooltip=["date_day:T", "country_code:N", "creators:Q"],
        )
    )


def creator_rule_failures(failures: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(failures, title="Which rule fails most (each creator's latest day)")
        .mark_bar(color="#8c564b")
        .encode(
            x=alt.X("creators_failing:Q", title="Creators failing the rule", axis=COUNT_AXIS),
            y=alt.Y("rule:N", title="Rule", sort="-x"),
            tooltip=["rule:N", "creators_failing:Q", "creators:Q"],
        )
    )


SCENARIO_DASH = alt.StrokeDash(
    "scenario:N",
    title="Rules",
    scale=alt.Scale(domain=["actual", "what-if"], range=[[1, 0], [6, 3]]),
)


def what_if_members(days: pd.DataFrame, tiers: list[str]) -> alt.Chart:
    """Members per tier per day, under the actual rules (solid) and the proposal (dashed)."""
    return (
        alt.Chart(days, title="Members per tier: actual rules (solid) and the proposal (dashed)")
        .mark_line()
        .encode(
            x=alt.X("date_day:T", title="Day", axis=alt.Axis(format=DAY)),
            y=alt.Y("accounts:Q", title="Accounts", axis=COUNT_AXIS),
            color=tier_colour(tiers),
            strokeDash=SCENARIO_DASH,
            tooltip=["date_day:T", "tier:N", "scenario:N", "accounts:Q"],
        )
    )


def what_if_events(weeks: pd.DataFrame) -> alt.Chart:
    """Upgrades, downgrades and warnings per week, actual (solid) and under the proposal."""
    return (
        alt.Chart(weeks, title="Upgrades, downgrades and warnings per week, actual and what-if")
        .mark_line(point=True)
        .encode(
            x=alt.X("week_start:T", title="Week (Monday)", axis=alt.Axis(format=DAY)),
            y=alt.Y("events:Q", title="Accounts", axis=COUNT_AXIS),
            color=alt.Color(
                "event:N",
                title="Event",
                scale=alt.Scale(
                    domain=["upgrade", "downgrade", "warning"],
                    range=["#2ca02c", "#d62728", "#ff7f0e"],
                ),
            ),
            strokeDash=SCENARIO_DASH,
            tooltip=["week_start:T", "event:N", "scenario:N", "events:Q"],
        )
    )
