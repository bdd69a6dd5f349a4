{{ config(meta={'dagster': {'ref': {'name': 'fct_tier_members_daily'}}}) }}
{#-
    fct_tier_members_daily is fct_account_tier_daily counted: for every day from the first
    tier day to the as-of date and every tier, members and members_below_tier equal the tier
    days of that day and tier (zero when there are none), and there is no other row. Returns
    the days and tiers where they differ, and the ones missing on either side.
-#}
with

tier_days as (
    select * from {{ ref('fct_account_tier_daily') }}
),

members_daily as (
    select * from {{ ref('fct_tier_members_daily') }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

tiers as (
    select distinct tier
    from tier_thresholds
),

counted as (
    select
        date_day,
        tier,
        count(*) as members,
        sum(case when days_below_tier > 0 then 1 else 0 end) as members_below_tier
    from tier_days
    group by date_day, tier
),

first_day as (
    select min(date_day) as date_day
    from tier_days
),

every_day as (
    select {{ explode_days('first_day.date_day', as_of_date()) }} as date_day
    from first_day
),

expected as (
    select
        every_day.date_day,
        tiers.tier,
        coalesce(counted.members, 0) as members,
        coalesce(counted.members_below_tier, 0) as members_below_tier
    from every_day
    cross join tiers
    left join counted
        on every_day.date_day = counted.date_day
        and tiers.tier = counted.tier
),

compared as (
    select
        coalesce(expected.date_day, members_daily.date_day) as date_day,
        coalesce(expected.tier, members_daily.tier) as tier,
        expected.members as expected_members,
        members_daily.members,
        expected.members_below_tier as expected_members_below_tier,
        members_daily.members_below_tier
    from expected
    full outer join members_daily
        on expected.date_day = members_daily.date_day
        and expected.tier = members_daily.tier
)

select *
from compared
where expected_members is null
    or members is null
    or members != expected_members
    or members_below_tier != expected_members_below_tier
