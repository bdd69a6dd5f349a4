{#-
    A file in a landing source folder that the sources would not read (a CSV restatement, a
    `.PARQUET`, a half-written `.tmp`, a hidden file) stops the run with a message naming it:
    the sources read `<source>/*.parquet` only, so such a file would otherwise be ignored in
    silence and its rows missing from the audit's counts. Folders that are not a source, and
    files at the root of the landing zone, are not read and not checked.
-#}
{% macro assert_landing_files_are_parquet() %}
    {%- set folders = graph.sources.values() | map(attribute='name') | unique | list -%}
    {%- set unread = run_query(landing_files_not_parquet_sql(landing_dir(), folders)).columns[0].values() -%}
    {%- if unread | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            "Landing file not read: " ~ unread | join(', ')
            ~ (" is" if unread | length == 1 else " are") ~ " not a Parquet file (*.parquet), so"
            ~ " no source would read it. Convert it to Parquet with the contract's columns, or move"
            ~ " it out of the landing zone, then run again.") }}
    {%- endif -%}
{% endmacro %}


{#- Every file directly in a source folder whose name does not end in `.parquet`. -#}
{% macro landing_files_not_parquet_sql(landing, folders) -%}
    {{ return(adapter.dispatch('landing_files_not_parquet_sql')(landing, folders)) }}
{%- endmacro %}

{% macro duckdb__landing_files_not_parquet_sql(landing, folders) -%}
    select file
    from glob('{{ landing | replace("'", "''") }}/*/*')
    where parse_filename(parse_dirpath(file)) in (
            {%- for folder in folders %}'{{ folder }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        )
        and not ends_with(file, '.parquet')
    order by file
{%- endmacro %}
