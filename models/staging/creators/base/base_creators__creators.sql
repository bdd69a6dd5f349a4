with

source as (
    select * from {{ source('creators', 'creators') }}
),

typed as (
    select
        cast(creator_id as varchar) as creator_id,
        cast(birth_date as date) as birth_date,
        upper(trim(cast(country_code as varchar))) as country_code,
        lower(trim(cast(account_type as varchar))) as account_type,
        filename as source_file,
        file_row_number,
    from source
),

checked as (
    select
        *,
        case
            when creator_id is null then 'null_key'
            else {{ duplicate_key_reason(['creator_id'], ['birth_date', 'country_code', 'account_type']) }}
        end as quarantine_reason,
    from typed
)

select * from checked
