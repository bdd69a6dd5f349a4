{#- Schemas are named exactly as configured (marts, staging, ...), so that BI reads `marts.*`
    whatever the target; the target schema is used only where a folder sets none. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
