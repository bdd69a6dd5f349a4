{#-
    A row on a creator's first stat day (initial) and on every stat day whose eligibility
    differs from the creator's previous stat day (became_eligible, lost_eligibility). Days
    without stats have no eligibility, so a gap is bridged: the change is dated on the first
    stat day that shows it, and previous_stat_date says what it was compared with.

    Incremental by day: a run recomputes the changes on the stat days of the window
    (recompute_window.sql), comparing the first of them with the creator's last stat day
    before the window.
-#}
-- depends_on: {{ ref('int_as_of_date') }}
{{ day_window_config() }}

with

eligibility_daily as {{ not_materialized() }} (
    select * from {{ ref('fct_creator_next_eligibility_daily') }}
),

compared_days as (
    select *
    from eligibility_daily
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    union all
    select *
    from eligibility_daily
    semi join (
        select
            creator_id,
            max(date_day) as last_day_before
        from eligibility_daily
        where date_day < {{ recompute_from() }}
        group by creator_id
    ) as last_days_before
        on eligibility_daily.creator_id = last_days_before.creator_id
        and eligibility_daily.date_day = last_days_before.last_day_before
    {% endif %}
),

sequenced as (
    select
        *,
        lag(date_day) over by_day as previous_stat_date,
        lag(is_eligible) over by_day as was_eligible,
        lag(failed_rules) over by_day as previous_failed_rules
    from compared_days
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
    where (previous_stat_date is null or is_eligible != was_eligible)
        {% if is_incremental() %}
        and date_day >= {{ recompute_from() }}
        {% endif %}
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
