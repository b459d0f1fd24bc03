"""The audit in a real pseudo-terminal: the prompt_toolkit path users get over SSH, in 80 columns."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from sovdiag.pipeline import open_diagnostic

PROMPT = b"\x1b[0m>"  # where prompt_toolkit draws its prompt


def test_audit_in_a_pseudo_terminal(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "NO_COLOR": "1", "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": "80"}
    child = subprocess.Popen(
        [sys.executable, "-m", "sovdiag", "audit", str(path)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    buffer = b""

    def wait_prompt() -> None:
        nonlocal buffer
        deadline = time.monotonic() + 30
        while PROMPT not in buffer:
            assert time.monotonic() < deadline, buffer[-800:]
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                buffer += os.read(master, 65536)
        buffer = buffer[buffer.index(PROMPT) + len(PROMPT) :]

    replies = [
        "Commune en terminal",
        "1",
        "",
        "",
        "",
        "",
        "Bob, DSI",
        "",  # profile
        "O365",
        "",
        "",
        "",
        "",
        "4",
        "",  # service: catalog entry, name, deployment, data, criticality, contract
        "1",
        "q",
    ]  # A1.1, then quit
    try:
        for reply in replies:
            wait_prompt()
            os.write(master, (reply + "\r").encode())
        assert child.wait(timeout=30) == 0
    finally:
        if child.poll() is None:
            child.kill()
        os.close(master)
    service = open_diagnostic(path).inventory.services[0]
    assert service.catalog is not None
    assert service.catalog.offer == "microsoft-365"
    assert service.answers["A1.1"].answer == "entirely_non_eu"
