{#-
    Program members per tier per day: for every day from the first join day to the as-of date,
    one row per tier of the seed (zero members included, so a chart stacks every day), counted
    from fct_account_tier_daily. What the program's "members per tier over time" reads without
    summing tens of millions of tier days on every open.

    Incremental by day, like the tier days it counts: a run recomputes the days of the window
    (recompute_window.sql) from the tier days of those days alone; a member's day never moves
    to another day, so every day outside the window keeps its count.
-#}
-- depends_on: {{ ref('int_as_of_date') }}
{{ day_window_config() }}

with

tier_days as (
    select * from {{ ref('fct_account_tier_daily') }}
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

-- One row per tier, whatever rows of its rule the seed holds.
tiers as (
    select distinct
        tier,
        tier_rank
    from tier_thresholds
),

counted as (
    select
        date_day,
        tier,
        count(*) as members,
        sum(case when days_below_tier > 0 then 1 else 0 end) as members_below_tier,
        sum(spend_usd) as spend_usd,
        sum(qualifying_spend_usd) as qualifying_spend_usd
    from tier_days
    group by date_day, tier
),

-- Members never leave the program, so every day from the first join day has a member.
days as (
    select distinct date_day
    from counted
),

final as (
    select
        days.date_day,
        tiers.tier,
        cast(tiers.tier_rank as integer) as tier_rank,
        cast(coalesce(counted.members, 0) as integer) as members,
        cast(coalesce(counted.members_below_tier, 0) as integer) as members_below_tier,
        cast(coalesce(counted.spend_usd, 0) as decimal(18, 2)) as spend_usd,
        cast(coalesce(counted.qualifying_spend_usd, 0) as decimal(18, 2)) as qualifying_spend_usd
    from days
    cross join tiers
    left join counted
        on days.date_day = counted.date_day
        and tiers.tier = counted.tier
)

select * from final
