{{ config(materialized='view') }}

{#-
    The qualified tier q(D): the highest tier whose minimum the qualifying spend reaches. On
    the read-only days before a range (see int_account_days_spined) it is the q stored by the
    last build; a missing one stops the build rather than give a wrong tier.
-#}
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
        case
            when rolled.is_recomputed then coalesce(tier_thresholds.tier_rank, 0)
            when rolled.stored_qualified_tier_rank is null
                then error('fct_account_tier_daily has no stored tier day for ' || rolled.account_id
                    || ' on ' || rolled.date_day || ': run dbt build --full-refresh')
            else rolled.stored_qualified_tier_rank
        end as qualified_tier_rank,
    from rolled
    -- The highest minimum at or below the spend: thresholds are increasing in rank.
    {{ join_highest_band_reached('rolled', 'tier_thresholds', 'qualifying_spend_usd', 'min_rolling_30d_spend_usd') }}
)

select * from qualified
