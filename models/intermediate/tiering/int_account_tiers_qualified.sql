{{ config(materialized='view') }}

{#- The qualified tier q(D): the highest tier whose minimum the qualifying spend reaches. -#}
with

rolled as (
    select * from {{ ref('int_account_spend_rolled_30d') }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

qualified as (
    select
        rolled.*,
        coalesce(tier_thresholds.tier_rank, 0) as qualified_tier_rank
    from rolled
    -- The highest minimum at or below the spend: thresholds are increasing in rank.
    {{ join_highest_band_reached('rolled', 'tier_thresholds', 'qualifying_spend_usd', 'min_rolling_30d_spend_usd') }}
)

select * from qualified
