"""A vocflow cluster on loopback: 3 nats-server processes (a JetStream cluster) and vocflow
nodes, each a real `vocflow serve` process with its own data folder. Used by the cluster
tests, `make cluster-chaos` and the cluster benchmark."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

AGENT = "dev-agent-li-wei-0001"
ADMIN = "dev-admin-root-000001"
START = "2026-03-02T09:00:00Z"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout=30.0, every=0.05):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


class Nats:
    """One nats-server of the JetStream cluster."""

    def __init__(self, root, name, client, route, routes):
        self.name, self.client, self.route = name, client, route
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "nats.conf")
        with open(self.conf, "w") as f:
            f.write(f"""server_name: {name}
listen: 127.0.0.1:{client}
jetstream {{ store_dir: "{self.dir}/js" }}
cluster {{
  name: vocflow
  listen: 127.0.0.1:{route}
  routes: [{", ".join(f"nats://127.0.0.1:{r}" for r in routes)}]
}}
""")
        self.proc = None

    def url(self):
        return f"nats://127.0.0.1:{self.client}"

    def start(self):
        self.log = open(os.path.join(self.dir, "nats.log"), "a")
        self.proc = subprocess.Popen(["nats-server", "-c", self.conf], stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def running(self):
        return self.proc is not None and self.proc.poll() is None


class Node:
    """One vocflow node: `vocflow serve` with a cluster section."""

    def __init__(self, cluster, name):
        self.cluster, self.name = cluster, name
        self.port = free_port()
        self.data = os.path.join(cluster.root, name)
        self.proc = None
        self.clock = START

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        c = self.cluster
        self.log = open(os.path.join(c.root, f"{self.name}.log"), "a")
        args = [c.binary, "serve", "--config", c.config, "--data", self.data, "--flows",
                c.flows, "--port", str(self.port), "--partitions", str(c.partitions)]
        if c.nats:
            args += ["--node", self.name, "--nats", ",".join(n.url() for n in c.nats)]
        if c.manual_clock:
            args += ["--clock", c.clock]
        # From the source folder: the configuration's paths are relative to it.
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=c.repo)
        wait_for(f"{self.name} to answer", lambda: self.ready(), timeout=60)

    def ready(self):
        if self.proc.poll() is not None:
            with open(os.path.join(self.cluster.root, f"{self.name}.log")) as f:
                tail = f.read()[-1500:]
            raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{tail}")
        try:
            return self.get("/readyz", token=None)[0] == 200
        except OSError:
            return False

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait()

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def request(self, method, path, body=None, token=AGENT, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url(path), data=data, method=method)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw or b"null")
            except ValueError:
                return e.code, {"raw": raw.decode(errors="replace")}

    def get(self, path, token=AGENT):
        return self.request("GET", path, token=token)

    def post(self, path, body, token=AGENT):
        return self.request("POST", path, body, token=token)


class Cluster:
    def __init__(self, root, binary, repo, nodes=3, partitions=4, lease="2s", manual_clock=True,
                 single=False):
        """single: one node on its own, no NATS (the benchmarks' comparison)."""
        os.makedirs(root, exist_ok=True)
        self.root, self.binary, self.partitions = root, binary, partitions
        self.repo = os.path.abspath(repo)
        self.manual_clock, self.clock = manual_clock, START
        self.flows = os.path.join(repo, "bench", "flows")
        clients = [free_port() for _ in range(3)]
        routes = [free_port() for _ in range(3)]
        self.nats = [] if single else [
            Nats(root, f"s{i + 1}", clients[i], routes[i],
                 [r for j, r in enumerate(routes) if j != i]) for i in range(3)]
        self.config = os.path.join(root, "vocflow.yaml")
        with open(os.path.join(repo, "config", "vocflow.yaml")) as f:
            base = f.read()
        with open(self.config, "w") as f:
            # The lifecycle flows have no topics file of their own.
            base = base.replace("topics: examples/topics/topics.yaml", 'topics: ""')
            # Nodes and servers come from the command line (--node, --nats).
            assert "  lease: 3s" in base
            f.write(base.replace("  lease: 3s", f"  lease: {lease}"))
        self.nodes = [Node(self, f"n{i + 1}") for i in range(nodes)]

    def start(self):
        for n in self.nats:
            n.start()
        # JetStream is up once its meta group has a leader: a node's streams can be made.
        for n in self.nats:
            wait_for(f"{n.name} to listen", lambda: self._listens(n.client), timeout=30)
        for node in self.nodes:
            node.start()
        if self.nats:
            wait_for("every partition to have a writer", self.all_written, timeout=60)

    @staticmethod
    def _listens(port):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    def live(self):
        return [n for n in self.nodes if n.running()]

    def owners(self):
        """partition -> node name, as the live nodes say."""
        for n in self.live():
            try:
                code, body = n.get("/v1/cluster", token=ADMIN)
            except OSError:
                continue
            if code == 200:
                return {p["partition"]: p["writer"] for p in body["partitions"]}
        return {}

    def all_written(self):
        live = {n.name for n in self.live()}
        o = self.owners()
        return len(o) == self.partitions and all(w in live for w in o.values())

    def set_clock(self, to):
        self.clock = to
        for n in self.live():
            code, body = n.post("/v1/clock", {"to": to}, token=ADMIN)
            assert code == 200, (n.name, code, body)

    def stop(self):
        for n in self.nodes:
            n.kill(signal.SIGTERM)
        for n in self.nats:
            n.kill()
