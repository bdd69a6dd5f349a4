"""The program dashboard: Streamlit pages with Vega-Lite (Altair) charts over the BI copy.

It reads only the published read-only copy of the marts (PUBLISHED_WAREHOUSE_PATH), never the
build file, so holding it open never blocks a build. Start it with `make dashboard`.
"""
