with

warnings as (
    select * from {{ ref('int_downgrade_warnings_raised') }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
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
        warnings.resolved_on,
    from warnings
    inner join tier_thresholds as at_risk
        on warnings.tier_at_risk_rank = at_risk.tier_rank
    inner join tier_thresholds as projected
        on warnings.projected_tier_rank = projected.tier_rank
)

select * from final
