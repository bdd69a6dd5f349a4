{#-
    Stops a run before any model is built when the landing zone breaks its contract
    (RULES.md section 1): a source folder with no Parquet file, a file that is empty or
    truncated, or a file that lacks a column or carries it with an incompatible type. The
    contract is the `data_type` of each column in the `_<source>__sources.yml` files, so it
    is written down once.

    Types are compared by family, so that harmless physical differences pass (an int64 where
    the contract says integer, a timestamp in nanoseconds or with a time zone, decimal(12,2)
    for decimal(18,2)); staging casts every column to the contract type.

    Every file is checked on every run (a daily run reads each file's footer, not its rows):
    nothing is remembered between runs.
-#}
{% macro landing_dir() -%}
    {{ return(env_var('LANDING_DIR', 'data/landing')) }}
{%- endmacro %}


{% macro contract_type_family(contract_type) -%}
    {%- set contract_type = contract_type | lower -%}
    {%- if contract_type.startswith('decimal') -%}{{ return('decimal') }}
    {%- elif contract_type in ('integer', 'bigint', 'int') -%}{{ return('integer') }}
    {%- else -%}{{ return(contract_type) }}
    {%- endif -%}
{%- endmacro %}


{% macro type_fits_contract(actual_type, contract_type) -%}
    {%- set actual = actual_type | upper -%}
    {%- set family = contract_type_family(contract_type) -%}
    {%- set integers = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT'] -%}
    {%- if family == 'varchar' -%}{{ return(actual == 'VARCHAR') }}
    {%- elif family == 'date' -%}{{ return(actual == 'DATE') }}
    {%- elif family == 'timestamp' -%}{{ return(actual.startswith('TIMESTAMP')) }}
    {%- elif family == 'boolean' -%}{{ return(actual == 'BOOLEAN') }}
    {%- elif family == 'integer' -%}{{ return(actual in integers) }}
    {%- elif family == 'decimal' -%}{{ return(actual.startswith('DECIMAL') or actual in integers) }}
    {%- elif family == 'double' -%}{{ return(actual in ['DOUBLE', 'FLOAT'] or actual.startswith('DECIMAL') or actual in integers) }}
    {%- else -%}{{ return(false) }}
    {%- endif -%}
{%- endmacro %}


{% macro assert_landing_contract() %}
    {%- if not execute or flags.WHICH not in ('run', 'build') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set landing = landing_dir() -%}
    {%- for source_node in graph.sources.values() | sort(attribute='name') -%}
        {%- set folder = landing ~ '/' ~ source_node.name -%}
        {%- set files = run_query("select file from glob('" ~ folder ~ "/*.parquet') order by file").columns[0].values() -%}
        {%- if files | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "Landing source '" ~ source_node.name ~ "': no Parquet file in " ~ folder
                ~ " (set LANDING_DIR to a landing zone with one folder per source, see README)") }}
        {%- endif -%}
        {#- A file that is empty or cut short (no Parquet magic bytes at both ends) would stop
            `describe` with an error that names neither the source nor the problem plainly.
            One query per source. -#}
        {%- set unreadable -%}
            select
                filename,
                case
                    when size < 12 then 'is empty or too small to be a Parquet file (' || size || ' bytes)'
                    when content[1:4] != 'PAR1'::blob then 'is not a Parquet file (no magic bytes at the start)'
                    else 'is truncated or not a Parquet file (no magic bytes at the end, ' || size || ' bytes)'
                end as problem,
            from read_blob([{% for file in files %}'{{ file }}'{% if not loop.last %}, {% endif %}{% endfor %}])
            where size < 12 or content[1:4] != 'PAR1'::blob or content[size - 3:size] != 'PAR1'::blob
            order by filename
        {%- endset -%}
        {%- for row in (run_query(unreadable).rows if files else []) -%}
            {{ exceptions.raise_compiler_error(
                "Landing source '" ~ source_node.name ~ "': file " ~ row[0] ~ " " ~ row[1]) }}
        {%- endfor -%}
        {%- for file in files -%}
            {%- set described = run_query("describe select * from read_parquet('" ~ file ~ "')") -%}
            {%- set actual = {} -%}
            {%- for row in described.rows -%}
                {%- do actual.update({row[0] | lower: row[1]}) -%}
            {%- endfor -%}
            {%- for column_name, column in source_node.columns.items() -%}
                {%- if column_name not in actual -%}
                    {{ exceptions.raise_compiler_error(
                        "Landing source '" ~ source_node.name ~ "': column '" ~ column_name
                        ~ "' (" ~ column.data_type ~ ") is missing from " ~ file) }}
                {%- elif not type_fits_contract(actual[column_name], column.data_type) -%}
                    {{ exceptions.raise_compiler_error(
                        "Landing source '" ~ source_node.name ~ "': column '" ~ column_name
                        ~ "' is " ~ actual[column_name] ~ " in " ~ file ~ ", the contract says "
                        ~ column.data_type) }}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
