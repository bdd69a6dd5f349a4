with

source as (
    select * from {{ landing_rows('creators', 'creators') }}
),

typed as (
    select
        cast(creator_id as string) as creator_id,
        cast(birth_date as date) as birth_date,
        upper(trim(cast(country_code as string))) as country_code,
        lower(trim(cast(account_type as string))) as account_type,
        filename as source_file,
        file_row_number
    from source
),

row_checked as (
    select
        *,
        case
            when creator_id is null then 'null_key'
            -- Not born yet on the as-of date: a wrong date, not a creator aged below zero.
            when birth_date > {{ as_of_date() }} then 'birth_date_after_as_of_date'
        end as row_quarantine_reason
    from typed
),

checked as (
    select
        *,
        {{ quarantine_reason(
            'row_quarantine_reason',
            ['creator_id'], ['birth_date', 'country_code', 'account_type']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
