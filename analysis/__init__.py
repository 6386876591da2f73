"""Pure, tested functions on DataFrames and numbers: forecast, plan-vs-fact decomposition, SLA,
attribution and incrementality. Nothing here imports Streamlit or DuckDB."""
