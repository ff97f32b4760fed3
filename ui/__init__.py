"""Streamlit-side helpers: shared state, chart builders, cached computations."""
