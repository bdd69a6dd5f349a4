{#-
    Per offered account: its offer and eligibility with the eligible spend counted toward its
    spend-match threshold and the day it crossed it (RULES.md section 6), from
    int_spend_match_spend_to_date. The threshold counts at the end of the crossing day, so
    threshold_crossed_at is the next day 00:00 UTC. An account without eligible spend has
    spent 0.
-#}
with

offered as (
    select * from {{ ref('int_spend_match_accounts_offered') }}
),

spend_to_date as (
    select * from {{ ref('int_spend_match_spend_to_date') }}
),

per_account as (
    select
        account_id,
        max(eligible_spend_to_date_usd) as eligible_spend_counted_usd,
        max(case when crosses_threshold then date_day end) as threshold_crossed_on
    from spend_to_date
    group by account_id
),

final as (
    select
        offered.*,
        coalesce(per_account.eligible_spend_counted_usd, 0) as eligible_spend_counted_usd,
        per_account.threshold_crossed_on,
        {{ end_of_day('per_account.threshold_crossed_on') }} as threshold_crossed_at
    from offered
    left join per_account
        on offered.account_id = per_account.account_id
)

select * from final
