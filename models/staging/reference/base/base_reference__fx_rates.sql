with

source as (
    select * from {{ source('reference', 'fx_rates') }}
),

typed as (
    select
        upper(trim(cast(currency as varchar))) as currency,
        cast(rate_date as date) as rate_date,
        cast(usd_per_unit as double) as usd_per_unit,
        filename as source_file,
        file_row_number,
    from source
),

checked as (
    select
        *,
        case
            when {{ any_null(['currency', 'rate_date']) }} then 'null_key'
            when usd_per_unit is null or usd_per_unit <= 0 or isnan(usd_per_unit) or isinf(usd_per_unit)
                then 'invalid_rate'
            else {{ duplicate_key_reason(['currency', 'rate_date'], ['usd_per_unit']) }}
        end as quarantine_reason,
    from typed
)

select * from checked
