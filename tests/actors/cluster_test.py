"""The replicated cluster under failure: 3 nats-servers, 3 vocflow nodes, the lifecycle
workload through all of them.

  cluster_test.py writer_killed VOCFLOW REPO   SIGKILL the node writing a partition mid-load
  cluster_test.py nats_killed VOCFLOW REPO     SIGKILL one nats-server mid-load

Checks: every acknowledged command's events are in the ticket's history, on every node; every
first-response escalation happened once, and exactly where the response came after the SLA;
the partition serves again within FAILOVER_BOUND seconds; the killed node comes back and
catches up."""

import random
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from cluster import ADMIN, Cluster, wait_for  # noqa: E402

FAILOVER_BOUND = 5.0  # seconds from the SIGKILL until the partition takes commands again
STEPS = [("respond", {"action": "respond", "text": "We are on it"}),
         ("hand_off", {"action": "hand_off", "to": "logistics", "text": "Parcel lost"}),
         ("resolve", {"action": "resolve", "text": "Refund sent"}),
         ("confirm", {"action": "confirm", "on_behalf_of": "customer"})]


class Load:
    """Tickets driven open -> respond -> hand off -> resolve -> confirm through every live
    node; every tenth keeps its response back. What was acknowledged is recorded."""

    def __init__(self, cluster, tickets, workers=6):
        self.c, self.tickets, self.workers = cluster, tickets, workers
        self.lock = threading.Lock()
        self.next = 0
        self.acked = {}      # ticket -> [events of each acknowledged command]
        self.withheld = []   # tickets whose response waits
        self.failures = 0
        self.done = threading.Event()

    def node(self):
        live = self.c.live()
        return random.choice(live)

    def command(self, path, body, headers_key=None):
        """Sends until a node answers for sure (2xx or 4xx); None when it never did."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            n = self.node()
            try:
                code, answer = n.request("POST", path, body, timeout=15) if not headers_key \
                    else self.open(n, body, headers_key)
            except OSError:
                code, answer = 0, None
            if 200 <= code < 300:
                return answer
            if 400 <= code < 500:
                return None if code != 409 else {"conflict": answer}
            with self.lock:
                self.failures += 1
            time.sleep(0.1)
        return None

    @staticmethod
    def open(n, body, key):
        import json
        import urllib.error
        import urllib.request
        req = urllib.request.Request(n.url("/v1/tickets"), data=json.dumps(body).encode(),
                                     method="POST")
        req.add_header("Authorization", "Bearer dev-agent-li-wei-0001")
        req.add_header("Content-Type", "application/json")
        req.add_header("Idempotency-Key", key)
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, None

    def record(self, ticket, answer):
        if answer and "events" in answer:
            with self.lock:
                self.acked.setdefault(ticket, []).append(answer["events"])

    def run_one(self, i):
        body = {"customer": f"cust-{id(self)}-{i}", "channel": "web", "category": "card",
                "product": "credit", "text": f"charged twice for order {i}"}
        answer = self.command("/v1/tickets", body, headers_key=f"load-{id(self)}-{i}")
        if not answer or "ticket" not in answer:
            return
        tid = answer["ticket"]["id"]
        self.record(tid, {"events": [{"seq": 1, "type": "opened"}]})
        if i % 10 == 9:
            with self.lock:
                self.withheld.append(tid)
            return
        self.finish(tid, STEPS)

    def finish(self, tid, steps):
        for _, body in steps:
            answer = self.command(f"/v1/tickets/{tid}/actions", body)
            if answer is None or "conflict" in answer:
                return
            self.record(tid, answer)

    def worker(self):
        while True:
            with self.lock:
                if self.next >= self.tickets:
                    return
                i = self.next
                self.next += 1
            self.run_one(i)

    def start(self):
        self.threads = [threading.Thread(target=self.worker) for _ in range(self.workers)]
        for t in self.threads:
            t.start()

    def join(self):
        for t in self.threads:
            t.join()

    def progress(self):
        with self.lock:
            return self.next


def partition_probe(c, partition, count=20):
    """Tickets of `partition`, opened now: after a failure, responding to one tells that the
    partition takes commands."""
    probes = []
    # A node opens tickets in partitions it writes: its writer's opens land there.
    n = next(x for x in c.live() if x.name == c.owners()[partition])
    for i in range(400):
        code, answer = n.post("/v1/tickets", {"customer": f"probe-{i}", "channel": "web",
                                               "category": "card", "text": "probe"})
        assert code == 201 or code == 200, (code, answer)
        tid = answer["ticket"]["id"]
        if fnv_partition(tid, c.partitions) == partition:
            probes.append(tid)
            if len(probes) == count:
                return probes
    raise AssertionError("no probe ticket landed on the partition")


def fnv_partition(ticket, partitions):
    h = 1469598103934665603
    for ch in ticket.encode():
        h = ((h ^ ch) * 1099511628211) % (1 << 64)
    return h % partitions


def wait_serving(c, probes, started):
    """Seconds from `started` until a probe's response is acknowledged."""
    k = 0
    while True:
        n = random.choice(c.live())
        try:
            code, _ = n.post(f"/v1/tickets/{probes[k]}/actions",
                             {"action": "respond", "text": "probe"})
        except OSError:
            code = 0
        if code == 200:
            return time.monotonic() - started
        if code >= 500 or code == 0:
            k += 1  # perhaps applied after all: the next probe
        assert k < len(probes) and time.monotonic() - started < 60, "the partition never served"
        time.sleep(0.02)


def caught_up(c):
    """Every live node has read every partition's stream as far as its writer."""
    views = {}
    for n in c.live():
        code, body = n.get("/v1/cluster", token=ADMIN)
        if code != 200:
            return False
        views[n.name] = {p["partition"]: p["read_up_to"] for p in body["partitions"]}
    return len(set(tuple(sorted(v.items())) for v in views.values())) == 1


def check_histories(c, load, tickets):
    assert caught_up(c) or wait_for("every node to catch up", lambda: caught_up(c), 60)
    missing, escalation_errors, compared = [], [], 0
    for tid in tickets:
        histories = []
        for n in c.live():
            code, body = n.get(f"/v1/tickets/{tid}")
            assert code == 200, (n.name, tid, code, body)
            histories.append(body["history"])
        # The same history on every node.
        assert all(h == histories[0] for h in histories), f"{tid}: the nodes disagree"
        compared += 1
        history = {(e["seq"], e["type"]) for e in histories[0]}
        for events in load.acked.get(tid, []):
            for e in events:
                if (e["seq"], e["type"]) not in history:
                    missing.append((tid, e["seq"], e["type"]))
        # The first-response timer (1h): never twice; never for a response in time; once for
        # a ticket nobody answered (the clock is past its due time) or answered only after it.
        events = histories[0]
        opened = seconds(next(e for e in events if e["type"] == "opened")["at"])
        escalations = len([e for e in events if e["type"] == "escalated"])
        responded = [seconds(e["at"]) for e in events if e["type"] == "responded"]
        in_time = responded and responded[0] - opened < 3600
        must = not responded or tid in load.withheld
        if escalations > 1 or (in_time and escalations) or (must and escalations != 1):
            escalation_errors.append((tid, escalations, responded, opened))
    assert not missing, f"acknowledged but not in the history: {missing[:10]}"
    assert not escalation_errors, f"timer effects doubled or missing: {escalation_errors[:10]}"
    return compared


def seconds(at):
    return time.mktime(time.strptime(at[:19], "%Y-%m-%dT%H:%M:%S"))


def finish_withheld(c, load, root):
    """Every withheld response falls due (those opened after an earlier move too); the withheld
    tickets go on once escalated, by whichever node writes them now."""
    c.set_clock("2026-03-02T12:00:00Z")

    def escalated(tid):
        code, body = c.live()[0].get(f"/v1/tickets/{tid}")
        return code == 200 and any(e["type"] == "escalated" for e in body["history"])
    try:
        wait_for("every withheld ticket to escalate",
                 lambda: all(escalated(t) for t in load.withheld), timeout=60, every=0.5)
    except AssertionError:
        late = [(t, fnv_partition(t, c.partitions)) for t in load.withheld if not escalated(t)]
        print("not escalated:", late, "writers:", c.owners(), "root:", root)
        raise
    for tid in load.withheld:
        load.finish(tid, STEPS)


def scenario(kind, binary, repo):
    root = tempfile.mkdtemp(prefix="vocflow-cluster-")
    c = Cluster(root, binary, repo, nodes=3, partitions=4, lease="2s")
    try:
        c.start()
        wait_for("the partitions to spread over the nodes",
                 lambda: len(set(c.owners().values())) >= 2, timeout=30)
        owners = c.owners()
        partition = next(p for p, w in owners.items() if w != "n1") if kind == "writer_killed" \
            else 0
        probes = partition_probe(c, partition)
        load = Load(c, tickets=300)
        load.start()
        wait_for("a third of the load", lambda: load.progress() >= 100, timeout=120)
        # The withheld responses fall due: the SLA timers fire around the failure.
        c.set_clock("2026-03-02T10:30:00Z")
        started = time.monotonic()
        if kind == "writer_killed":
            victim = next(n for n in c.nodes if n.name == c.owners()[partition])
            victim.kill()
            took = wait_serving(c, probes, started)
            print(f"partition {partition}: {victim.name} killed; served again after {took:.2f}s")
            assert took <= FAILOVER_BOUND, f"failover took {took:.2f}s"
        else:
            victim = c.nats[0]
            victim.kill()
            took = wait_serving(c, probes, started)
            print(f"nats-server {victim.name} killed; partition {partition} served after "
                  f"{took:.2f}s")
        load.join()
        finish_withheld(c, load, root)
        if kind == "writer_killed":
            victim.clock = c.clock
            victim.start()  # same data folder: it reads what it missed
        else:
            victim.start()
        wait_for("the killed one to catch up", lambda: caught_up(c), timeout=60)
        tickets = sorted(set(load.acked) | set(probes))
        compared = check_histories(c, load, tickets)
        acked = sum(len(v) for v in load.acked.values())
        print(f"{kind}: {acked} commands acknowledged, {compared} tickets compared on "
              f"{len(c.live())} nodes, {load.failures} attempts failed and were sent again")
        # Five commands a ticket; one whose outcome was unknown (its node died) and that was
        # then refused as done already is not counted.
        assert acked >= 0.95 * 300 * 5, f"too little got through: {acked}"
    finally:
        c.stop()
        if "--keep" not in sys.argv:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    scenario(sys.argv[1], sys.argv[2], sys.argv[3])
