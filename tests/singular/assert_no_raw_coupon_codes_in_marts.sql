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
{%- set read_schemas = "('marts', 'audit')" -%}
{%- set text_columns = [] -%}
{%- if execute -%}
    {%- set text_columns_query -%}
        select table_catalog, table_schema, table_name, column_name
        from information_schema.columns
        where table_catalog = current_database()
            and table_schema in {{ read_schemas }}
            and data_type = 'VARCHAR'
        order by table_schema, table_name, column_name
    {%- endset -%}
    {%- set text_columns = run_query(text_columns_query).rows -%}
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

leaks as (
    {%- for column in text_columns %}
    {%- set relation = api.Relation.create(database=column[0], schema=column[1], identifier=column[2]) %}
    select
        '{{ column[1] }}.{{ column[2] }}' as table_name,
        '{{ column[3] }}' as column_name,
        count(*) as rows_with_a_code
    from {{ relation }} as mart
    inner join secrets
        on mart.{{ adapter.quote(column[3]) }} = secrets.coupon_code
    having count(*) > 0
    union all
    {%- endfor %}
    select null as table_name, null as column_name, 0 as rows_with_a_code
    where false
)

select * from leaks
