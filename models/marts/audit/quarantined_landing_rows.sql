{#-
    Every raw landing row that could not be used, with the first check it failed. Together
    with the staged models it accounts for every raw row (see audit_landing_row_counts).

    ad_spend's rows are recomputed on every run; the other sources' only when one of
    audited_landing_inputs() changed, as in audit_landing_row_counts.
-#}
{{ kept_whole_config('audited_landing_inputs', delete='delete_recomputed_sources') }}

{%- set other_sources_unchanged = inputs_kept(audited_landing_inputs) %}

with

{% for landing_source in landing_sources() %}
{{ landing_source.name }} as (
    select
        '{{ landing_source.name }}' as source_name,
        concat_ws('|', {% for part in landing_source.record_key %}coalesce(cast({{ part }} as varchar), '<null>'){% if not loop.last %}, {% endif %}{% endfor %}) as record_key,
        quarantine_reason,
        source_file,
        file_row_number,
    {% if landing_source.name == 'ad_spend' %}
    -- Rows without an account-day, and the rows of the account-days where
    -- int_account_spend_daily found quarantine: a daily run need not check every loaded row
    -- against accounts and rates again.
    from (
        select * from {{ ref(landing_source.base) }}
        where account_id is null or spend_date is null
        union all
        select {{ landing_source.base }}.*
        from {{ ref(landing_source.base) }} as {{ landing_source.base }}
        semi join {{ ref('int_account_spend_daily') }} as spend_daily
            on {{ landing_source.base }}.account_id = spend_daily.account_id
            and {{ landing_source.base }}.spend_date = spend_daily.date_day
            and spend_daily.quarantined_rows > 0
    )
    where quarantine_reason is not null
    {% else %}
    from {{ ref(landing_source.base) }}
    where quarantine_reason is not null
    {% endif %}
),
{% endfor %}

unioned as (
    {% for landing_source in landing_sources() if landing_source.name == 'ad_spend' or not other_sources_unchanged %}
    select * from {{ landing_source.name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
