with

warnings as (
    select * from {{ ref('int_downgrade_warnings_raised') }}
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

tier_days as (
    select * from {{ ref('fct_account_tier_daily') }}
),

final as (
    select
        warnings.account_id,
        warnings.warning_date,
        at_risk.tier as tier_at_risk,
        projected.tier as projected_tier,
        warnings.outcome,
        warnings.below_since,
        warnings.scheduled_downgrade_date,
        warnings.resolved_on
    from warnings
    inner join tier_codes as at_risk
        on warnings.tier_at_risk_rank = at_risk.tier_rank
    inner join tier_codes as projected
        on warnings.projected_tier_rank = projected.tier_rank
),

-- The reason a support agent can paste: the minimum in effect on the warning day (the seed's
-- rules, RULES.md section 14), the day counts from the warning's own dates, the spend from the
-- warning day.
reasoned as (
    select
        final.*,
        {{ spend_basis_label('tier_days.spend_basis') }} || ' has been below '
        || {{ tier_label('final.tier_at_risk') }} || '''s '
        || {{ format_usd('at_risk.min_rolling_30d_spend_usd') }} || ' since '
        || cast(final.below_since as string) || '; warned ' || cast(final.warning_date as string)
        || ', day ' || cast({{ days_between('final.below_since', 'final.warning_date') }} + 1 as string)
        || ' below (' || {{ format_usd('round(tier_days.qualifying_spend_usd, 2)') }} || ' that day): moves to '
        || {{ tier_label('final.projected_tier') }} || ' on '
        || cast(final.scheduled_downgrade_date as string) || ', day '
        || cast({{ days_between('final.below_since', 'final.scheduled_downgrade_date') }} + 1 as string)
        || ' below, unless the spend reaches '
        || {{ format_usd('at_risk.min_rolling_30d_spend_usd') }} || ' by then. '
        || case final.outcome
            when 'recovered' then 'Recovered on ' || cast(final.resolved_on as string)
                || ': kept ' || {{ tier_label('final.tier_at_risk') }} || '.'
            when 'downgraded' then 'Downgraded on ' || cast(final.resolved_on as string) || '.'
            else 'Pending: not recovered yet.'
        end as warning_reason
    from final
    inner join tier_rules_daily as at_risk
        on final.tier_at_risk = at_risk.tier
        and final.warning_date = at_risk.date_day
    left join tier_days
        on final.account_id = tier_days.account_id
        and final.warning_date = tier_days.date_day
)

select * from reasoned
