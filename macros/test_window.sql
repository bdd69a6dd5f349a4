{#-
    Data tests sized like the run. A model stored by day window (day_window_config) is rebuilt
    only from the window's first day on in an incremental run, and the days before were tested
    when they were written; its config's meta names its day column (`recomputed_by_day`), as
    does a view that shows such a model day for day; so when the run says so (var `test_recomputed_days_only`, which the orchestrator
    sets on every incremental run), a data test of such a model reads the recomputed days only:
    the same `recompute_from()` as the model, from its own relation. A full refresh, or plain
    dbt without the var, tests every row. Every generic test reads its model through this
    macro (dbt's own `get_where_subquery`, with the test's `where` config kept).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set day_column = recomputed_day_column(relation) -%}
    {%- if day_column -%}
        {%- do conditions.append(day_column ~ ' >= ' ~ recompute_from(relation, day_column)) -%}
    {%- endif -%}
    {%- if conditions -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- The day column of a model whose tests read only the recomputed days in this run, if any. -#}
{% macro recomputed_day_column(relation) -%}
    {%- if not execute or flags.FULL_REFRESH or not var('test_recomputed_days_only', false) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
            and node.relation_name == (relation | string) -%}
        {{ return(node.config.meta.get('recomputed_by_day')) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#- For a singular test: a filter on the days of `relation` this run recomputed ('true' when
    the run tests every row). -#}
{% macro recomputed_days(relation, day_column='date_day') -%}
    {%- set column = recomputed_day_column(relation) -%}
    {{ return((day_column ~ ' >= ' ~ recompute_from(relation, day_column)) if column else 'true') }}
{%- endmacro %}
