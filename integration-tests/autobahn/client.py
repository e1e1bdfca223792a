"""aioweb's client driven by Autobahn|Testsuite's fuzzing server (``wstest -m fuzzingserver``).

Usage: ``python client.py URL AGENT [MASK_BACKEND]`` (``pure``, ``speedups``; default
``auto``). Asks ``URL/getCaseCount``, runs every case by
echoing each message of ``URL/runCase?case=N&agent=AGENT`` back until the server closes,
then asks the server to write its report (``URL/updateReports?agent=AGENT``).
"""

from __future__ import annotations

import asyncio
import sys
from typing import cast

from aioweb.websocket import WSMsgType, ws_connect
from aioweb.websocket.sansio import MaskBackend

MAX_MSG_SIZE = 16 * 1024 * 1024
CASE_TIMEOUT = 60.0  # one case; the slowest (9.x, 16 MiB) take a few seconds
MASK = cast(MaskBackend, sys.argv[3] if len(sys.argv) > 3 else "auto")


async def case_count(base: str) -> int:
    ws = await ws_connect(f"{base}/getCaseCount")
    async with ws:
        msg = await ws.receive(timeout=10)
        return int(msg.data)


async def run_case(base: str, case: int, agent: str) -> None:
    ws = await ws_connect(
        f"{base}/runCase?case={case}&agent={agent}",
        max_msg_size=MAX_MSG_SIZE,
        compress=True,
        mask_backend=MASK,
    )
    async with ws:
        async for msg in ws:
            try:
                if msg.type is WSMsgType.TEXT:
                    await ws.send_str(msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await ws.send_bytes(msg.data)
            except ConnectionResetError:
                # The fuzzer's close frame (or a protocol error) arrived together with
                # this message: the echo is moot and wstest grades what happened.
                break


async def update_reports(base: str, agent: str) -> None:
    ws = await ws_connect(f"{base}/updateReports?agent={agent}")
    async with ws:
        await ws.receive(timeout=60)


async def main(base: str, agent: str) -> int:
    count = await case_count(base)
    print(f"{count} cases", flush=True)
    broken = 0
    for case in range(1, count + 1):
        try:
            await asyncio.wait_for(run_case(base, case, agent), CASE_TIMEOUT)
        except Exception as exc:  # a broken case must not stop the run
            # A case that could not connect or hung is not in wstest's report: count it.
            broken += 1
            print(f"case {case}: {type(exc).__name__}: {exc}", flush=True)
    await update_reports(base, agent)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
