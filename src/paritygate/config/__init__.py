"""Config layer: find, read and strictly validate ``paritygate.toml``.

Public entry points: :func:`load_config` and :class:`LoadedConfig`.
"""

from paritygate.config.loader import CONFIG_NAME, LoadedConfig, find_config, load_config

__all__ = ["CONFIG_NAME", "LoadedConfig", "find_config", "load_config"]
