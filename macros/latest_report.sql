{#-
    "The latest report wins" (docs/rules.md section 1): of the rows of `relation` that share
    `key_columns`, the one with the greatest `order_columns` (descending: the latest
    reported_at, then the later file and row, so that a tie is decided the same way every
    time). The one home of the rule: the staged spend and everything that reads it.

    Only keys reported more than once need ordering, and they are few (a restatement), so the
    exact window runs on those rows alone: the keys that repeat are found by a hash aggregate
    of a fingerprint of the key (a fingerprint shared by two different keys only sends a few
    more rows through the exact window, which compares the keys themselves). `day_column` is a
    key column the aggregate groups by too, so that a filter on it (a day window) reaches the
    rows read, below the aggregate.
-#}
{% macro latest_report(relation, key_columns, order_columns, columns, day_column) -%}
    {#- The columns the order reads that the output does not keep. -#}
    {%- set ordering_only = order_columns | map('replace', ' desc', '') | reject('in', columns) | list -%}
    with

    keyed_reports as (
        select
            {{ (columns + ordering_only) | join(', ') }},
            {{ row_fingerprint(key_columns) }} as report_key
        from {{ relation }}
    ),

    repeated_keys as (
        select
            {{ day_column }},
            report_key
        from keyed_reports
        group by {{ day_column }}, report_key
        having count(*) > 1
    ),

    reported_once as (
        select keyed_reports.*
        from keyed_reports
        left join repeated_keys
            on keyed_reports.{{ day_column }} = repeated_keys.{{ day_column }}
            and keyed_reports.report_key = repeated_keys.report_key
        where repeated_keys.report_key is null
    ),

    latest_of_repeated as (
        select keyed_reports.*
        from keyed_reports
        inner join repeated_keys
            on keyed_reports.{{ day_column }} = repeated_keys.{{ day_column }}
            and keyed_reports.report_key = repeated_keys.report_key
        qualify row_number() over (
            partition by {% for key in key_columns %}keyed_reports.{{ key }}{% if not loop.last %}, {% endif %}{% endfor %}
            order by {% for column in order_columns %}keyed_reports.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
        ) = 1
    ),

    latest as (
        select {{ columns | join(', ') }} from reported_once
        union all
        select {{ columns | join(', ') }} from latest_of_repeated
    )

    select * from latest
{%- endmacro %}
