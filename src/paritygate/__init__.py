"""paritygate: a production-readiness gauntlet for services with more than one implementation."""

__version__ = "0.1.0"

__all__ = ["__version__"]
