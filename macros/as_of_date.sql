{#-
    The as-of date of the build (RULES.md conventions): the dbt var `as_of_date`, by default
    the latest spend_date in ad_spend. Models read it through this macro so that there is one
    definition; int_as_of_date materialises it once per build.
-#}
{% macro as_of_date() -%}
    (select as_of_date from {{ ref('int_as_of_date') }})
{%- endmacro %}

{#- The end of the as-of date (00:00 UTC of the next day): "the as-of time". -#}
{% macro as_of_end_at() -%}
    (select as_of_end_at from {{ ref('int_as_of_date') }})
{%- endmacro %}
