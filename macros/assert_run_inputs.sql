{#-
    The checks a run makes on its inputs before it builds anything, besides the landing
    contract (assert_landing_contract): every file in a source folder is a Parquet file the
    sources read, and the as-of date asked for is a date on which spend was reported. Called
    once from `on-run-start`, after the contract check, so that the files they read are known
    to be readable Parquet with the contract's columns.
-#}
{% macro assert_run_inputs() %}
    {%- if not execute or flags.WHICH not in ('run', 'build') -%}
        {{ return('') }}
    {%- endif -%}
    {%- do assert_landing_files_are_parquet() -%}
    {%- do assert_as_of_date_has_spend() -%}
    {{ return('') }}
{% endmacro %}
