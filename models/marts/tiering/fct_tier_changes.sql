{#- A row on the join day (initial) and on every day the assigned tier differs from the day before. -#}
with

tiers as (
    select * from {{ ref('fct_account_tier_daily') }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

tier_rules_daily as (
    select * from {{ ref('int_tier_rules_daily') }}
),

-- Tier codes by rank, one row each: a tier keeps its rank on every row of its dated rules.
tier_codes as (
    select distinct
        tier,
        tier_rank
    from tier_thresholds
),

downgrade_warnings as (
    select * from {{ ref('fct_downgrade_warnings') }}
),

changes as (
    select
        account_id,
        date_day as effective_date,
        previous_tier_rank,
        tier_rank,
        qualifying_spend_usd,
        spend_basis,
        case
            when previous_tier_rank is null then 'initial'
            when tier_rank > previous_tier_rank then 'upgrade'
            else 'downgrade'
        end as change_type
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
        changes.spend_basis
    from changes
    left join tier_codes as from_tier
        on changes.previous_tier_rank = from_tier.tier_rank
    inner join tier_codes as to_tier
        on changes.tier_rank = to_tier.tier_rank
),

-- The reason a support agent can paste: the minimums in effect on the day of the change (the
-- seed's rules, RULES.md section 14), and a downgrade names the warning it resolved (the
-- streak's first day below, the warning day).
reasoned as (
    select
        final.*,
        case final.change_type
            when 'initial' then
                'Joined TikTok One on ' || cast(final.effective_date as string) || '. '
                || {{ spend_basis_label('final.spend_basis') }} || ' that day: '
                || {{ format_usd('final.qualifying_spend_usd') }}
                || case
                    when next_tier.tier is not null and to_tier.tier_rank = 0
                        then ', below ' || {{ tier_label('next_tier.tier') }} || '''s '
                            || {{ format_usd('next_tier.min_rolling_30d_spend_usd') }} || ': no tier yet.'
                    else ', at or above ' || {{ tier_label('to_tier.tier') }} || '''s '
                        || {{ format_usd('to_tier.min_rolling_30d_spend_usd') }} || ': started at '
                        || {{ tier_label('to_tier.tier') }} || '.'
                end
            when 'upgrade' then
                {{ spend_basis_label('final.spend_basis') }} || ' reached '
                || {{ format_usd('final.qualifying_spend_usd') }} || ' on '
                || cast(final.effective_date as string) || ', at or above '
                || {{ tier_label('to_tier.tier') }} || '''s '
                || {{ format_usd('to_tier.min_rolling_30d_spend_usd') }} || ': moved up from '
                || {{ tier_label('from_tier.tier') }} || ' the same day.'
            else
                {{ spend_basis_label('final.spend_basis') }} || ' has been below '
                || {{ tier_label('from_tier.tier') }} || '''s '
                || {{ format_usd('from_tier.min_rolling_30d_spend_usd') }}
                || coalesce(
                    ' since ' || cast(downgrade_warnings.below_since as string)
                    || '; warned ' || cast(downgrade_warnings.warning_date as string),
                    ''
                )
                || '; moved to ' || {{ tier_label('to_tier.tier') }} || ' on '
                || cast(final.effective_date as string)
                || coalesce(
                    ', day '
                    || cast({{ days_between('downgrade_warnings.below_since', 'final.effective_date') }} + 1 as string)
                    || ' below',
                    ''
                )
                || case
                    when to_tier.tier_rank > 0
                        then ', the highest tier its spend reached in those days'
                    else ''
                end
                || ' (' || {{ format_usd('final.qualifying_spend_usd') }} || ' that day).'
        end as change_reason
    from final
    left join tier_rules_daily as from_tier
        on final.from_tier = from_tier.tier
        and final.effective_date = from_tier.date_day
    inner join tier_rules_daily as to_tier
        on final.to_tier = to_tier.tier
        and final.effective_date = to_tier.date_day
    left join tier_rules_daily as next_tier
        on to_tier.tier_rank + 1 = next_tier.tier_rank
        and final.effective_date = next_tier.date_day
    left join downgrade_warnings
        on final.change_type = 'downgrade'
        and final.account_id = downgrade_warnings.account_id
        and final.effective_date = downgrade_warnings.resolved_on
        and downgrade_warnings.outcome = 'downgraded'
)

select * from reasoned
