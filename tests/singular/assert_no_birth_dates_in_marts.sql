{{ config(meta={'dagster': {'ref': {'name': 'fct_creator_next_eligibility_daily'}}}) }}
{#-
    Birth dates never reach what BI reads (RULES.md section 11): no column of a table in the
    marts or audit schema is named like a birth date, and no date or timestamp column of a
    table that names a creator (has creator_id) holds that creator's birth date. The columns
    are looked up when the test runs, so a mart added later is checked too.
-#}
-- depends_on: {{ ref('fct_creator_next_eligibility_daily') }}
-- depends_on: {{ ref('fct_creator_next_eligibility_changes') }}
{%- set read_schemas = ('marts', 'audit') -%}
{#- The columns, through the adapter (DuckDB and Spark alike): [relation, column name]. -#}
{%- set birth_named_columns = [] -%}
{%- set date_columns = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type == 'model' and node.schema in read_schemas -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- if relation is not none -%}
            {%- set columns = adapter.get_columns_in_relation(relation) -%}
            {%- set names = columns | map(attribute='name') | map('lower') | list -%}
            {%- for column in columns -%}
                {%- set dtype = column.dtype | lower -%}
                {%- if 'birth' in column.name | lower -%}
                    {%- do birth_named_columns.append([relation, column.name]) -%}
                {%- endif -%}
                {%- if 'creator_id' in names and (dtype == 'date' or dtype.startswith('timestamp')) -%}
                    {%- do date_columns.append([relation, column.name]) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

creators as (
    select * from {{ ref('stg_creators__creators') }}
),

birth_named_columns as (
    {%- for relation, column_name in birth_named_columns %}
    select
        '{{ relation.schema }}.{{ relation.identifier }}' as table_name,
        '{{ column_name }}' as column_name,
        'column named like a birth date' as problem
    union all
    {%- endfor %}
    select null as table_name, null as column_name, null as problem
    where false
),

birth_date_values as (
    {%- for relation, column_name in date_columns %}
    select distinct
        '{{ relation.schema }}.{{ relation.identifier }}' as table_name,
        '{{ column_name }}' as column_name,
        'holds the birth date of creator ' || creators.creator_id as problem
    from {{ relation }} as mart
    inner join creators
        on mart.creator_id = creators.creator_id
        and cast(mart.{{ adapter.quote(column_name) }} as date) = creators.birth_date
    union all
    {%- endfor %}
    select null as table_name, null as column_name, null as problem
    where false
),

final as (
    select * from birth_named_columns
    union all
    select * from birth_date_values
)

select * from final
