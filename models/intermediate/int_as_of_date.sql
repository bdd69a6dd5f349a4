{#- One row: the day this build computes up to, and the end of that day (the as-of time). -#}
{%- set requested_as_of = var('as_of_date', none) -%}

with

-- The latest usable spend row: the same day as the latest staged one, without the
-- restatement window over every row that the staging view runs.
ad_spend as (
    select * from {{ ref('base_ads_manager__ad_spend') }}
    where quarantine_reason is null
),

resolved as (
    {% if requested_as_of %}
    select cast('{{ requested_as_of }}' as date) as as_of_date
    {% else %}
    select max(spend_date) as as_of_date from ad_spend
    {% endif %}
),

final as (
    select
        as_of_date,
        {{ end_of_day('as_of_date') }} as as_of_end_at
    from resolved
)

select * from final
