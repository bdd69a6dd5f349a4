with

source as (
    select * from {{ landing_rows('ads_manager', 'accounts') }}
),

typed as (
    select
        cast(account_id as string) as account_id,
        cast(account_name as string) as account_name,
        upper(trim(cast(country_code as string))) as country_code,
        cast(ads_manager_created_on as date) as ads_manager_created_on,
        cast(tiktok_one_joined_on as date) as tiktok_one_joined_on,
        cast(is_first_time_advertiser as boolean) as is_first_time_advertiser,
        cast(business_profile_completed_on as date) as business_profile_completed_on,
        cast(is_managed as boolean) as is_managed,
        cast(agency_id as string) as agency_id,
        filename as source_file,
        file_row_number
    from source
),

row_checked as (
    select
        *,
        case
            when account_id is null then 'null_key'
        end as row_quarantine_reason
    from typed
),

checked as (
    select
        *,
        {{ quarantine_reason(
            'row_quarantine_reason',
            ['account_id'],
            ['account_name', 'country_code', 'ads_manager_created_on', 'tiktok_one_joined_on',
             'is_first_time_advertiser', 'business_profile_completed_on', 'is_managed', 'agency_id']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
