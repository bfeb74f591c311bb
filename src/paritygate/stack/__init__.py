"""Phase 1, the stack: start services in dependency order, wait for readiness, tear down.

``Stack(loaded).up()`` returns ``{name: Endpoint}``; ``down()`` stops every process
group, dependents first. A detached stack is described by ``<state_dir>/stack.json``,
which ``load_running``, ``status`` and ``stop_running`` read from any later process.
"""

from paritygate.stack.control import ServiceStatus, load_running, status, stop_running
from paritygate.stack.events import EVENT_KINDS, StackEvent
from paritygate.stack.plan import log_dir_of, log_file
from paritygate.stack.readiness import log_tail
from paritygate.stack.runner import Stack
from paritygate.stack.signals import Interrupted, SignalGuard

__all__ = [
    "EVENT_KINDS",
    "Interrupted",
    "ServiceStatus",
    "SignalGuard",
    "Stack",
    "StackEvent",
    "load_running",
    "log_dir_of",
    "log_file",
    "log_tail",
    "status",
    "stop_running",
]
