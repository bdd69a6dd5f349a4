{{ config(meta={'dagster': {'ref': {'name': 'fct_creator_next_eligibility_daily'}}}) }}
{#-
    Birth dates never reach what BI reads (RULES.md section 11): no column of a table in the
    marts or audit schema is named like a birth date, and no date or timestamp column of a
    table that names a creator (has creator_id) holds that creator's birth date. The columns
    are looked up when the test runs, so a mart added later is checked too.
-#}
-- depends_on: {{ ref('fct_creator_next_eligibility_daily') }}
-- depends_on: {{ ref('fct_creator_next_eligibility_changes') }}
{%- set read_schemas = "('marts', 'audit')" -%}
{%- set date_columns = [] -%}
{%- if execute -%}
    {%- set date_columns_query -%}
        select dated.table_catalog, dated.table_schema, dated.table_name, dated.column_name
        from information_schema.columns as dated
        inner join information_schema.columns as keyed
            on dated.table_catalog = keyed.table_catalog
            and dated.table_schema = keyed.table_schema
            and dated.table_name = keyed.table_name
            and keyed.column_name = 'creator_id'
        where dated.table_catalog = current_database()
            and dated.table_schema in {{ read_schemas }}
            and (dated.data_type = 'DATE' or dated.data_type like 'TIMESTAMP%')
        order by dated.table_schema, dated.table_name, dated.column_name
    {%- endset -%}
    {%- set date_columns = run_query(date_columns_query).rows -%}
{%- endif %}

with

creators as (
    select * from {{ ref('stg_creators__creators') }}
),

birth_named_columns as (
    select
        table_schema || '.' || table_name as table_name,
        column_name,
        'column named like a birth date' as problem
    from information_schema.columns
    where table_catalog = current_database()
        and table_schema in {{ read_schemas }}
        and lower(column_name) like '%birth%'
),

birth_date_values as (
    {%- for column in date_columns %}
    {%- set relation = api.Relation.create(database=column[0], schema=column[1], identifier=column[2]) %}
    select distinct
        '{{ column[1] }}.{{ column[2] }}' as table_name,
        '{{ column[3] }}' as column_name,
        'holds the birth date of creator ' || creators.creator_id as problem
    from {{ relation }} as mart
    inner join creators
        on mart.creator_id = creators.creator_id
        and cast(mart.{{ adapter.quote(column[3]) }} as date) = creators.birth_date
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
