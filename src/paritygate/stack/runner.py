"""``Stack``: start the services of a config in dependency order, wait for readiness, tear down.

The calling thread orchestrates: it spawns every service whose dependencies are
ready (so independent services start together), records it in the state file at
once, and hands its readiness wait to a thread of its own. Readiness threads only
report back through a queue; events are therefore emitted from the calling thread.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import queue
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from paritygate.config import LoadedConfig
from paritygate.core.models import Endpoint
from paritygate.errors import StackError
from paritygate.stack.control import live_services
from paritygate.stack.detached import release
from paritygate.stack.events import StackEvent
from paritygate.stack.plan import ServicePlan, build_plans, log_dir_of
from paritygate.stack.processes import Group, describe_pids, members, spawn, stop_levels
from paritygate.stack.readiness import NotReady, describe_check, format_tail, wait_ready
from paritygate.stack.state import ServiceRecord, StackState, remove_state, state_path, write_state

__all__ = ["Stack"]

_Report = tuple[str, str, str]  # (service, "ready" | "failed" | "cancelled", detail)


@contextmanager
def _up_lock(state_dir: Path) -> Iterator[None]:
    """Two `stack up` on one state dir at once would both see "nothing running"."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / "stack.lock").open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StackError(
                f"another `stack up` is starting a stack in {state_dir} right now",
                hint="wait for it, or use another state directory",
            ) from None
        yield  # the lock goes with the file descriptor


class Stack:
    """The services of one config. ``up()`` returns their endpoints; ``down()`` stops them all."""

    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        state_dir: Path | None = None,
        on_event: Callable[[StackEvent], None] | None = None,
        twins: Sequence[str] = (),
    ) -> None:
        self.loaded = loaded
        self.twins = tuple(twins)  # services that also get a twin (A/A noise calibration)
        self.state_dir = Path(state_dir) if state_dir is not None else loaded.state_dir
        self._on_event = on_event
        self._plans: dict[str, ServicePlan] = {}
        self._groups: dict[str, Group] = {}
        self._endpoints: dict[str, Endpoint] = {}
        self._state: StackState | None = None
        self._clock = time.monotonic()
        self._teardown = threading.Lock()

    @property
    def endpoints(self) -> dict[str, Endpoint]:
        """Services with a port, by name (empty until ``up()`` succeeded)."""
        return dict(self._endpoints)

    @property
    def log_dir(self) -> Path:
        return log_dir_of(self.state_dir)

    def pids(self) -> dict[str, int]:
        return {name: group.pid for name, group in self._groups.items()}

    def exited(self) -> dict[str, int]:
        """Services whose main process has exited since they started, with exit codes."""
        codes = {}
        for name, group in self._groups.items():
            code = group.proc.poll() if group.proc is not None else None
            if code is not None:
                codes[name] = code
        return codes

    def _emit(self, service: str, kind: str, detail: str = "") -> None:
        if self._on_event is not None:
            self._on_event(StackEvent(service, kind, round(time.monotonic() - self._clock, 4), detail))

    def up(self, *, timeout: float | None = None, detach: bool = False) -> dict[str, Endpoint]:
        """Start everything and wait until ready; on any failure stop what started and raise StackError.

        ``timeout`` bounds the whole call (default ``[stack] timeout``). With ``detach``
        the services outlive this process; the state file lets ``stop_running`` end them.
        """
        if self._state is not None:
            raise StackError("this stack is already up; call down() first")
        self._clock = time.monotonic()
        budget = timeout if timeout is not None else self.loaded.model.stack.timeout
        with _up_lock(self.state_dir):
            self._refuse_if_running()
            self._plans = build_plans(
                self.loaded, self.log_dir, stack_id=secrets.token_hex(8), twins=self.twins
            )
            self._state = StackState(
                config=str(self.loaded.path),
                started_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
                owner_pid=os.getpid(),
            )
            try:
                write_state(self.state_dir, self._state)
                self._start_all(budget)
            except BaseException:
                self.down()
                raise
            self._state.detached = detach
            write_state(self.state_dir, self._state)
        if detach:
            # The services must outlive this object: their handles go to the detached registry.
            for group in self._groups.values():
                if group.proc is not None:
                    release(group.proc)
        else:
            # a library caller that forgets down() still leaves no orphans behind
            atexit.register(self._down_at_exit)
        self._endpoints = {
            name: Endpoint(name, plan.url, plan.log_path)
            for name, plan in self._plans.items()
            if plan.url is not None
        }
        return self.endpoints

    def _refuse_if_running(self) -> None:
        live = live_services(self.state_dir)
        if live:
            running = ", ".join(f"{s.name} (pid {s.pid})" for s in live)
            raise StackError(
                f"a stack is already running from {state_path(self.state_dir)}: {running}",
                hint="stop it with `paritygate stack down` (inspect it with `paritygate stack status`)",
            )

    def _start_all(self, budget: float) -> None:
        assert self._state is not None
        deadline = self._clock + budget
        reports: queue.Queue[_Report] = queue.Queue()
        cancel = threading.Event()
        waiters: list[threading.Thread] = []
        ready: set[str] = set()
        try:
            while len(ready) < len(self._plans):
                for name, plan in self._plans.items():
                    deps_ready = all(dep in ready for dep in plan.config.depends_on)
                    if name not in self._groups and deps_ready:
                        waiters.append(self._spawn(plan, reports, cancel))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    for name in self._groups.keys() - ready:
                        self._emit(name, "failed", f"stack timeout {budget}s reached")
                    raise StackError(self._overall_timeout_message(budget, ready))
                try:
                    name, outcome, detail = reports.get(timeout=remaining)
                except queue.Empty:
                    continue
                if outcome == "failed":
                    self._emit(name, "failed", detail.splitlines()[0])
                    raise StackError(detail)
                if outcome != "ready":
                    continue
                ready.add(name)
                elapsed = round(time.monotonic() - self._clock, 4)
                self._state.services[name].ready_s = elapsed
                write_state(self.state_dir, self._state)
                self._emit(name, "ready", self._plans[name].url or "")
        finally:
            cancel.set()
            for thread in waiters:
                thread.join()

    def _spawn(
        self, plan: ServicePlan, reports: queue.Queue[_Report], cancel: threading.Event
    ) -> threading.Thread:
        assert self._state is not None
        self._emit(plan.name, "starting", " ".join(plan.command))
        try:
            group = spawn(plan)
        except StackError as exc:
            self._emit(plan.name, "failed", exc.message)
            raise
        spawned_at = time.monotonic()
        self._groups[plan.name] = group
        # Recorded before readiness: a `stack up` killed from here on leaves a stoppable trail.
        self._state.services[plan.name] = ServiceRecord(
            name=plan.name,
            pid=group.pid,
            pgid=group.pgid,
            start_ticks=group.start_ticks,
            port=plan.port,
            base_url=plan.url,
            log_path=str(plan.log_path),
            command=plan.command,
            stop_signal=group.stop_signal,
            grace_period=group.grace_period,
            depends_on=list(plan.config.depends_on),
            stack_id=group.stack_id,
        )
        write_state(self.state_dir, self._state)
        assert group.proc is not None
        proc = group.proc

        def wait() -> None:
            try:
                ok = wait_ready(plan, proc, spawned_at, cancel)
                reports.put((plan.name, "ready" if ok else "cancelled", ""))
            except NotReady as exc:
                reports.put((plan.name, "failed", str(exc)))
            except Exception as exc:  # a bug in a probe must still end up() cleanly
                reports.put((plan.name, "failed", f"readiness check of {plan.name!r} crashed: {exc!r}"))

        thread = threading.Thread(target=wait, name=f"paritygate-ready-{plan.name}", daemon=True)
        thread.start()
        return thread

    def _overall_timeout_message(self, budget: float, ready: set[str]) -> str:
        waiting = [name for name in self._groups if name not in ready]
        blocked = [name for name in self._plans if name not in self._groups]
        parts = [f"stack not ready within its {budget}s timeout"]
        for name in waiting:
            plan = self._plans[name]
            parts.append(
                f"service {name!r} still waiting for {describe_check(plan)}\n{format_tail(plan.log_path)}"
            )
        if blocked:
            parts.append(f"not started (dependencies not ready): {', '.join(blocked)}")
        return "\n".join(parts)

    def _down_at_exit(self) -> None:
        try:
            self.down()
        except StackError as exc:  # nobody is left to catch it; say it like the CLI would
            print(f"paritygate: {exc.message}", file=sys.stderr)

    def down(self) -> None:
        """Stop every started service, dependents first; safe to call twice or after a failed up().

        Raises StackError naming each process (pid and command) that survived; the
        state file is then kept, so ``paritygate stack down`` can try again.
        """
        with self._teardown:
            atexit.unregister(self._down_at_exit)
            if self._state is None:
                return
            self._clock = time.monotonic()
            order = [self._groups[n] for n in self._plans if n in self._groups]  # twins after primaries
            depends_on = {name: list(plan.config.depends_on) for name, plan in self._plans.items()}
            outcome = stop_levels(order, depends_on, self._emit)
            survivors = []
            for group in order:
                if outcome.get(group.name) == "failed":
                    in_group, outside = members(group)
                    survivors.append(f"{group.name}: {describe_pids(in_group + outside) or 'gone since'}")
            if not survivors:
                remove_state(
                    self.state_dir, owner_pid=self._state.owner_pid, started_at=self._state.started_at
                )
            self._groups.clear()
            self._endpoints.clear()
            self._state = None
            if survivors:
                raise StackError(
                    "processes survived the teardown: " + "; ".join(survivors),
                    hint=f"kill them by hand; {state_path(self.state_dir)} still lists them",
                )

    def __enter__(self) -> Stack:
        self.up()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.down()
