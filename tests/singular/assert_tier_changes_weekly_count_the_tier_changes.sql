{{ config(meta={'dagster': {'ref': {'name': 'fct_tier_changes_weekly'}}}) }}
{#-
    fct_tier_changes_weekly is fct_tier_changes counted: for every Monday-first week, kind of
    change and pair of tiers, its changes equal the rows of fct_tier_changes whose
    effective_date falls in that week [week_start, week_start + 6], and every week_start is a
    Monday. Returns the weeks and kinds where they differ, and the ones missing on either side.
-#}
with

tier_changes as (
    select * from {{ ref('fct_tier_changes') }}
),

changes_weekly as (
    select * from {{ ref('fct_tier_changes_weekly') }}
),

counted as (
    select
        changes_weekly.week_start,
        changes_weekly.change_type,
        changes_weekly.from_tier,
        changes_weekly.to_tier,
        count(tier_changes.account_id) as expected_changes
    from changes_weekly
    left join tier_changes
        on tier_changes.effective_date between changes_weekly.week_start
            and {{ add_days('changes_weekly.week_start', 6) }}
        and tier_changes.change_type = changes_weekly.change_type
        and coalesce(tier_changes.from_tier, '') = coalesce(changes_weekly.from_tier, '')
        and tier_changes.to_tier = changes_weekly.to_tier
    group by
        changes_weekly.week_start,
        changes_weekly.change_type,
        changes_weekly.from_tier,
        changes_weekly.to_tier
),

compared as (
    select
        changes_weekly.week_start,
        changes_weekly.change_type,
        changes_weekly.from_tier,
        changes_weekly.to_tier,
        changes_weekly.changes,
        counted.expected_changes,
        {{ iso_week_start('changes_weekly.week_start') }} as monday
    from changes_weekly
    inner join counted
        on changes_weekly.week_start = counted.week_start
        and changes_weekly.change_type = counted.change_type
        and coalesce(changes_weekly.from_tier, '') = coalesce(counted.from_tier, '')
        and changes_weekly.to_tier = counted.to_tier
),

-- Every change is counted in some week: the weekly totals add up to the changes.
totals as (
    select
        (select count(*) from tier_changes) as tier_changes,
        (select sum(changes) from changes_weekly) as counted_changes
)

select
    cast(week_start as string) as week_start,
    change_type,
    changes,
    expected_changes
from compared
where changes != expected_changes
    or week_start != monday
union all
select
    'all weeks' as week_start,
    'all' as change_type,
    counted_changes as changes,
    tier_changes as expected_changes
from totals
where counted_changes is distinct from tier_changes
