{#-
    One row per stretch of days an account held one tier. valid_to is the last day of the
    period (inclusive, the day before the next change); null for the period still current
    at the as-of date.
-#}
with

tier_changes as (
    select * from {{ ref('fct_tier_changes') }}
),

final as (
    select
        account_id,
        to_tier as tier,
        effective_date as valid_from,
        {{ add_days('lead(effective_date) over by_change', -1) }} as valid_to,
        lead(effective_date) over by_change is null as is_current,
        change_type as entered_by
    from tier_changes
    window by_change as (partition by account_id order by effective_date)
)

select * from final
