"""Report writers. They read JSON-ready phase data (PhaseResult.data), never phase objects,
so a finished run directory can be re-rendered (``paritygate assess DIR``)."""
