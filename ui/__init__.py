"""App-side helpers shared by pages: warehouse access (db), formatting (fmt), translations (i18n)."""
from ui.bare import quiet_outside_the_app

# first, before any ui/ module decorates a function with st.cache_data (ui/bare.py says why)
quiet_outside_the_app()
