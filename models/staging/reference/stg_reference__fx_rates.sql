with

base as (
    select * from {{ ref('base_reference__fx_rates') }}
),

final as (
    select
        currency,
        rate_date,
        usd_per_unit
    from base
    where quarantine_reason is null
)

select * from final
