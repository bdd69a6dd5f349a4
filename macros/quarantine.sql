{#-
    Quarantine helpers shared by the staging base models. A base model keeps every raw row
    and names, in `quarantine_reason`, the first check it fails (null when it is usable).
-#}

{#-
    Duplicate primary keys: copies identical to the letter keep their first copy and
    quarantine the rest (`duplicate_row`); copies that disagree cannot be told apart, so
    every one is quarantined (`conflicting_duplicate_key`).
-#}
{% macro duplicate_key_reason(key_columns, row_columns) -%}
    {%- set partition = 'partition by ' ~ (key_columns | join(', ')) -%}
    case
        when count(*) over ({{ partition }}) = 1 then null
        when min({{ row_fingerprint(row_columns) }}) over ({{ partition }})
            = max({{ row_fingerprint(row_columns) }}) over ({{ partition }})
            then case
                when row_number() over ({{ partition }} order by source_file, file_row_number) > 1
                    then 'duplicate_row'
            end
        else 'conflicting_duplicate_key'
    end
{%- endmacro %}


{#- Any of the columns null. -#}
{% macro any_null(columns) -%}
    ({% for column in columns %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}
