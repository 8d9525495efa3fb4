#!/usr/bin/env python3
"""Ctrl-C on blocking socket calls in our MicroPython.

Usage: ctrl_c_driver.py INTERPRETER

Runs INTERPRETER on ctrl_c.py (next to this file). For each "BLOCKED <name>"
line it waits 150 ms, so that the call is really blocked, sends SIGINT and
measures the time until "INTERRUPTED <name>": a case passes when that is under
300 ms (about 100 ms on an idle machine) and the script then prints "USABLE <name>". Prints one line per case and
"N passed, M failed"; exits 1 on any failure. Everything is bounded: the child
is killed after 20 s at most.
"""

import os
import queue
import signal
import subprocess
import sys
import threading
import time

CASES = ["recv", "accept", "recvfrom", "read", "readline", "connect", "sleep"]
SETTLE = 0.150  # after BLOCKED, before SIGINT
LIMIT = 0.300  # SIGINT to INTERRUPTED: about 100 ms when idle, room for a loaded machine
STEP_TIMEOUT = 5.0  # for any one line
TOTAL_TIMEOUT = 20.0  # for the whole run


def reader(stream, lines):
    """Puts (line, arrival time) for each line of `stream`, then (None, time)."""
    for raw in iter(stream.readline, b""):
        lines.put((raw.decode("utf-8", "replace").rstrip("\r\n"), time.monotonic()))
    lines.put((None, time.monotonic()))


def main():
    if len(sys.argv) != 2:
        print("usage: ctrl_c_driver.py INTERPRETER", file=sys.stderr)
        return 2
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ctrl_c.py")
    start = time.monotonic()
    proc = subprocess.Popen([sys.argv[1], script], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = queue.Queue()
    threading.Thread(target=reader, args=(proc.stdout, lines), daemon=True).start()
    errors = []
    threading.Thread(target=lambda: errors.extend(proc.stderr.read().decode("utf-8", "replace").splitlines()), daemon=True).start()
    transcript = []
    eof = False

    def next_line():
        """The next stdout line and its arrival time; None at EOF or timeout."""
        nonlocal eof
        if eof:
            return None, time.monotonic()
        wait = min(STEP_TIMEOUT, start + TOTAL_TIMEOUT - time.monotonic())
        try:
            line, t = lines.get(timeout=max(wait, 0))
        except queue.Empty:
            return None, time.monotonic()
        if line is None:
            eof = True
        else:
            transcript.append(line)
        return line, t

    passed, failed = 0, 0
    results = []
    for i, name in enumerate(CASES):
        line, _ = next_line()
        if line != "BLOCKED " + name:
            results.append((False, name, "expected BLOCKED, got %r" % line))
            # Not in step any more: the remaining cases cannot run.
            results += [(False, n, "not run") for n in CASES[i + 1 :]]
            break
        time.sleep(SETTLE)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        line, at = next_line()
        if line is None:
            results.append((False, name, "no INTERRUPTED line within %.1f s after SIGINT (%s)" % (STEP_TIMEOUT, "exited" if eof else "still blocked")))
            results += [(False, n, "not run") for n in CASES[i + 1 :]]
            break
        if line != "INTERRUPTED " + name:
            results.append((False, name, "expected INTERRUPTED, got %r" % line))
            continue
        ms = (at - sent) * 1000
        line, _ = next_line()
        problems = []
        if ms >= LIMIT * 1000:
            problems.append("too slow")
        if line != "USABLE " + name:
            problems.append("expected USABLE, got %r" % line)
        what = "interrupted in %.1f ms" % ms
        results.append((not problems, name, what + ("; " + "; ".join(problems) if problems else ", usable")))
    else:
        line, _ = next_line()
        if line != "DONE":
            results.append((False, "end", "expected DONE, got %r" % line))

    # Let the child finish within the total budget, else kill it.
    try:
        code = proc.wait(timeout=max(start + TOTAL_TIMEOUT - time.monotonic(), 0.5))
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
        results.append((False, "exit", "killed after %.0f s" % (time.monotonic() - start)))
    else:
        if code != 0:
            results.append((False, "exit", "interpreter exited with %d" % code))

    for ok, name, what in results:
        print("%s %s: %s" % ("PASS" if ok else "FAIL", name, what))
        if ok:
            passed += 1
        else:
            failed += 1
    if failed:
        print("--- interpreter stdout:")
        for line in transcript:
            print("    " + line)
        # The stderr reader ends with the child's stderr; give it a moment.
        time.sleep(0.1)
        print("--- interpreter stderr:")
        for line in errors:
            print("    " + line)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
