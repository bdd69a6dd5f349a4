{#-
    When each offered account crossed its spend-match threshold (RULES.md section 6): the
    first day on which its eligible spend (USD, campaign types in the seed, from
    ads_manager_created_on on) adds up to spend_threshold_usd. The threshold counts at the end
    of that day, so threshold_crossed_at is the next day 00:00 UTC. Unrounded USD is compared
    with the threshold. Only days with spend are summed: a day without spend adds nothing.
-#}
with

offered as (
    select * from {{ ref('int_spend_match_accounts_offered') }}
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
),

eligible_spend_daily as (
    select
        spend_daily.account_id,
        spend_daily.date_day as spend_date,
        spend_daily.eligible_campaign_spend_usd as eligible_spend_usd,
    from spend_daily
    inner join offered
        on spend_daily.account_id = offered.account_id
    where spend_daily.eligible_campaign_spend_usd > 0
        and spend_daily.date_day >= offered.ads_manager_created_on
        and spend_daily.date_day <= {{ as_of_date() }}
),

cumulative as (
    select
        account_id,
        spend_date,
        sum(eligible_spend_usd) over (
            partition by account_id
            order by spend_date
            rows between unbounded preceding and current row
        ) as cumulative_eligible_spend_usd,
    from eligible_spend_daily
),

spend_to_date as (
    select
        account_id,
        sum(eligible_spend_usd) as eligible_spend_to_date_usd,
    from eligible_spend_daily
    group by account_id
),

first_crossing as (
    select
        cumulative.account_id,
        min(cumulative.spend_date) as threshold_crossed_on,
    from cumulative
    inner join offered
        on cumulative.account_id = offered.account_id
    where cumulative.cumulative_eligible_spend_usd >= offered.spend_threshold_usd
    group by cumulative.account_id
),

final as (
    select
        offered.*,
        coalesce(spend_to_date.eligible_spend_to_date_usd, 0) as eligible_spend_to_date_usd,
        first_crossing.threshold_crossed_on,
        {{ end_of_day('first_crossing.threshold_crossed_on') }} as threshold_crossed_at,
    from offered
    left join spend_to_date
        on offered.account_id = spend_to_date.account_id
    left join first_crossing
        on offered.account_id = first_crossing.account_id
)

select * from final
