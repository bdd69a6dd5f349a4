{#-
    The checks a run makes on the landing zone before anything is built (on-run-start); each
    stops the run with a message naming the source, the file and the fix:
    - assert_landing_files_are_parquet: a file in a source folder no source would read;
    - assert_landing_contract (RULES.md section 1): a source folder with no Parquet file, an
      empty or truncated file, a missing column or an incompatible type, checked on every run
      in every file (its footer). The contract is the `data_type` of each column in the
      `_<source>__sources.yml` files, compared by family (int64 for integer, timestamps in ns
      or with a time zone, decimal(12,2) for decimal(18,2) pass; staging casts);
    - assert_as_of_date_has_spend: the as-of date must be a date on which spend was reported
      (a later day would read every account as spending nothing and downgrade members that
      only wait for their report), unless `allow_as_of_without_spend: true`. Rows dated after
      the day they were reported (plus a day's grace) do not count, as in staging.
-#}
{% macro assert_landing_inputs() %}
    {%- if not execute or flags.WHICH not in ('run', 'build') or not reads_landing(selected_resources) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set files = {} -%}
    {%- for folder in graph.sources.values() | map(attribute='name') | unique -%}
        {%- do files.update({folder: landing_files(landing_dir() ~ '/' ~ folder)}) -%}
    {%- endfor -%}
    {%- do assert_landing_files_are_parquet(files) -%}
    {%- do assert_landing_contract(files) -%}
    {%- do assert_as_of_date_has_spend() -%}
    {{ return('') }}
{% endmacro %}

{#- Whether the run builds a model that reads the landing zone, directly or through views (a
    run of the outbox alone reads only tables the build wrote). -#}
{% macro reads_landing(unique_ids) -%}
    {%- set pending = unique_ids | list -%}
    {%- set seen = [] -%}
    {%- for _ in range(graph.nodes | length) if pending -%}
        {%- set unique_id = pending.pop() -%}
        {%- if unique_id.startswith('source.') -%}{{ return(true) }}{%- endif -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node and unique_id not in seen and (unique_id in unique_ids or node.config.materialized in ('view', 'ephemeral')) -%}
            {%- do seen.append(unique_id) -%}
            {%- do pending.extend(node.depends_on.nodes) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}

{% macro landing_dir() -%}
    {{ return(env_var('LANDING_DIR', 'data/landing')) }}
{%- endmacro %}

{#- Whether a column's type in a file (as the engine names it) fits its contract type, by family. -#}
{% macro type_fits_contract(actual_type, contract_type) -%}
    {%- set actual, wanted = actual_type | upper, contract_type | lower -%}
    {%- set whole = actual in ['TINYINT', 'SMALLINT', 'INTEGER', 'INT', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT'] -%}
    {%- set fits = {'varchar': actual in ['VARCHAR', 'STRING'], 'date': actual == 'DATE', 'boolean': actual == 'BOOLEAN',
        'timestamp': actual.startswith('TIMESTAMP'), 'integer': whole, 'bigint': whole, 'int': whole,
        'decimal': whole or actual.startswith('DECIMAL'),
        'double': whole or actual.startswith('DECIMAL') or actual in ['DOUBLE', 'FLOAT']} -%}
    {{ return(fits.get(wanted.split('(')[0], false)) }}
{%- endmacro %}

{% macro assert_landing_contract(files_by_folder) %}
    {%- set landing = landing_dir() -%}
    {%- for source_node in graph.sources.values() | sort(attribute='name') -%}
        {%- set folder = landing ~ '/' ~ source_node.name -%}
        {%- set listed = files_by_folder[source_node.name] -%}
        {%- set files = listed | selectattr('is_parquet') | map(attribute='file') | list -%}
        {%- if files | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "Landing source '" ~ source_node.name ~ "': no Parquet file in " ~ folder
                ~ " (set LANDING_DIR to a landing zone with one folder per source, see README)") }}
        {%- endif -%}
        {#- A file that is empty or cut short (no Parquet magic bytes at both ends) would stop
            `describe` with an error that names neither the source nor the problem plainly. -#}
        {%- for listed_file in listed if listed_file.is_parquet and listed_file.problem -%}
            {{ exceptions.raise_compiler_error(
                "Landing source '" ~ source_node.name ~ "': file " ~ listed_file.file ~ " " ~ listed_file.problem
                ~ ". " ~ landing_file_fix()) }}
        {%- endfor -%}
        {%- for file in files -%}
            {%- set actual = {} -%}
            {%- for row in run_query(describe_landing_file(file)).rows -%}
                {%- do actual.update({row[0] | lower: row[1]}) -%}
            {%- endfor -%}
            {%- for column_name, column in source_node.columns.items() -%}
                {%- if column_name not in actual -%}
                    {{ exceptions.raise_compiler_error(
                        "Landing source '" ~ source_node.name ~ "': column '" ~ column_name
                        ~ "' (" ~ column.data_type ~ ") is missing from " ~ file ~ ". " ~ landing_file_fix()) }}
                {%- elif not type_fits_contract(actual[column_name], column.data_type) -%}
                    {{ exceptions.raise_compiler_error(
                        "Landing source '" ~ source_node.name ~ "': column '" ~ column_name
                        ~ "' is " ~ actual[column_name] ~ " in " ~ file ~ ", the contract says "
                        ~ column.data_type ~ ". " ~ landing_file_fix()) }}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{#- What fixes a file that breaks the contract, said with every such message. -#}
{% macro landing_file_fix() -%}
    {{ return("Replace or remove that file (the contract: models/staging/*/_*__sources.yml), then run again.") }}
{%- endmacro %}

{% macro assert_landing_files_are_parquet(files_by_folder) %}
    {%- set unread = [] -%}
    {%- for folder in files_by_folder | sort -%}
        {%- do unread.extend(files_by_folder[folder] | rejectattr('is_parquet') | map(attribute='file')) -%}
    {%- endfor -%}
    {%- if unread | length > 0 -%}
        {{ exceptions.raise_compiler_error("Landing file not read: " ~ unread | join(', ')
            ~ (" is" if unread | length == 1 else " are") ~ " not a Parquet file (*.parquet), so no source"
            ~ " would read it. Convert it to Parquet with the contract's columns, or move it out of the"
            ~ " landing zone, then run again.") }}
    {%- endif -%}
{% endmacro %}

{#-
    The files of a landing folder, in name order, each a dict: `file` (`<folder>/<name>`),
    `is_parquet` (named *.parquet) and `problem` (why it cannot be a Parquet file: empty, no
    magic bytes at either end; none when it can), from one query per folder.
-#}
{% macro landing_files(folder) -%}
    {%- set files = [] -%}
    {%- for row in run_query(adapter.dispatch('landing_files_query', 'tiktok_one_warehouse')(folder | replace("'", "''"))).rows -%}
        {%- do files.append({'file': folder ~ '/' ~ row[0], 'is_parquet': row[0].endswith('.parquet'), 'problem': row[1]}) -%}
    {%- endfor -%}
    {{ return(files | sort(attribute='file')) }}
{%- endmacro %}

{#- The query behind landing_files: name, problem (null when none). -#}
{% macro parquet_file_problem(size, head_is_magic, tail_is_magic) -%}
    case
        when {{ size }} < 12 then 'is empty or too small to be a Parquet file (' || {{ size }} || ' bytes)'
        when not {{ head_is_magic }} then 'is not a Parquet file (no magic bytes at the start)'
        when not {{ tail_is_magic }} then 'is truncated or not a Parquet file (no magic bytes at the end, ' || {{ size }} || ' bytes)'
    end
{%- endmacro %}
{% macro duckdb__landing_files_query(folder) -%}
    select
        parse_filename(filename),
        {{ parquet_file_problem('size', "content[1:4] = 'PAR1'::blob", "content[size - 3:size] = 'PAR1'::blob") }}
    from read_blob('{{ folder }}/*')
{%- endmacro %}
{% macro spark__landing_files_query(folder) -%}
    select
        regexp_extract(path, '[^/]+$', 0),
        {{ parquet_file_problem('length', "substring(content, 1, 4) = cast('PAR1' as binary)", "substring(content, length - 3, 4) = cast('PAR1' as binary)") }}
    from binaryFile.`{{ folder }}`
{%- endmacro %}

{#- A query listing a landing file's columns and their types (name, type). -#}
{% macro describe_landing_file(file) -%}
    {{ return(adapter.dispatch('describe_landing_file', 'tiktok_one_warehouse')(file | replace("'", "''"))) }}
{%- endmacro %}
{% macro duckdb__describe_landing_file(file) -%}
    describe select * from read_parquet('{{ file }}')
{%- endmacro %}
{% macro spark__describe_landing_file(file) -%}
    describe query select * from parquet.`{{ file }}`
{%- endmacro %}

{#- The rows of every Parquet file of a landing folder, columns matched by name. -#}
{% macro landing_folder_rows(folder) -%}
    {{ return(adapter.dispatch('landing_folder_rows', 'tiktok_one_warehouse')(folder | replace("'", "''"))) }}
{%- endmacro %}
{% macro duckdb__landing_folder_rows(folder) -%}
    read_parquet('{{ folder }}/*.parquet', union_by_name = true)
{%- endmacro %}
{% macro spark__landing_folder_rows(folder) -%}
    parquet.`{{ folder }}/*.parquet`
{%- endmacro %}

{% macro assert_as_of_date_has_spend() %}
    {%- set requested = run_var('as_of_date') -%}
    {%- set allow_without_spend = run_var('allow_as_of_without_spend', false) in (true, 'true', '1') -%}
    {%- set folder = landing_dir() ~ '/ad_spend' -%}
    {%- set as_of = none -%}
    {%- if requested is not none and requested | string | trim != '' -%}
        {%- set as_of = run_query("select try_cast('" ~ (requested | string | trim | replace("'", "''"))
            ~ "' as date)").columns[0].values()[0] -%}
        {%- if as_of is none -%}
            {{ exceptions.raise_compiler_error("as_of_date '" ~ requested
                ~ "' is not a date: give it as YYYY-MM-DD, e.g. --vars '{as_of_date: 2026-03-31}'.") }}
        {%- endif -%}
    {%- endif -%}
    {#- Spend reported on or after the as-of date? The bound lets DuckDB skip the row groups
        before it (Parquet statistics): a daily run reads the newest files, not the history. -#}
    {%- set latest_query = latest_spend_day(landing_folder_rows(folder)) -%}
    {%- set has_spend = run_query("select count(*) > 0 from (" ~ latest_query
        ~ (" and cast(spend_date as date) >= cast('" ~ as_of ~ "' as date)" if as_of is not none else "")
        ~ ") as reported where latest_spend_day is not null").columns[0].values()[0] -%}
    {%- if has_spend or (as_of is not none and allow_without_spend) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set latest = run_query(latest_query).columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ exceptions.raise_compiler_error("No spend in " ~ folder ~ ": the ad_spend files hold no row with a spend_date"
            ~ " (reported no later than a day after it), so there is no as-of date to build."
            ~ " Deliver the spend files, or give as_of_date with allow_as_of_without_spend: true"
            ~ " if no account spent at all.") }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("as_of_date " ~ as_of ~ " is after the latest spend_date in " ~ folder ~ " ("
        ~ latest ~ "): every account would read as spending nothing after " ~ latest
        ~ ". Build as of " ~ latest ~ " or earlier, or, if no account spent on the days"
        ~ " after it, add allow_as_of_without_spend: true to --vars.") }}
{% endmacro %}
