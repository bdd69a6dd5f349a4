{#- The column is not null on the rows matching `where`. -#}
{% test not_null_where(model, column_name, where) %}
select *
from {{ model }}
where {{ column_name }} is null
    and ({{ where }})
{% endtest %}
