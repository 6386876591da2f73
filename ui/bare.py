"""ui/ outside `streamlit run`: the CLIs (python -m report, digest, etl alerts, decisions) reuse ui/'s
formatting, texts and cached helpers, and Streamlit logs a warning for each st.cache_data it decorates
without a runtime ("No runtime found, using MemoryCacheStorageManager", at import) and for calls outside a
script ("missing ScriptRunContext"). Those land on stderr, so in the log of every hourly cron run. Outside a
Streamlit runtime, Streamlit's own log keeps errors only; inside one (the app) nothing changes."""
from __future__ import annotations

import os


def quiet_outside_the_app() -> bool:
    """Streamlit's log at ERROR and above when no Streamlit runtime runs this process (a CLI, a test);
    not when the config file sets [logger] level, or PARITY_DEBUG is set. True when it was lowered."""
    from streamlit import config, logger, runtime

    if runtime.exists() or os.environ.get("PARITY_DEBUG"):
        return False
    # Streamlit sets its log level from its config when it parses it, once: parsed now, it cannot undo this
    config.get_config_options()
    if config.is_manually_set("logger.level"):
        return False
    logger.set_log_level("error")
    return True
