{#- birth_date is personal data: it stops at the intermediate layer, which turns it into an age. -#}
with

base as (
    select * from {{ ref('base_creators__creators') }}
),

final as (
    select
        creator_id,
        country_code,
        account_type,
        birth_date
    from base
    where quarantine_reason is null
)

select * from final
