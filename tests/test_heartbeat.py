"""flows/heartbeat.py: the flow body's own heartbeats, which stop as soon as the run's work does."""

from __future__ import annotations

import threading
import time

from flows.heartbeat import MINIMUM_SECONDS, beating, flow_heartbeats, own_heartbeats


def test_beating_sends_at_once_and_stops_without_waiting_out_the_interval() -> None:
    sent: list[float] = []
    started = time.monotonic()
    with beating(lambda: sent.append(time.monotonic()), seconds=60):
        deadline = time.monotonic() + 5
        while not sent and time.monotonic() < deadline:
            time.sleep(0.01)
    stopped = time.monotonic() - started
    assert 1 == len(sent)
    assert stopped < 1.0  # Prefect's own thread is joined after up to a 1 s sleep step
    assert not [t for t in threading.enumerate() if t.name == "claimwatch-heartbeat"]


def test_beating_repeats_and_survives_a_failing_send() -> None:
    calls: list[int] = []

    def send() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("server away")

    with beating(send, seconds=0.05):
        deadline = time.monotonic() + 5
        while len(calls) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert len(calls) >= 3


def test_own_heartbeats_turns_prefects_off_only_inside_and_only_when_on() -> None:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 45}):
        with own_heartbeats():
            assert PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() is None
        assert 45 == PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value()
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), own_heartbeats():
        assert PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() is None


def test_flow_heartbeats_outside_a_flow_run_or_unasked_start_no_thread() -> None:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    before = threading.active_count()
    with flow_heartbeats():  # not asked for: what a worker-started run does
        assert before == threading.active_count()
    asked = temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: MINIMUM_SECONDS})
    with asked, own_heartbeats(), flow_heartbeats():  # asked, but no flow run to beat for
        assert before == threading.active_count()
