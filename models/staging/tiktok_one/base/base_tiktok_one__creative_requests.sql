with

source as (
    select * from {{ landing_rows('tiktok_one', 'creative_requests') }}
),

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

typed as (
    select
        cast(request_id as string) as request_id,
        cast(account_id as string) as account_id,
        cast(project_id as string) as project_id,
        cast(requested_at as timestamp) as requested_at,
        {{ checked_cast('creatives_requested', 'integer') }} as creatives_requested,
        {{ out_of_range_columns({'creatives_requested': 'integer'}) }} as out_of_range_columns,
        filename as source_file,
        file_row_number
    from source
),

row_checked as (
    select
        typed.*,
        case
            when {{ any_null(['request_id', 'typed.account_id', 'requested_at']) }} then 'null_key'
            when out_of_range_columns != '' then 'value_out_of_range'
            when creatives_requested is null or creatives_requested < 0 then 'invalid_creatives_requested'
            when accounts.account_id is null then 'unknown_account'
        end as row_quarantine_reason
    from typed
    left join accounts
        on typed.account_id = accounts.account_id
),

checked as (
    select
        *,
        {{ quarantine_reason(
            'row_quarantine_reason',
            ['request_id'],
            ['account_id', 'project_id', 'requested_at', 'creatives_requested']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
