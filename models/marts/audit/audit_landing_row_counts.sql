{#-
    Where every raw row went, per source: raw = staged + superseded + quarantined.
    Superseded rows are ad_spend rows replaced by a later restatement of the same key.
-#}
with

{% for landing_source in landing_sources() %}
{{ landing_source.name }} as (
    select
        '{{ landing_source.name }}' as source_name,
        (select count(*) from {{ ref(landing_source.base) }}) as raw_rows,
        (select count(*) from {{ ref(landing_source.staged) }}) as staged_rows,
        (select count(*) from {{ ref(landing_source.base) }} where quarantine_reason is null)
            - (select count(*) from {{ ref(landing_source.staged) }}) as superseded_rows,
        (select count(*) from {{ ref(landing_source.base) }} where quarantine_reason is not null)
            as quarantined_rows,
),
{% endfor %}

unioned as (
    {% for landing_source in landing_sources() %}
    select * from {{ landing_source.name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
