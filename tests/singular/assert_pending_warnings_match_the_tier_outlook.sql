{{ config(meta={'dagster': {'ref': {'name': 'fct_tier_outlook'}}}) }}
{#-
    For every account with a pending downgrade warning, the tier outlook (RULES.md section 13)
    agrees with it: with no more spend the downgrade lands on the warning's
    scheduled_downgrade_date, which is also the last day to keep the tier (reaching the minimum
    on that day still recovers, section 4), and the tier it lands on is never below the
    warning's projected_tier (higher when the account has qualified higher since the warning).
    A rule that takes effect after the as-of date and by the scheduled day (RULES.md section
    14) may move the downgrade later (a lowered minimum that the spend left still reaches), to
    a day whose window no longer holds the days of the projected tier.
    Returns the disagreeing warnings, and pending warnings with no outlook row.
-#}
with

downgrade_warnings as (
    select * from {{ ref('fct_downgrade_warnings') }}
),

tier_outlook as (
    select * from {{ ref('fct_tier_outlook') }}
),

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

tier_codes as (
    select distinct
        tier,
        tier_rank
    from tier_thresholds
),

-- The first day after the as-of date on which a rule changes (null: none scheduled).
next_rule_change as (
    select min(effective_from) as effective_from
    from tier_thresholds
    where effective_from > {{ as_of_date() }}
),

pending as (
    select
        downgrade_warnings.account_id,
        downgrade_warnings.warning_date,
        downgrade_warnings.scheduled_downgrade_date,
        downgrade_warnings.projected_tier,
        tier_outlook.account_id as outlook_account_id,
        tier_outlook.keep_tier_by,
        tier_outlook.downgrade_date_without_spend,
        tier_outlook.tier_after_downgrade_without_spend,
        projected.tier_rank as projected_tier_rank,
        after_downgrade.tier_rank as tier_rank_after_downgrade,
        coalesce(
            next_rule_change.effective_from <= downgrade_warnings.scheduled_downgrade_date, false
        ) as has_rule_change_by_then
    from downgrade_warnings
    left join tier_outlook
        on downgrade_warnings.account_id = tier_outlook.account_id
    left join tier_codes as projected
        on downgrade_warnings.projected_tier = projected.tier
    left join tier_codes as after_downgrade
        on tier_outlook.tier_after_downgrade_without_spend = after_downgrade.tier
    cross join next_rule_change
    where downgrade_warnings.outcome = 'pending'
)

select *
from pending
where outlook_account_id is null
    or keep_tier_by is distinct from scheduled_downgrade_date
    or (
        downgrade_date_without_spend is distinct from scheduled_downgrade_date
        and not (has_rule_change_by_then and downgrade_date_without_spend > scheduled_downgrade_date)
    )
    or tier_rank_after_downgrade is null
    or projected_tier_rank is null
    or (tier_rank_after_downgrade < projected_tier_rank and not has_rule_change_by_then)
