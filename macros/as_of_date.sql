{#-
    The as-of date of the build (RULES.md conventions), as int_as_of_date holds it once per
    build: the dbt var `as_of_date`, by default the latest spend_date in ad_spend.
-#}
{% macro as_of_date() -%}
    (select as_of_date from {{ ref('int_as_of_date') }})
{%- endmacro %}

{#- The end of the as-of date (00:00 UTC of the next day): "the as-of time". -#}
{% macro as_of_end_at() -%}
    (select as_of_end_at from {{ ref('int_as_of_date') }})
{%- endmacro %}
