{#-
    The assigned tier t(D) = the highest q(d) over [max(J, D-29), D] (rows start at J), and
    days below it: D - L, where L is the latest day in that window with q(L) >= t(D). Since
    t(D) is the window's maximum, L is the latest day where q reaches that maximum, so one
    window over (rank, day) pairs yields both; a second frame over the same window order gives
    the previous day's values without another sort.

    A view of the days int_account_tier_days_planned plans (every day on a full build);
    fct_account_tier_daily stores them.
-#}

{{ config(materialized='view') }}

with

qualified as (
    select * from {{ ref('int_account_tiers_qualified') }}
),

windowed as (
    select
        *,
        max({'tier_rank': qualified_tier_rank, 'date_day': date_day}) over trailing_30_days
            as best_in_window,
        max({'tier_rank': qualified_tier_rank, 'date_day': date_day}) over previous_30_days
            as best_in_previous_window,
    from qualified
    window
        by_day as (partition by account_id, recompute_from order by date_day),
        trailing_30_days as (by_day rows between 29 preceding and current row),
        previous_30_days as (by_day rows between 30 preceding and 1 preceding)
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
        best_in_window.tier_rank as tier_rank,
        best_in_window.date_day as last_day_at_tier,
        {{ days_between('best_in_window.date_day', 'date_day') }} as days_below_tier,
        -- t(D-1) and its days below: the same window, one day earlier (none before J).
        best_in_previous_window.tier_rank as previous_tier_rank,
        {{ days_between('best_in_previous_window.date_day', add_days('date_day', -1)) }}
            as previous_days_below_tier,
    from windowed
    where is_recomputed
)

select * from assigned
