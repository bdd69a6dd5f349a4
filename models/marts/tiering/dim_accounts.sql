{#- Every staged account, with its tier at the as-of date (null when not in TikTok One then). -#}
with

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

tier_daily as (
    select * from {{ ref('fct_account_tier_daily') }}
),

tier_periods as (
    select * from {{ ref('dim_account_tier_periods') }}
),

current_tier as (
    select
        tier_daily.account_id,
        tier_daily.tier,
        tier_daily.days_below_tier
    from tier_daily
    where tier_daily.date_day = {{ as_of_date() }}
),

current_period as (
    select
        account_id,
        valid_from as tier_since
    from tier_periods
    where is_current
),

final as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.country_code,
        accounts.agency_id,
        current_tier.tier,
        current_tier.days_below_tier,
        accounts.is_first_time_advertiser,
        accounts.is_managed,
        current_tier.account_id is not null as is_tiktok_one_member,
        accounts.ads_manager_created_on,
        accounts.tiktok_one_joined_on,
        accounts.business_profile_completed_on,
        current_period.tier_since
    from accounts
    left join current_tier
        on accounts.account_id = current_tier.account_id
    left join current_period
        on accounts.account_id = current_period.account_id
)

select * from final
