with

source as (
    select * from {{ landing_rows('reference', 'fx_rates') }}
),

typed as (
    select
        upper(trim(cast(currency as string))) as currency,
        cast(rate_date as date) as rate_date,
        cast(usd_per_unit as double) as usd_per_unit,
        filename as source_file,
        file_row_number
    from source
),

row_checked as (
    select
        *,
        case
            when {{ any_null(['currency', 'rate_date']) }} then 'null_key'
            when usd_per_unit is null or usd_per_unit <= 0 or isnan(usd_per_unit)
                or abs(usd_per_unit) = cast('Infinity' as double)
                then 'invalid_rate'
        end as row_quarantine_reason
    from typed
),

checked as (
    select
        *,
        {{ quarantine_reason(
            'row_quarantine_reason',
            ['currency', 'rate_date'], ['usd_per_unit']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
