{#-
    Where every raw row went, per source: raw = staged + superseded + quarantined. The raw
    rows are counted from the landing files (DuckDB reads the counts from the Parquet
    footers), the staged rows from the staging model, the quarantined ones from the base
    model. Superseded rows are ad_spend rows replaced by a later restatement of the same key;
    for every other source a data test holds them at 0.
-#}

with

{% for landing_source in landing_sources() %}
{{ landing_source.name }} as (
    select
        '{{ landing_source.name }}' as source_name,
        (select count(*) from {{ source(landing_source.source, landing_source.name) }}) as raw_rows,
        (select count(*) from {{ ref(landing_source.staged) }}) as staged_rows,
        (
            select count(*) from {{ ref(landing_source.base) }}
            where quarantine_reason is not null
        ) as quarantined_rows
),

{% endfor %}
unioned as (
    {% for landing_source in landing_sources() %}
    select * from {{ landing_source.name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        source_name,
        raw_rows,
        staged_rows,
        raw_rows - staged_rows - quarantined_rows as superseded_rows,
        quarantined_rows
    from unioned
)

select * from final
