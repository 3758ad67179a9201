"""The replicated cluster's throughput (bench/RESULTS.md): the lifecycle workload over HTTP
through 3 vocflow nodes on 3 nats-servers (streams with 3 replicas), against raw JetStream
publishes of the same message sizes on the same servers in the same run, and against one
vocflow node on its own. Everything on this machine, on loopback.

  python3 bench/cluster_bench.py [BUILD_DIR] [--tickets N] [--connections C]"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "actors"))
from cluster import ADMIN, AGENT, Cluster, wait_for  # noqa: E402


def http_bench(build, nodes, tickets, connections):
    args = [os.path.join(build, "bench", "http_bench"), "--tickets", str(tickets),
            "--connections", str(connections), "--token", AGENT, "--admin-token", ADMIN]
    for n in nodes:
        args += ["--target", f"127.0.0.1:{n.port}"]
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=REPO).stdout
    print(out, end="")
    peak = float(re.search(r"peak .*: (\d+) commands/s", out).group(1))
    half = re.search(r"half load .* p50 ([\d.]+) ms, p99 ([\d.]+) ms", out)
    return peak, float(half.group(1)), float(half.group(2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default=os.path.join(REPO, "build"))
    ap.add_argument("--tickets", type=int, default=4000)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--partitions", type=int, default=4)
    a = ap.parse_args()
    vocflow = os.path.join(a.build, "app", "vocflow")
    js_bench = os.path.join(a.build, "bench", "jetstream_bench")
    root = tempfile.mkdtemp(prefix="vocflow-cluster-bench-")
    try:
        c = Cluster(os.path.join(root, "cluster"), vocflow, REPO, nodes=3,
                    partitions=a.partitions, lease="3s")
        c.start()
        wait_for("every node to write a partition",
                 lambda: len(set(c.owners().values())) == 3, timeout=90)
        print(f"cluster: 3 nats-servers, 3 vocflow nodes, writers {c.owners()}")
        cluster_peak, cluster_p50, cluster_p99 = http_bench(a.build, c.nodes, a.tickets,
                                                            a.connections)
        urls = ",".join(n.url() for n in c.nats)
        totals = subprocess.run([js_bench, "--nats", urls, "--streams", "VOCFLOW_P",
                                 str(a.partitions)],
                                check=True, capture_output=True, text=True).stdout
        size_bytes, messages = map(int, re.search(r"(\d+) bytes (\d+) messages", totals).groups())
        commands = (a.tickets + a.tickets // 2) * 5
        size = max(1, size_bytes // commands)
        print(f"streams: {size_bytes} bytes in {messages} groups for {commands} commands: "
              f"{size} bytes a command")
        raw = subprocess.run([js_bench, "--nats", urls, "--messages", str(commands), "--size",
                              str(size), "--inflight", str(a.connections)],
                             check=True, capture_output=True, text=True).stdout
        print(raw, end="")
        raw_rate = float(re.search(r"raw async .*: (\d+) messages/s", raw).group(1))
        c.stop()

        single = Cluster(os.path.join(root, "single"), vocflow, REPO, nodes=1,
                         partitions=a.partitions, single=True)
        single.start()
        print("single node, no NATS:")
        single_peak, single_p50, single_p99 = http_bench(a.build, single.nodes, a.tickets,
                                                         a.connections)
        single.stop()

        print(f"cluster      {cluster_peak:.0f} commands/s; half load p50 {cluster_p50:.2f} ms, "
              f"p99 {cluster_p99:.2f} ms")
        print(f"raw          {raw_rate:.0f} JetStream publishes/s of {size} bytes")
        print(f"single node  {single_peak:.0f} commands/s; half load p50 {single_p50:.2f} ms, "
              f"p99 {single_p99:.2f} ms")
        print(f"ratio        cluster / raw JetStream = {cluster_peak / raw_rate:.2f}; "
              f"cluster / single node = {cluster_peak / single_peak:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
