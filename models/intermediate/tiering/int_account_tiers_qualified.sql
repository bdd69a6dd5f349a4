{{ config(materialized='view') }}

{#-
    The qualified tier q(D): the highest tier whose minimum in effect on D the qualifying spend
    reaches (RULES.md sections 3 and 14). A day with no rule yet qualifies for none (a seed
    test requires rules from the first day of data).
-#}
with

rolled as (
    select * from {{ ref('int_account_spend_rolled_30d') }}
),

tier_rules_daily as (
    select * from {{ ref('int_tier_rules_daily') }}
),

qualified as (
    select
        rolled.*,
        coalesce(tier_rules_daily.tier_rank, 0) as qualified_tier_rank
    from rolled
    {{ join_tier_reached('rolled', 'tier_rules_daily', 'qualifying_spend_usd', 'date_day') }}
)

select * from qualified
