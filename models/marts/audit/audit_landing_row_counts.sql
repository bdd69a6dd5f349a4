{#-
    Where every raw row went, per source: raw = staged + superseded + quarantined. The raw
    rows are counted from the landing files (DuckDB reads the counts from the Parquet
    footers), the quarantined ones from quarantined_landing_rows, the staged ones from the
    staging model; for ad_spend from int_account_spend_daily, which counts them per
    account-day, so that the restatement window over every spend row is not run a second
    time. Superseded rows are ad_spend rows replaced by a later restatement of the same key;
    for every other source a data test holds them at 0.
-#}

with

{% for landing_source in landing_sources() %}
{{ landing_source.name }} as (
    select
        '{{ landing_source.name }}' as source_name,
        (select count(*) from {{ landing_rows(landing_source.source, landing_source.name) }}) as raw_rows,
        {% if landing_source.name == 'ad_spend' -%}
        (select cast(sum(staged_rows) as bigint) from {{ ref('int_account_spend_daily') }}) as staged_rows,
        {%- else -%}
        (select count(*) from {{ ref(landing_source.staged) }}) as staged_rows,
        {%- endif %}
        (
            select count(*) from {{ ref('quarantined_landing_rows') }}
            where source_name = '{{ landing_source.name }}'
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
