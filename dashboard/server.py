"""The dashboard's Streamlit server process: `python -m dashboard.server run app.py ...`.

The same command line as `python -m streamlit`, in a process that has imported what the pages
import (Altair, pandas, DuckDB, PyArrow and the dashboard's own modules) before it serves:
seconds of CPU that the first page opened after the server starts would otherwise wait for.
`dashboard.serve` starts it.
"""

from __future__ import annotations

import altair  # noqa: F401
import duckdb  # noqa: F401
import pandas  # noqa: F401
import pyarrow  # noqa: F401
from streamlit.web.cli import main

from dashboard import charts, data  # noqa: F401

if __name__ == "__main__":
    # The program name Streamlit's own `python -m streamlit` gives itself.
    main(prog_name="streamlit")
