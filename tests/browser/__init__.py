"""End-to-end tests: a real `streamlit run` server driven by headless Chromium.

A package (not a loose folder) so that its ``conftest.py`` does not shadow
``tests/conftest.py``, which the AppTest files import as ``conftest``.
"""
