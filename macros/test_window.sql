{#-
    Data tests sized like the run. A model stored by day window (day_window_config) is rebuilt
    only from the window's first day on in an incremental run, and the days before were tested
    when they were written; its config's meta names its day column (`recomputed_by_day`), as
    does a view that shows such days (a view over the landing rows of those days, or over
    such a model). So when the run says so (var `test_recomputed_days_only`, which the
    orchestrator sets on every incremental run it knows the as-of date of, with the window's
    first day in `recompute_from`), a data test of such a model reads the recomputed days (and
    the rows without a day) only: the same window as the model's. A full
    refresh, or plain dbt without the var, tests every row. Every generic test reads its model
    through this macro (dbt's own `get_where_subquery`, with the test's `where` config kept).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set window = recomputed_days(relation) -%}
    {%- if window != 'true' -%}{%- do conditions.append(window) -%}{%- endif -%}
    {%- if conditions -%}
        {#- The relation aliased: Spark would read `where (...)` right after a table name as
            an alias with a column list. -#}
        {{ return('(select * from ' ~ relation ~ ' as tested where ' ~ conditions | join(' and ') ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- A filter on the rows of `relation` that this run recomputed ('true' when the run tests
    every row, or the model is not stored by day); singular tests use it too. -#}
{% macro recomputed_days(relation) -%}
    {%- set first_day = run_var('recompute_from') -%}
    {%- if not execute or flags.FULL_REFRESH or not first_day
            or run_var('test_recomputed_days_only', false) not in (true, 'true', '1') -%}
        {{ return('true') }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
            and node.relation_name == (relation | string) -%}
        {%- set day_column = node.config.meta.get('recomputed_by_day') -%}
        {%- if day_column -%}
            {%- set first = aligned_day("cast('" ~ first_day ~ "' as date)", node.config.meta.get('recompute_align')) -%}
            {{ return('(' ~ day_column ~ ' >= ' ~ first ~ ' or ' ~ day_column ~ ' is null)') }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('true') }}
{%- endmacro %}
