{#-
    Tier changes per ISO week (Monday first): how many accounts joined at each tier, moved up or
    moved down, from which tier to which, counted from fct_tier_changes. A table rebuilt with
    every build: it reads one row per change, a small fraction of the tier days.
-#}
with

tier_changes as (
    select * from {{ ref('fct_tier_changes') }}
),

final as (
    select
        {{ iso_week_start('effective_date') }} as week_start,
        change_type,
        from_tier,
        to_tier,
        cast(count(*) as integer) as changes
    from tier_changes
    group by {{ iso_week_start('effective_date') }}, change_type, from_tier, to_tier
)

select * from final
