"""running_user_code without a chain: what each way out of the user's code becomes."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from defidrill.errors import ChainError, ConfigError, Interrupted, UserCodeError
from defidrill.interrupts import catch_signals
from defidrill.user_code import running_user_code


def test_sys_exit_and_exceptions_are_the_codes_failure_with_its_traceback() -> None:
    with pytest.raises(UserCodeError) as err:
        with running_user_code("adapter", "m:A", "deploy"):
            sys.exit(3)
    assert str(err.value) == "adapter m:A.deploy called sys.exit(3): user code must return or raise, never end the process"
    assert err.value.exit_status == 4 and "SystemExit: 3" in (err.value.traceback_text or "")
    with pytest.raises(UserCodeError, match=r"^custom invariant m:f raised ValueError: x{500}\.\.\. at step 4$"):
        with running_user_code("custom invariant", "m:f", at="at step 4"):
            raise ValueError("x" * 900)  # the message is bounded; the traceback keeps it all


def test_at_preflight_a_failure_is_a_config_error_at_the_field() -> None:
    with pytest.raises(ConfigError, match=r"protocol.adapter: adapter m:A.check_config raised KeyError: 'k'") as err:
        with running_user_code("adapter", "m:A", "check_config", preflight_field="protocol.adapter"):
            raise KeyError("k")
    assert err.value.exit_status == 2


def test_keyboard_interrupt_is_sigint_and_our_errors_pass_unchanged() -> None:
    with pytest.raises(Interrupted) as err:
        with running_user_code("adapter", "m:A", "scan"):
            raise KeyboardInterrupt
    assert err.value.exit_status == 130
    revert = ChainError("reverted", method="eth_call")
    with pytest.raises(ChainError) as passed:
        with running_user_code("adapter", "m:A", "scan"):
            raise revert
    assert passed.value is revert


def test_a_made_up_interrupted_is_a_failure_and_a_swallowed_signal_still_ends_the_run() -> None:
    with pytest.raises(UserCodeError, match="raised Interrupted: interrupted by SIGTERM"):
        with running_user_code("custom invariant", "m:f"):
            raise Interrupted(signal.SIGTERM, "SIGTERM")  # no signal came: the code made it up
    with catch_signals(), pytest.raises(Interrupted) as err:
        with running_user_code("custom invariant", "m:f"):
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
            except Exception:  # noqa: BLE001 - the user's code swallowing everything
                pass
    assert err.value.exit_status == 143


def test_prints_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with running_user_code("adapter", "m:A", "scan"):
        print("from the user")
    out, err = capsys.readouterr()
    assert out == "" and err == "from the user\n"
