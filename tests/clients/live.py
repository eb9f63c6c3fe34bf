"""A live Grove for the client tests: a fresh data directory with two organisations (`grove init`,
`grove orgs create`), `grove serve` on a free loopback port, and in the first organisation a file
data source with one page (synced), an agent over it, a job, and a read-only key.

    with LiveGrove() as grove:
        grove.base, grove.key, grove.org_id, grove.agent, grove.job, grove.read_only_key,
        grove.other_org_key, grove.other_org_id

GROVE_BIN names the grove binary (default $CARGO_TARGET_DIR or target/, then debug/grove).
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
GROVE = os.environ.get("GROVE_BIN", os.path.join(TARGET, "debug", "grove"))

PAGE = (
    "# Greenhouse\n\nThe greenhouse vents open automatically when the temperature rises above "
    "28 degrees. They close again at night.\n"
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveGrove:
    def __init__(self, env=None, log=None):
        """`env`: extra environment for `grove serve` (rate limits, for instance); `log`: a file
        for the server's log (default: discarded)."""
        self.env = env or {}
        self.log = log

    def __enter__(self):
        self.data_dir = tempfile.mkdtemp(prefix="grove-clients-")
        init = self._cli("init", "--json")
        self.key, self.org_id = init["api_key"], init["org_id"]
        other = self._cli("orgs", "create", "Other", "--json")
        self.other_org_key, self.other_org_id = other["api_key"], other["org_id"]
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, GROVE_ADDR=f"127.0.0.1:{port}", **self.env)
        self.child = subprocess.Popen(
            [GROVE, "serve", "--data-dir", self.data_dir],
            env=env,
            stdout=subprocess.PIPE,
            stderr=open(self.log, "w") if self.log else subprocess.DEVNULL,
            text=True,
        )
        for line in self.child.stdout:
            if "Grove is listening" in line:
                break
        else:
            raise RuntimeError("grove exited before listening")
        self._fixtures()
        return self

    def __exit__(self, *exc):
        self.child.terminate()
        self.child.wait(timeout=30)
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def _cli(self, *args):
        out = subprocess.run(
            [GROVE, *args, "--data-dir", self.data_dir], check=True, capture_output=True, text=True
        ).stdout
        return json.loads(out)

    def api(self, method, path, body=None, files=None, key=None):
        headers = {"authorization": f"Bearer {key or self.key}"}
        data = None
        if files is not None:
            boundary = "grove-test-boundary"
            parts = [
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: text/markdown\r\n\r\n{content}\r\n"
                for name, content in files
            ]
            data = ("".join(parts) + f"--{boundary}--\r\n").encode()
            headers["content-type"] = f"multipart/form-data; boundary={boundary}"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        for _ in range(30):
            req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req) as response:
                    text = response.read().decode()
                    return json.loads(text) if text else None
            except urllib.error.HTTPError as e:
                # A server started with small rate limits: wait as it says.
                if e.code != 429:
                    raise
                time.sleep(float(e.headers.get("retry-after", "1")))
        raise RuntimeError(f"{method} {path}: still rate limited")

    def _fixtures(self):
        source = self.api("POST", "/api/v1/data-sources", {"type": "file", "name": "Garden"})
        self.api("POST", f"/api/v1/data-sources/{source['id']}/files", files=[("greenhouse.md", PAGE)])
        for _ in range(600):
            status = self.api("GET", f"/api/v1/data-sources/{source['id']}/status")
            if status["sync_status"] == "succeeded":
                break
            assert status["sync_status"] != "failed", status
            time.sleep(0.1)
        self.agent = self.api("POST", "/api/v1/agents", {"name": "Gardener", "data_source_ids": [source["id"]], "similarity_threshold": 0.2})
        self.job = self.api(
            "POST", f"/api/v1/agents/{self.agent['id']}/jobs", {"name": "Vents", "prompt": "When do the greenhouse vents open?"}
        )
        self.read_only_key = self.api("POST", "/api/v1/api-keys", {"name": "reader", "scopes": ["read"]})["key"]
