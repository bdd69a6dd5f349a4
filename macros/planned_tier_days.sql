{#-
    Which tier days this build recomputes, per TikTok One account: one or two ranges of days
    [recompute_from, recompute_to] (RULES.md section 3 rows start at J). A tier row for day D
    depends on spend over [D-59, D]: q(d) sums [d-29, d], t(D) takes the best q over
    [D-29, D], and the row also carries t(D-1). So a changed spend day c changes rows
    [c, c+59] and no others.

    A full build (first run, --full-refresh, changed thresholds) plans [J, as-of] for every
    member. Otherwise, against what `model_name` (fct_account_tier_daily, or a model that
    reads it and saves account_tier_daily_inputs() too) was last built from:
    - an account that joined, left, or whose join date changed is replanned whole
      (`replaces_all_days`: its old rows are deleted first);
    - every other member gets the new days since the last as-of date, and [c, c+59] around
      the spend days int_account_spend_daily recomputed since (restatements, late rows, FX).
    The two ranges of an account merge when less than 31 days apart, so that the 30 days
    before a range, whose stored q it reads, are never recomputed in the same build.
-#}
{% macro planned_tier_days(model_name, model_schema) -%}
{%- set inputs = account_tier_daily_inputs() -%}
{%- set applied = {} -%}
{%- set plan_all = true -%}
{%- if execute and not flags.FULL_REFRESH and model.resource_type != 'unit_test' -%}
    {%- for name in inputs -%}
        {%- do applied.update({name: applied_input(name, model_name)}) -%}
    {%- endfor -%}
    {%- set built = adapter.get_relation(database=this.database, schema=model_schema, identifier=model_name) -%}
    {%- if built is not none and applied.values() | select('none') | list | length == 0 -%}
        {%- set changed_thresholds = run_query('select count(*) from (' ~ changed_rows(inputs['thresholds'], applied['thresholds']) ~ ')').columns[0].values()[0] -%}
        {%- set plan_all = changed_thresholds > 0 -%}
    {%- endif -%}
{%- endif -%}
{%- set planned_sql -%}

with

members as (
    {{ inputs['members'] }}
),

{% if plan_all %}
planned as (
    select
        account_id,
        joined_on,
        joined_on as recompute_from,
        {{ as_of_date() }} as recompute_to,
        true as replaces_all_days,
    from members
),
{% else %}
last_build as (
    select * from {{ applied['build'] }}
),

members_changed as (
    select distinct account_id from ({{ changed_rows(inputs['members'], applied['members']) }})
),

spend_days_changed as (
    select
        spend_daily.account_id,
        min(spend_daily.date_day) as first_changed_on,
        max(spend_daily.date_day) as last_changed_on,
    from {{ ref('int_account_spend_daily') }} as spend_daily
    where spend_daily.refreshed_at > (select spend_refreshed_through from last_build)
    group by spend_daily.account_id
),

ranges as (
    -- Whole history: new, changed or departed members (departed ones plan no days).
    select
        members_changed.account_id,
        members.joined_on,
        members.joined_on as recompute_from,
        case when members.account_id is not null then {{ as_of_date() }} end as recompute_to,
        true as replaces_all_days,
    from members_changed
    left join members
        on members_changed.account_id = members.account_id
    union all
    -- Days after the last as-of date.
    select
        members.account_id,
        members.joined_on,
        greatest({{ add_days('(select as_of_date from last_build)', 1) }}, members.joined_on),
        {{ as_of_date() }},
        false,
    from members
    anti join members_changed
        on members.account_id = members_changed.account_id
    where {{ as_of_date() }} > (select as_of_date from last_build)
    union all
    -- The days that depend on recomputed spend days, up to the last as-of date.
    select
        members.account_id,
        members.joined_on,
        greatest(spend_days_changed.first_changed_on, members.joined_on),
        least(
            {{ add_days('spend_days_changed.last_changed_on', 59) }},
            (select as_of_date from last_build),
            {{ as_of_date() }}
        ),
        false,
    from members
    inner join spend_days_changed
        on members.account_id = spend_days_changed.account_id
    anti join members_changed
        on members.account_id = members_changed.account_id
),

-- Ranges of one account less than 31 days apart become one: a range reads the stored q of
-- the 30 days before it (int_account_days_spined), which must not be recomputed as well.
ordered as (
    select
        *,
        max(recompute_to) over earlier_ranges as previous_recompute_to,
    from ranges
    where recompute_to is null or recompute_from <= recompute_to
    window earlier_ranges as (
        partition by account_id
        order by recompute_from
        rows between unbounded preceding and 1 preceding
    )
),

grouped as (
    select
        *,
        sum(case when previous_recompute_to >= {{ add_days('recompute_from', -31) }} then 0 else 1 end)
            over (partition by account_id order by recompute_from rows unbounded preceding) as range_number,
    from ordered
),

planned as (
    select
        account_id,
        any_value(joined_on) as joined_on,
        min(recompute_from) as recompute_from,
        max(recompute_to) as recompute_to,
        bool_or(replaces_all_days) as replaces_all_days,
    from grouped
    group by account_id, range_number
),
{% endif %}

final as (
    select * from planned
)

select * from final
{%- endset -%}
{{ return({'sql': planned_sql, 'plans_all': plan_all}) }}
{%- endmacro %}
