{#-
    What each TikTok One member must spend to keep or reach a tier, and when it would drop with
    no more spend (RULES.md section 13), one row per member on the as-of date D, from the stored
    days only. With no spend after D, S(j), the qualifying spend of D+j, sums what is left of
    [D+j-29, D] and never grows, so q(D+j) <= q(D) <= t. Sections 2 and 3 then give: below the
    tier (b > 0), t holds while L = D-b is in the window, and drops on L+30 = D+30-b to the best
    q of [L+1, D]; at the tier (b = 0), t holds to D+29, then the window holds only future days,
    whose best is the oldest: the tier drops on D+29+j for the first j with q(D+j) < t (j <= 30,
    S(30) = 0), so by D+59. 30 and 29: tier_hold_days, rolling_spend_days - 1 (tier_day_counts).
-#}
-- depends_on: {{ ref('tier_day_counts') }}
{%- set rolling_days = tier_day_count('rolling_spend_days') -%}
{%- set basis_days = tier_day_count('historical_basis_days') -%}
{%- set hold_days = tier_day_count('tier_hold_days') %}

with

tiers as (
    select * from {{ ref('int_account_tiers_assigned') }}
    where date_day between {{ add_days(as_of_date(), 1 - hold_days) }} and {{ as_of_date() }}
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
    where date_day between {{ add_days(as_of_date(), 2 - rolling_days) }} and {{ as_of_date() }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

members as (
    select
        account_id,
        joined_on,
        date_day as as_of_date,
        tier_rank,
        days_below_tier,
        tier_rank > 0 and days_below_tier > 0 as is_below_tier,
        case when tier_rank > 0 and days_below_tier > 0 then
            {{ add_days('date_day', hold_days ~ ' - days_below_tier') }}
        end as keep_tier_by
    from tiers
    where date_day = {{ as_of_date() }}
),

-- The best q of [D-b+1, D]: the tier an account below its tier drops to.
best_since_below as (
    select
        members.account_id,
        max(tiers.qualified_tier_rank) as best_rank_since_below
    from members
    inner join tiers
        on members.account_id = tiers.account_id
    where tiers.date_day > {{ add_days('members.as_of_date', '-members.days_below_tier') }}
    group by members.account_id
),

-- D+j for j in [1, 29], with the spend (before J too) of D+j-29, the oldest day in its window.
future_days as (
    select
        members.account_id,
        members.joined_on,
        members.tier_rank,
        day_offsets.day_offset,
        {{ add_days('members.as_of_date', 'day_offsets.day_offset') }} as date_day,
        coalesce(spend_daily.spend_usd, 0) as oldest_spend_usd,
        coalesce(spend_daily.any_spend_usd, 0) as oldest_any_spend_usd
    from members
    cross join range(1, {{ rolling_days }}) as day_offsets(day_offset)
    left join spend_daily
        on members.account_id = spend_daily.account_id
        and {{ add_days('members.as_of_date', 'day_offsets.day_offset - ' ~ (rolling_days - 1)) }}
            = spend_daily.date_day
),

-- S(j) on the basis of D+j: the spend of the days [D+j-29, D].
left_in_window as (
    select
        *,
        case
            when date_day < {{ add_days('joined_on', basis_days) }}
                then sum(oldest_any_spend_usd) over from_here_on
            else sum(oldest_spend_usd) over from_here_on
        end as qualifying_spend_usd
    from future_days
    window from_here_on as (
        partition by account_id order by day_offset rows between current row and unbounded following
    )
),

qualified as (
    select
        left_in_window.*,
        coalesce(tier_thresholds.tier_rank, 0) as qualified_tier_rank
    from left_in_window
    {{ join_highest_band_reached('left_in_window', 'tier_thresholds', 'qualifying_spend_usd', 'min_rolling_30d_spend_usd') }}
),

first_day_below as (
    select
        account_id,
        min(day_offset) as day_offset,
        -- q(D+j) never grows with j: the first day below t has the best q below t.
        max(qualified_tier_rank) as qualified_tier_rank
    from qualified
    where qualified_tier_rank < tier_rank
    group by account_id
),

final as (
    select
        members.account_id,
        members.as_of_date,
        current_tier.tier,
        cast(members.days_below_tier as integer) as days_below_tier,
        case when members.is_below_tier then
            {{ cents_up('current_tier.min_rolling_30d_spend_usd - next_day.qualifying_spend_usd') }}
        end as spend_to_keep_tier_usd,
        members.keep_tier_by,
        next_tier.tier as next_tier,
        {{ cents_up('next_tier.min_rolling_30d_spend_usd - next_day.qualifying_spend_usd') }}
            as spend_to_next_tier_usd,
        case
            when members.is_below_tier then members.keep_tier_by
            when members.tier_rank > 0 then {{ add_days('members.as_of_date',
                (hold_days - 1) ~ ' + coalesce(first_day_below.day_offset, ' ~ rolling_days ~ ')') }}
        end as downgrade_date_without_spend,
        tier_after.tier as tier_after_downgrade_without_spend
    from members
    inner join qualified as next_day
        on members.account_id = next_day.account_id
        and next_day.day_offset = 1
    inner join tier_thresholds as current_tier
        on members.tier_rank = current_tier.tier_rank
    left join tier_thresholds as next_tier
        on members.tier_rank + 1 = next_tier.tier_rank
    left join best_since_below
        on members.account_id = best_since_below.account_id
    left join first_day_below
        on members.account_id = first_day_below.account_id
    left join tier_thresholds as tier_after
        on tier_after.tier_rank = case
            when members.is_below_tier then best_since_below.best_rank_since_below
            when members.tier_rank > 0 then coalesce(first_day_below.qualified_tier_rank, 0)
        end
)

select * from final
