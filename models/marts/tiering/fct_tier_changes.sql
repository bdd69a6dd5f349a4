{#- A row on the join day (initial) and on every day the assigned tier differs from the day before. -#}
with

tiers as (
    select * from {{ ref('fct_account_tier_daily') }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

changes as (
    select
        account_id,
        date_day as effective_date,
        previous_tier_rank,
        tier_rank,
        qualifying_spend_usd,
        case
            when previous_tier_rank is null then 'initial'
            when tier_rank > previous_tier_rank then 'upgrade'
            else 'downgrade'
        end as change_type,
    from tiers
    where previous_tier_rank is null
        or tier_rank != previous_tier_rank
),

final as (
    select
        changes.account_id,
        changes.effective_date,
        from_tier.tier as from_tier,
        to_tier.tier as to_tier,
        changes.change_type,
        cast(round(changes.qualifying_spend_usd, 2) as decimal(18, 2)) as qualifying_spend_usd,
    from changes
    left join tier_thresholds as from_tier
        on changes.previous_tier_rank = from_tier.tier_rank
    inner join tier_thresholds as to_tier
        on changes.tier_rank = to_tier.tier_rank
)

select * from final
