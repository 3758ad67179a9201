"""Random kills and restarts of vocflow nodes and nats-servers under the lifecycle load
(`make cluster-chaos`). Each cycle SIGKILLs one node or one NATS server (one of each down at
most), lets the load run on, restarts it and waits until every node has caught up. At the end:
every acknowledged command in the history on every node, no escalation doubled or missing.

  cluster_chaos.py CYCLES VOCFLOW REPO"""

import random
import shutil
import sys
import tempfile
import time

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/actors")
from cluster import Cluster, wait_for  # noqa: E402
from cluster_test import Load, caught_up, check_histories, finish_withheld  # noqa: E402


def main(cycles, binary, repo):
    random.seed(int(time.time()))
    root = tempfile.mkdtemp(prefix="vocflow-chaos-")
    c = Cluster(root, binary, repo, nodes=3, partitions=4, lease="2s")
    kills = {"node": 0, "nats": 0}
    started = time.monotonic()
    try:
        c.start()
        load = Load(c, tickets=10**9, workers=6)
        load.start()
        for cycle in range(cycles):
            kind = random.choice(["node", "nats"])
            victim = random.choice(c.nodes if kind == "node" else c.nats)
            victim.kill()
            kills[kind] += 1
            down = random.uniform(1, 5)
            time.sleep(down)  # the load runs on without it
            victim.start()
            wait_for("every node to catch up", lambda: caught_up(c), timeout=120, every=0.5)
            wait_for("every partition to have a writer", c.all_written, timeout=60)
            print(f"cycle {cycle + 1}: {kind} {victim.name} down {down:.1f}s; "
                  f"{load.progress()} tickets begun", flush=True)
        load.tickets = 0  # the workers finish the tickets they have
        load.join()
        finish_withheld(c, load, root)
        wait_for("every node to catch up", lambda: caught_up(c), timeout=120, every=0.5)
        tickets = sorted(load.acked)
        compared = check_histories(c, load, tickets)
        acked = sum(len(v) for v in load.acked.values())
        print(f"{cycles} cycles ({kills['node']} node kills, {kills['nats']} nats-server kills) "
              f"in {time.monotonic() - started:.0f}s: {acked} commands acknowledged, all in the "
              f"histories of {compared} tickets on 3 nodes; {load.failures} attempts failed "
              f"and were sent again")
    finally:
        c.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
