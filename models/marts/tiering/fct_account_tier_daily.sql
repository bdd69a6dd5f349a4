{#-
    One row per TikTok One member and day in [J, as-of date]: a view over the assigned tier
    days (stored incrementally in int_account_tiers_assigned) with tier codes and amounts
    rounded to cents for display.
-#}
{#- Its days are those of int_account_tiers_assigned: tests read the recomputed days only. -#}
{{ config(materialized='view', meta={'recomputed_by_day': 'date_day'}) }}

with

tiers as (
    select * from {{ ref('int_account_tiers_assigned') }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

-- Tier codes by rank, one row each: a tier keeps its rank on every row of its dated rules.
tier_codes as (
    select distinct
        tier,
        tier_rank
    from tier_thresholds
),

final as (
    select
        tiers.account_id,
        tiers.date_day,
        tiers.spend_basis,
        qualified.tier as qualified_tier,
        assigned.tier as tier,
        cast(tiers.qualified_tier_rank as integer) as qualified_tier_rank,
        cast(tiers.tier_rank as integer) as tier_rank,
        cast(round(tiers.spend_usd, 2) as decimal(18, 2)) as spend_usd,
        cast(round(tiers.any_spend_usd, 2) as decimal(18, 2)) as any_spend_usd,
        cast(round(tiers.rolling_30d_tiktok_one_spend_usd, 2) as decimal(18, 2))
            as rolling_30d_tiktok_one_spend_usd,
        cast(round(tiers.rolling_30d_any_spend_usd, 2) as decimal(18, 2)) as rolling_30d_any_spend_usd,
        cast(round(tiers.qualifying_spend_usd, 2) as decimal(18, 2)) as qualifying_spend_usd,
        cast(tiers.days_below_tier as integer) as days_below_tier,
        tiers.joined_on as tiktok_one_joined_on,
        tiers.last_day_at_tier,
        cast(tiers.previous_tier_rank as integer) as previous_tier_rank,
        cast(tiers.previous_days_below_tier as integer) as previous_days_below_tier
    from tiers
    inner join tier_codes as qualified
        on tiers.qualified_tier_rank = qualified.tier_rank
    inner join tier_codes as assigned
        on tiers.tier_rank = assigned.tier_rank
)

select * from final
