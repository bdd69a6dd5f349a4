with

base as (
    select * from {{ ref('base_ads_manager__accounts') }}
),

final as (
    select
        account_id,
        account_name,
        country_code,
        agency_id,
        is_first_time_advertiser,
        is_managed,
        ads_manager_created_on,
        tiktok_one_joined_on,
        business_profile_completed_on
    from base
    where quarantine_reason is null
)

select * from final
