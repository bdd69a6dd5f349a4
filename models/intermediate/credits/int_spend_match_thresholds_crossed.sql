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

ad_spend as (
    select * from {{ ref('stg_ads_manager__ad_spend') }}
),

eligible_campaign_types as (
    select * from {{ ref('spend_match_eligible_campaign_types') }}
),

eligible_spend_daily as (
    select
        ad_spend.account_id,
        ad_spend.spend_date,
        sum(ad_spend.spend_usd) as eligible_spend_usd,
    from ad_spend
    inner join offered
        on ad_spend.account_id = offered.account_id
    inner join eligible_campaign_types
        on ad_spend.campaign_type = eligible_campaign_types.campaign_type
    where ad_spend.spend_date >= offered.ads_manager_created_on
        and ad_spend.spend_date <= {{ as_of_date() }}
    group by ad_spend.account_id, ad_spend.spend_date
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
