{#-
    Every raw landing row that could not be used, with the first check it failed. Together
    with the staged models it accounts for every raw row (see audit_landing_row_counts).
-#}

with

{% for landing_source in landing_sources() %}
{{ landing_source.name }} as (
    select
        '{{ landing_source.name }}' as source_name,
        concat_ws('|', {% for part in landing_source.record_key %}coalesce(cast({{ part }} as string), '<null>'){% if not loop.last %}, {% endif %}{% endfor %}) as record_key,
        quarantine_reason,
        source_file,
        file_row_number
    from {{ ref(landing_source.base) }}
    where quarantine_reason is not null
),

{% endfor %}
unioned as (
    {% for landing_source in landing_sources() %}
    select * from {{ landing_source.name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
