{#-
    What each TikTok One member must spend to keep or reach a tier, and when it would drop with
    no more spend (RULES.md section 13): one row per member on the as-of date D. The no-spend
    future is sections 2 and 3 applied to zero-spend days: a spine of the stored days [D-29, D]
    and the days [D+1, D+59], over which the rolling sums and the 30-day maximum of q run as
    window frames. 59 = rolling_spend_days + tier_hold_days - 1 (seed tier_day_counts): after
    D+29 no spend is left in the window, after D+59 no qualified day.
-#}
-- depends_on: {{ ref('tier_day_counts') }}
{%- set rolling_days = tier_day_count('rolling_spend_days') -%}
{%- set basis_days = tier_day_count('historical_basis_days') -%}
{%- set hold_days = tier_day_count('tier_hold_days') -%}
{%- set lookback_days = [rolling_days, hold_days] | max - 1 -%}
{%- set horizon_days = rolling_days + hold_days - 1 %}

with

tiers as (
    select * from {{ ref('int_account_tiers_assigned') }}
    where date_day between {{ add_days(as_of_date(), -lookback_days) }} and {{ as_of_date() }}
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
    where date_day between {{ add_days(as_of_date(), -lookback_days) }} and {{ as_of_date() }}
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
        tier_rank > 0 and days_below_tier > 0 as is_below_tier
    from tiers
    where date_day = {{ as_of_date() }}
),

days as (
    select
        members.account_id,
        members.joined_on,
        members.tier_rank as as_of_tier_rank,
        day_offsets.day_offset,
        {{ add_days('members.as_of_date', 'day_offsets.day_offset') }} as date_day
    from members
    cross join range({{ -lookback_days }}, {{ horizon_days + 1 }}) as day_offsets(day_offset)
),

-- Stored days keep their spend (before J too: it counts in the first 30 days) and q (null
-- before J); future days spend nothing.
spined as (
    select
        days.*,
        coalesce(spend_daily.spend_usd, 0) as spend_usd,
        coalesce(spend_daily.any_spend_usd, 0) as any_spend_usd,
        tiers.qualified_tier_rank as stored_qualified_tier_rank
    from days
    left join spend_daily
        on days.account_id = spend_daily.account_id
        and days.date_day = spend_daily.date_day
    left join tiers
        on days.account_id = tiers.account_id
        and days.date_day = tiers.date_day
),

-- Section 2 on the future days: the sums reach back into the stored days.
rolled as (
    select
        *,
        case
            when date_day < {{ add_days('joined_on', basis_days) }}
                then sum(any_spend_usd) over trailing_window
            else sum(spend_usd) over trailing_window
        end as qualifying_spend_usd
    from spined
    window trailing_window as (
        partition by account_id order by day_offset rows {{ rolling_days - 1 }} preceding
    )
),

qualified as (
    select
        rolled.*,
        case when rolled.day_offset > 0 then coalesce(tier_thresholds.tier_rank, 0)
            else rolled.stored_qualified_tier_rank end as qualified_tier_rank
    from rolled
    {{ join_highest_band_reached('rolled', 'tier_thresholds', 'qualifying_spend_usd', 'min_rolling_30d_spend_usd') }}
),

-- Section 3: t(D+k), the highest q over [max(J, D+k-29), D+k] (q is null before J).
projected as (
    select
        *,
        max(qualified_tier_rank) over (
            partition by account_id order by day_offset rows {{ hold_days - 1 }} preceding
        ) as projected_tier_rank
    from qualified
),

downgrade_days as (
    select account_id, min(date_day) as downgrade_date
    from projected
    where day_offset >= 1
        and projected_tier_rank < as_of_tier_rank
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
        case when members.is_below_tier then
            {{ add_days('members.as_of_date', hold_days ~ ' - members.days_below_tier') }}
        end as keep_tier_by,
        next_tier.tier as next_tier,
        {{ cents_up('next_tier.min_rolling_30d_spend_usd - next_day.qualifying_spend_usd') }}
            as spend_to_next_tier_usd,
        downgrade_days.downgrade_date as downgrade_date_without_spend,
        tier_after.tier as tier_after_downgrade_without_spend
    from members
    -- S(1): the qualifying spend of D+1 with nothing spent after D.
    inner join projected as next_day
        on members.account_id = next_day.account_id
        and next_day.day_offset = 1
    inner join tier_thresholds as current_tier
        on members.tier_rank = current_tier.tier_rank
    left join tier_thresholds as next_tier
        on members.tier_rank + 1 = next_tier.tier_rank
    left join downgrade_days
        on members.account_id = downgrade_days.account_id
    left join projected as downgrade_day
        on downgrade_days.account_id = downgrade_day.account_id
        and downgrade_days.downgrade_date = downgrade_day.date_day
    left join tier_thresholds as tier_after
        on downgrade_day.projected_tier_rank = tier_after.tier_rank
)

select * from final
