{#-
    What each TikTok One member must spend to keep or reach a tier, and when it would drop with
    no more spend (RULES.md sections 13 and 14), one row per member on the as-of date D, from the
    stored days only. With no spend after D, S(j), the qualifying spend of D+j, sums what is
    left of [D+j-29, D] and never grows (0 from j = 30); q(D+j) applies to it the minimums in
    effect on D+j. The tier t holds on every day whose window [X-29, X] holds a day with q >= t:
    L = D-b (the last such stored day) and the days D+j (j < 30) whose q still reaches t (a
    minimum lowered by then can make one). So the tier drops on the first such day a + 30 with
    no other such day in [a+1, a+30], to the best q of [a+1, a+30]. With rules that do not
    change after D, q(D+j) <= q(D): below the tier (b > 0) the drop lands on L+30 = D+30-b, at
    the tier (b = 0) on D+29+j for the first j with q(D+j) < t, so by D+59. 30 and 29:
    tier_hold_days, rolling_spend_days - 1 (tier_day_counts).
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

tier_rules_daily as (
    select * from {{ ref('int_tier_rules_daily') }}
    where date_day > {{ as_of_date() }}
),

-- Tier codes by rank, one row each: a tier keeps its rank on every row of its dated rules.
tier_codes as (
    select distinct
        tier,
        tier_rank
    from tier_thresholds
),

members as (
    select
        account_id,
        joined_on,
        date_day as as_of_date,
        tier_rank,
        days_below_tier,
        {{ add_days('date_day', '-days_below_tier') }} as last_day_at_tier,
        tier_rank > 0 and days_below_tier > 0 as is_below_tier,
        case when tier_rank > 0 and days_below_tier > 0 then
            {{ add_days('date_day', hold_days ~ ' - days_below_tier') }}
        end as keep_tier_by
    from tiers
    where date_day = {{ as_of_date() }}
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

-- q(D+j) under the rules in effect on D+j.
qualified as (
    select
        left_in_window.*,
        coalesce(tier_rules_daily.tier_rank, 0) as qualified_tier_rank
    from left_in_window
    {{ join_tier_reached('left_in_window', 'tier_rules_daily', 'qualifying_spend_usd', 'date_day') }}
),

-- The days whose q reaches the tier: L, and the days after D that still reach it unspent.
days_at_tier as (
    select
        account_id,
        last_day_at_tier as date_day
    from members
    where tier_rank > 0

    union all

    select
        account_id,
        date_day
    from qualified
    where tier_rank > 0
        and qualified_tier_rank >= tier_rank
),

next_days_at_tier as (
    select
        *,
        lead(date_day) over (partition by account_id order by date_day) as next_day_at_tier
    from days_at_tier
),

-- The first day whose window no longer holds a day at the tier.
downgrades as (
    select
        account_id,
        min({{ add_days('date_day', hold_days) }}) as downgrade_date
    from next_days_at_tier
    where next_day_at_tier is null
        or next_day_at_tier > {{ add_days('date_day', hold_days) }}
    group by account_id
),

judged_days as (
    select
        account_id,
        date_day,
        qualified_tier_rank
    from tiers

    union all

    select
        account_id,
        date_day,
        qualified_tier_rank
    from qualified
),

-- The tier on the downgrade day: the best q of its window (days after D+29 qualify for none).
tiers_after_downgrade as (
    select
        downgrades.account_id,
        downgrades.downgrade_date,
        coalesce(max(judged_days.qualified_tier_rank), 0) as tier_rank
    from downgrades
    left join judged_days
        on downgrades.account_id = judged_days.account_id
        and judged_days.date_day > {{ add_days('downgrades.downgrade_date', -hold_days) }}
        and judged_days.date_day <= downgrades.downgrade_date
    group by downgrades.account_id, downgrades.downgrade_date
),

final as (
    select
        members.account_id,
        members.as_of_date,
        current_tier.tier,
        cast(members.days_below_tier as integer) as days_below_tier,
        -- 0 when a minimum lowered on D+1 is already reached by the spend left.
        case when members.is_below_tier then
            {{ cents_up(amount_short('current_tier_rule.min_rolling_30d_spend_usd', 'next_day.qualifying_spend_usd')) }}
        end as spend_to_keep_tier_usd,
        members.keep_tier_by,
        next_tier_rule.tier as next_tier,
        {{ cents_up(amount_short('next_tier_rule.min_rolling_30d_spend_usd', 'next_day.qualifying_spend_usd')) }}
            as spend_to_next_tier_usd,
        tiers_after_downgrade.downgrade_date as downgrade_date_without_spend,
        tier_after.tier as tier_after_downgrade_without_spend
    from members
    inner join qualified as next_day
        on members.account_id = next_day.account_id
        and next_day.day_offset = 1
    inner join tier_codes as current_tier
        on members.tier_rank = current_tier.tier_rank
    -- min(x): the minimums in effect on D+1.
    inner join tier_rules_daily as current_tier_rule
        on members.tier_rank = current_tier_rule.tier_rank
        and next_day.date_day = current_tier_rule.date_day
    left join tier_rules_daily as next_tier_rule
        on members.tier_rank + 1 = next_tier_rule.tier_rank
        and next_day.date_day = next_tier_rule.date_day
    left join tiers_after_downgrade
        on members.account_id = tiers_after_downgrade.account_id
    left join tier_codes as tier_after
        on tiers_after_downgrade.tier_rank = tier_after.tier_rank
)

select * from final
