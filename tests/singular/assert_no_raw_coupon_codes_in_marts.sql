{{ config(meta={'dagster': {'ref': {'name': 'fct_coupon_redemptions'}}}) }}
{#-
    Coupon codes are secrets (RULES.md section 7): no text column of any table in the marts
    or audit schema holds a coupon code, whether a known code or one typed in an attempt. The
    columns are looked up when the test runs, so a mart added later is checked too; the
    depends_on lines make the credit marts, which handle codes, be built before it runs.
-#}
-- depends_on: {{ ref('fct_coupon_redemptions') }}
-- depends_on: {{ ref('fct_credit_issuance') }}
-- depends_on: {{ ref('fct_spend_match_reconciliation') }}
-- depends_on: {{ ref('fct_credit_ledger') }}
-- depends_on: {{ ref('fct_account_credit_balance_daily') }}
-- depends_on: {{ ref('fct_credit_expiry_outlook') }}
-- depends_on: {{ ref('fct_credit_breakage_monthly') }}
-- depends_on: {{ ref('fct_credit_line_eligibility') }}
{%- set read_schemas = ('marts', 'audit') -%}
{#- The columns, through the adapter (DuckDB and Spark alike): [relation, column name]. -#}
{%- set text_columns = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type == 'model' and node.schema in read_schemas -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- if relation is not none -%}
            {%- for column in adapter.get_columns_in_relation(relation)
                if column.dtype | lower in ('varchar', 'string') -%}
                {%- do text_columns.append([relation, column.name]) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

coupon_codes as (
    select * from {{ ref('stg_billing__coupon_codes') }}
),

attempts as (
    select * from {{ ref('stg_billing__coupon_redemption_attempts') }}
),

secrets as (
    select coupon_code from coupon_codes
    union
    select coupon_code from attempts
    where coupon_code is not null
),

-- Every text value of the marts, then one join with the secrets (on Spark, a join per column
-- would plan the staged secrets once per column).
mart_values as (
    {%- for relation, column_name in text_columns %}
    select
        '{{ relation.schema }}.{{ relation.identifier }}' as table_name,
        '{{ column_name }}' as column_name,
        {{ adapter.quote(column_name) }} as text_value
    from {{ relation }}
    where {{ adapter.quote(column_name) }} is not null
    union all
    {%- endfor %}
    select null as table_name, null as column_name, null as text_value
    where false
),

leaks as (
    select
        mart_values.table_name,
        mart_values.column_name,
        count(*) as rows_with_a_code
    from mart_values
    inner join secrets
        on mart_values.text_value = secrets.coupon_code
    group by mart_values.table_name, mart_values.column_name
)

select * from leaks
