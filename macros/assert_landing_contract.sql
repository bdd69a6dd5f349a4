{#-
    Stops a run before any model is built when the landing zone breaks its contract
    (RULES.md section 1): a source folder with no Parquet file, a file that is empty or
    truncated, or a file that lacks a column or carries it with an incompatible type. The
    contract is the `data_type` of each column in the `_<source>__sources.yml` files, so it
    is written down once.

    Types are compared by family, so that harmless physical differences pass (an int64 where
    the contract says integer, a timestamp in nanoseconds or with a time zone, decimal(12,2)
    for decimal(18,2)); staging casts every column to the contract type.

    Files are immutable once checked: a passing run records every file it saw (name, size,
    modification time to the second, and a hash of its source's contract) in
    `intermediate.landing_files_checked`, and later runs check only the files added or
    replaced since, or all of a source's files when its contract changed, so a daily run
    reads its new files, not the history. (A file rewritten within the same second with the
    same size is not seen as replaced, here or by the models kept whole; landing files are
    written once, restatements arrive as new files.)
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
    {%- set checked = adapter.get_relation(database=target.database, schema='intermediate', identifier='landing_files_checked') -%}
    {%- if checked is not none -%}
        {#- A record written before the contract hash was kept is not trusted. -#}
        {%- set has_contract_hash = run_query(
            "select count(*) from information_schema.columns where table_schema = 'intermediate'"
            ~ " and table_name = 'landing_files_checked' and column_name = 'contract_hash'"
        ).columns[0].values()[0] -%}
        {%- if has_contract_hash == 0 -%}{%- set checked = none -%}{%- endif -%}
    {%- endif -%}
    {%- set seen = [] -%}
    {%- for source_node in graph.sources.values() | sort(attribute='name') -%}
        {%- set folder = landing ~ '/' ~ source_node.name -%}
        {#- A change to the source's contract checks its files again. -#}
        {%- set contract = [] -%}
        {%- for column_name, column in source_node.columns.items() | sort -%}
            {%- do contract.append(column_name ~ ':' ~ column.data_type) -%}
        {%- endfor -%}
        {%- set contract_hash = local_md5(contract | join(',')) -%}
        {%- set all_files = run_query("select file from glob('" ~ folder ~ "/*.parquet') order by file").columns[0].values() -%}
        {%- if all_files | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "Landing source '" ~ source_node.name ~ "': no Parquet file in " ~ folder
                ~ " (set LANDING_DIR to a landing zone with one folder per source, see README)") }}
        {%- endif -%}
        {%- set files_query -%}
            select
                filename,
                parse_filename(filename) as file_name,
                size,
                cast(last_modified as varchar) as last_modified,
                {% if checked is none -%}
                false
                {%- else -%}
                (parse_filename(filename), size, last_modified) in (
                    select file_name, size, last_modified from {{ checked }}
                    where source_name = '{{ source_node.name }}'
                        and contract_hash = '{{ contract_hash }}'
                )
                {%- endif %} as checked_before,
            from read_blob('{{ folder }}/*.parquet')
            order by filename
        {%- endset -%}
        {%- set files = [] -%}
        {%- for row in run_query(files_query).rows -%}
            {%- do seen.append([source_node.name, row[1], row[2], row[3], contract_hash]) -%}
            {%- if not row[4] -%}{%- do files.append(row[0]) -%}{%- endif -%}
        {%- endfor -%}
        {#- A file that is empty or cut short (no Parquet magic bytes at both ends) would stop
            `describe` with an error that names neither the source nor the problem plainly.
            One query per source; it reads each new file once. -#}
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
    {#- Recorded as they were seen when checked: a file that lands during the run is checked next time. -#}
    {%- do run_query('create schema if not exists intermediate') -%}
    {%- set record -%}
        create or replace table intermediate.landing_files_checked as
        select
            source_name,
            file_name,
            cast(size as bigint) as size,
            cast(last_modified as timestamp) as last_modified,
            contract_hash,
        from (values
            {%- for row in seen %}
            ('{{ row[0] }}', '{{ row[1] | replace("'", "''") }}', {{ row[2] }}, '{{ row[3] }}', '{{ row[4] }}'){% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as seen(source_name, file_name, size, last_modified, contract_hash)
    {%- endset -%}
    {%- do run_query(record) -%}
    {{ return('') }}
{% endmacro %}
