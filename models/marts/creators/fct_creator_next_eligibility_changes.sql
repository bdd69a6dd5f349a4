{#-
    A row on a creator's first stat day (initial) and on every stat day whose eligibility
    differs from the creator's previous stat day (became_eligible, lost_eligibility). Days
    without stats have no eligibility, so a gap is bridged: the change is dated on the first
    stat day that shows it, and previous_stat_date says what it was compared with.
-#}

with

eligibility_daily as (
    select * from {{ ref('fct_creator_next_eligibility_daily') }}
),

sequenced as (
    select
        *,
        lag(date_day) over by_day as previous_stat_date,
        lag(is_eligible) over by_day as was_eligible,
        lag(failed_rules) over by_day as previous_failed_rules
    from eligibility_daily
    window by_day as (partition by creator_id order by date_day)
),

changes as (
    select
        *,
        case
            when previous_stat_date is null then 'initial'
            when is_eligible then 'became_eligible'
            else 'lost_eligibility'
        end as change_type
    from sequenced
    where previous_stat_date is null
        or is_eligible != was_eligible
),

final as (
    select
        creator_id,
        date_day,
        change_type,
        -- The rules behind the change: those now failing when access is lost (or on the
        -- first day), those that were failing the stat day before when it is gained.
        case
            when change_type = 'became_eligible' then previous_failed_rules
            else failed_rules
        end as changed_rules,
        failed_rules,
        previous_failed_rules,
        age_years,
        follower_count,
        min_followers,
        views_30d,
        posts_30d,
        is_eligible,
        was_eligible,
        previous_stat_date
    from changes
)

select * from final
