{#-
    The assigned tier t(D) = the highest q(d) over [max(J, D-29), D] (rows start at J), and
    days below it: D - L, where L is the latest day in that window with q(L) >= t(D). Since
    t(D) is the window's maximum, L is the latest day where q reaches that maximum, so one
    window over (rank, day) pairs yields both.
-#}
with

qualified as (
    select * from {{ ref('int_account_tiers_qualified') }}
),

windowed as (
    select
        *,
        max({'tier_rank': qualified_tier_rank, 'date_day': date_day}) over trailing_30_days
            as best_in_window,
    from qualified
    window trailing_30_days as (
        partition by account_id
        order by date_day
        rows between 29 preceding and current row
    )
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
    from windowed
),

final as (
    select
        *,
        lag(tier_rank) over by_day as previous_tier_rank,
        lag(days_below_tier) over by_day as previous_days_below_tier,
    from assigned
    window by_day as (partition by account_id order by date_day)
)

select * from final
