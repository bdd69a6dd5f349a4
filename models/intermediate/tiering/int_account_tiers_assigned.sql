{#-
    The assigned tier t(D) = the highest q(d) over [max(J, D-29), D] (rows start at J), and
    days below it: D - L, where L is the latest day in that window with q(L) >= t(D). Since
    t(D) is the window's maximum, L is the latest day where q reaches that maximum, so one
    window over (rank, day) pairs yields both; a second frame over the same window order gives
    the previous day's values without another sort. Each pair is packed into one integer,
    rank * 100000 + days since 1970-01-01, which orders like the pair (days stay below 100000
    until the year 2243) and is much cheaper for a window to compare than a struct.

    A view of the days int_account_tier_days_planned plans (every day on a full build);
    fct_account_tier_daily stores them.
-#}

{{ config(materialized='view') }}

with

qualified as (
    select * from {{ ref('int_account_tiers_qualified') }}
),

packed as (
    select
        *,
        qualified_tier_rank * 100000 + {{ days_between("date '1970-01-01'", 'date_day') }} as rank_and_day,
    from qualified
),

windowed as (
    select
        *,
        max(rank_and_day) over trailing_30_days as best_in_window,
        max(rank_and_day) over previous_30_days as best_in_previous_window,
    from packed
    window
        by_day as (partition by account_id, recompute_from order by date_day),
        trailing_30_days as (by_day rows between 29 preceding and current row),
        previous_30_days as (by_day rows between 30 preceding and 1 preceding)
),

unpacked as (
    select
        *,
        cast(best_in_window // 100000 as integer) as tier_rank,
        {{ add_days("date '1970-01-01'", 'best_in_window % 100000') }} as last_day_at_tier,
        cast(best_in_previous_window // 100000 as integer) as previous_tier_rank,
        {{ add_days("date '1970-01-01'", 'best_in_previous_window % 100000') }} as last_day_at_previous_tier,
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
            as previous_days_below_tier,
    from unpacked
    where is_recomputed
)

select * from assigned
