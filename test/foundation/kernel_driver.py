"""Drives the project's kernel (steel-tslab) through Debian's jupyter_client for kernel.test.ts.

stdin: JSON list of steps {"code": str, "with_previous": bool?, "interrupt_on": str?}.
A step is sent once every earlier step has finished, unless with_previous: then it is sent right
after the previous one (a Run All's queue); an "interrupt_on" step sends Kernel -> Interrupt once
its stdout contains that text.
stdout: one JSON object per step: {"status": execute_reply status, "stdout": ..., "stderr": ...}.
"""
import json
import os
import sys
import time

from jupyter_client.manager import KernelManager

root = sys.argv[1]
os.environ["JUPYTER_PATH"] = os.path.join(root, "environment", "jupyter")
steps = json.load(sys.stdin)
km = KernelManager(kernel_name="steel-tslab")
km.start_kernel(cwd=root)
kc = km.client()
kc.start_channels()
try:
    kc.wait_for_ready(timeout=120)

    def collect(msg_id, interrupt_on=None, timeout=120):
        """iopub of one request until its idle, then its shell reply."""
        out = {"stdout": "", "stderr": ""}
        deadline = time.time() + timeout
        interrupted = False
        while True:
            m = kc.get_iopub_msg(timeout=max(1, deadline - time.time()))
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "stream":
                out[m["content"]["name"]] += m["content"]["text"]
                if interrupt_on and not interrupted and interrupt_on in out["stdout"]:
                    km.interrupt_kernel()
                    interrupted = True
            elif m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                break
        while True:
            r = kc.get_shell_msg(timeout=30)
            if r["parent_header"].get("msg_id") == msg_id:
                out["status"] = r["content"]["status"]
                return out

    pending = []

    def finish():
        for msg_id, s in pending:
            print(json.dumps(collect(msg_id, s.get("interrupt_on"))), flush=True)
        pending.clear()

    for step in steps:
        if not step.get("with_previous"):
            finish()
        pending.append((kc.execute(step["code"]), step))
    finish()
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
