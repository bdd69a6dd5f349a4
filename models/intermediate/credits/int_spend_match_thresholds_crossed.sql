{#-
    Per offered account: its offer and eligibility with its eligible spend to date and the
    day it crossed its spend-match threshold (RULES.md section 6), both kept up by
    int_spend_match_spend_to_date. An account without eligible spend has spent 0.
-#}
with

offered as (
    select * from {{ ref('int_spend_match_accounts_offered') }}
),

spend_to_date as (
    select * from {{ ref('int_spend_match_spend_to_date') }}
),

final as (
    select
        offered.*,
        coalesce(spend_to_date.eligible_spend_to_date_usd, 0) as eligible_spend_to_date_usd,
        spend_to_date.threshold_crossed_on,
        spend_to_date.threshold_crossed_at
    from offered
    left join spend_to_date
        on offered.account_id = spend_to_date.account_id
)

select * from final
