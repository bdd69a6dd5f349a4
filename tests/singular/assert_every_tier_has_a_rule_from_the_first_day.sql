{{ config(meta={'dagster': {'ref': {'name': 'tier_thresholds'}}}) }}
{#-
    The tier rules cover every day a model judges (RULES.md section 14): every tier has a row
    at the earliest effective_from of the seed, and that day is on or before the first day of
    any data the rules apply to (the earliest join day of a member, the earliest creative
    request); a tier keeps one rank on every row, and a rank belongs to one tier. Returns one
    row per problem, named.
-#}
with

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

creative_requests as (
    select * from {{ ref('stg_tiktok_one__creative_requests') }}
),

first_rule_day as (
    select min(effective_from) as effective_from
    from tier_thresholds
),

tiers as (
    select
        tier,
        min(tier_rank) as tier_rank,
        count(distinct tier_rank) as ranks,
        min(effective_from) as first_effective_from
    from tier_thresholds
    group by tier
),

ranks as (
    select
        tier_rank,
        count(distinct tier) as tiers
    from tier_thresholds
    group by tier_rank
),

first_data_day as (
    select min(first_day) as first_day
    from (
        select min(tiktok_one_joined_on) as first_day from accounts
        union all
        select min(requested_on) as first_day from creative_requests
    ) as first_days
),

problems as (
    select
        tiers.tier,
        'no rule on ' || cast(first_rule_day.effective_from as string) || ', the first rule day'
            as problem
    from tiers
    cross join first_rule_day
    where tiers.first_effective_from > first_rule_day.effective_from

    union all

    select
        tier,
        'more than one tier_rank' as problem
    from tiers
    where ranks > 1

    union all

    select
        cast(tier_rank as string) as tier,
        'rank held by more than one tier' as problem
    from ranks
    where tiers > 1

    union all

    select
        'every tier' as tier,
        'the first rule day ' || cast(first_rule_day.effective_from as string)
        || ' is after the first day of data ' || cast(first_data_day.first_day as string) as problem
    from first_rule_day
    cross join first_data_day
    where first_rule_day.effective_from > first_data_day.first_day
)

select * from problems
