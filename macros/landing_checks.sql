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
    {%- if not execute or flags.WHICH not in ('run', 'build') -%}
        {{ return('') }}
    {%- endif -%}
    {%- do assert_landing_files_are_parquet() -%}
    {%- do assert_landing_contract() -%}
    {%- do assert_as_of_date_has_spend() -%}
    {{ return('') }}
{% endmacro %}

{% macro landing_dir() -%}
    {{ return(env_var('LANDING_DIR', 'data/landing')) }}
{%- endmacro %}

{#- Whether a column's type in a file fits its contract type, by family. -#}
{% macro type_fits_contract(actual_type, contract_type) -%}
    {%- set actual, wanted = actual_type | upper, contract_type | lower -%}
    {%- set whole = actual in ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT'] -%}
    {%- set fits = {'varchar': actual == 'VARCHAR', 'date': actual == 'DATE', 'boolean': actual == 'BOOLEAN',
        'timestamp': actual.startswith('TIMESTAMP'), 'integer': whole, 'bigint': whole, 'int': whole,
        'decimal': whole or actual.startswith('DECIMAL'),
        'double': whole or actual.startswith('DECIMAL') or actual in ['DOUBLE', 'FLOAT']} -%}
    {{ return(fits.get(wanted.split('(')[0], false)) }}
{%- endmacro %}

{% macro assert_landing_contract() %}
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
                end as problem
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

{% macro assert_landing_files_are_parquet() %}
    {%- set folders = graph.sources.values() | map(attribute='name') | unique | list -%}
    {%- set unread_query -%}
        select file from glob('{{ landing_dir() | replace("'", "''") }}/*/*')
        where parse_filename(parse_dirpath(file)) in ('{{ folders | join("', '") }}')
            and not ends_with(file, '.parquet')
        order by file
    {%- endset -%}
    {%- set unread = run_query(unread_query).columns[0].values() -%}
    {%- if unread | length > 0 -%}
        {{ exceptions.raise_compiler_error("Landing file not read: " ~ unread | join(', ')
            ~ (" is" if unread | length == 1 else " are") ~ " not a Parquet file (*.parquet), so no source"
            ~ " would read it. Convert it to Parquet with the contract's columns, or move it out of the"
            ~ " landing zone, then run again.") }}
    {%- endif -%}
{% endmacro %}

{% macro assert_as_of_date_has_spend() %}
    {%- set requested = var('as_of_date', none) -%}
    {%- set allow_without_spend = var('allow_as_of_without_spend', false) -%}
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
    {%- set reported -%}
        from read_parquet('{{ folder | replace("'", "''") }}/*.parquet', union_by_name = true)
        where cast(spend_date as date) <= cast(cast(reported_at as timestamp) as date) + 1
    {%- endset -%}
    {%- set has_spend = run_query("select count(*) > 0 from (select 1 " ~ reported
        ~ (" and spend_date >= cast('" ~ as_of ~ "' as date)" if as_of is not none else "")
        ~ " limit 1)").columns[0].values()[0] -%}
    {%- if has_spend or (as_of is not none and allow_without_spend) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set latest = run_query("select max(cast(spend_date as date)) " ~ reported).columns[0].values()[0] -%}
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
