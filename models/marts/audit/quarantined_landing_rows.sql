{#-
    Every raw landing row that could not be used, with the first check it failed. Together
    with the staged models it accounts for every raw row (see audit_landing_row_counts).

    Incremental by day for the large daily sources (ad_spend, creator_daily_stats: `row_day`
    in the sources YAML, the day each row is about, which their duplicate checks and rates are
    decided within): a run recomputes their rows of the window's days. The rows of every other
    source, and rows whose day is missing, have no `row_date` and are recomputed on every run.
-#}
-- depends_on: {{ ref('int_as_of_date') }}
{{ day_window_config('row_date') }}

with

{% for landing_source in landing_sources() %}
{{ landing_source.name }} as (
    select
        '{{ landing_source.name }}' as source_name,
        concat_ws('|', {% for part in landing_source.record_key %}coalesce(cast({{ part }} as string), '<null>'){% if not loop.last %}, {% endif %}{% endfor %}) as record_key,
        quarantine_reason,
        source_file,
        file_row_number,
        {% if landing_source.row_day -%}
        {{ landing_source.row_day }}
        {%- else -%}
        cast(null as date)
        {%- endif %} as row_date
    from {{ ref(landing_source.base) }}
    where quarantine_reason is not null
        {% if is_incremental() and landing_source.row_day -%}
        and {{ in_recomputed_days(landing_source.row_day) }}
        {%- endif %}
),

{% endfor %}
unioned as (
    {% for landing_source in landing_sources() %}
    select * from {{ landing_source.name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
