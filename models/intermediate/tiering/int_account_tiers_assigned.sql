{#-
    The assigned tier t(D) = the highest q(d) over [max(J, D-29), D] (rows start at J; 30 is
    `tier_hold_days` of the seed tier_day_counts), and days below it: D - L, where L is the
    latest day in that window with q(L) >= t(D). Since t(D) is the window's maximum, L is the
    latest day where q reaches that maximum, so one window over (rank, day) pairs yields both;
    a second frame over the same order gives the previous day's values. Each pair is packed
    into one integer, rank * 100000 + days since 1970-01-01, which orders like the pair (days
    stay below 100000 until the year 2243) and is cheaper for a window to compare than a struct.

    Incremental by day: a run recomputes the days of the window (recompute_window.sql), which
    read the stored q of the days before it.
-#}
-- depends_on: {{ ref('tier_day_counts') }}, {{ ref('int_as_of_date') }}
{{ day_window_config() }}
{%- set hold_days = tier_day_count('tier_hold_days') %}

with

qualified as (
    select * from {{ ref('int_account_tiers_qualified') }}
    {% if is_incremental() %}
    where date_day >= {{ add_days(recompute_from(), -hold_days) }}
    {% endif %}
),

packed as (
    select
        *,
        qualified_tier_rank * 100000 + {{ days_between("date '1970-01-01'", 'date_day') }} as rank_and_day
    from qualified
),

windowed as (
    select
        *,
        max(rank_and_day) over (
            partition by account_id order by date_day
            rows between {{ hold_days - 1 }} preceding and current row
        ) as best_in_window,
        max(rank_and_day) over (
            partition by account_id order by date_day
            rows between {{ hold_days }} preceding and 1 preceding
        ) as best_in_previous_window
    from packed
),

unpacked as (
    select
        *,
        cast(floor(best_in_window / 100000) as integer) as tier_rank,
        {{ add_days("date '1970-01-01'", 'best_in_window % 100000') }} as last_day_at_tier,
        cast(floor(best_in_previous_window / 100000) as integer) as previous_tier_rank,
        {{ add_days("date '1970-01-01'", 'best_in_previous_window % 100000') }} as last_day_at_previous_tier
    from windowed
),

assigned as (
    select
        account_id,
        date_day,
        joined_on,
        spend_usd,
        any_spend_usd,
        rolling_30d_tiktok_one_spend_usd,
        rolling_30d_any_spend_usd,
        qualifying_spend_usd,
        spend_basis,
        qualified_tier_rank,
        tier_rank,
        last_day_at_tier,
        {{ days_between('last_day_at_tier', 'date_day') }} as days_below_tier,
        -- t(D-1) and its days below: the same window, one day earlier (none before J).
        previous_tier_rank,
        {{ days_between('last_day_at_previous_tier', add_days('date_day', -1)) }}
            as previous_days_below_tier
    from unpacked
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
)

select * from assigned
