"""An inventory file of N made-up MSK clusters for the bench scripts.

Usage: python3 scripts/lib/bench_inventory.py N > inventory.toml

Five regions, twenty accounts, 3 to 9 brokers each, every auth mode and both exporters
on, tags for the label options: the shape of a large organisation's inventory.
"""
import sys
n = int(sys.argv[1])
regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-northeast-2"]
for i in range(n):
    region = regions[i % len(regions)]
    brokers = 3 + i % 7
    hosts = [f"b-{b}.bench{i}.x{i:04x}.c2.kafka.{region}.amazonaws.com" for b in range(1, brokers + 1)]
    print("[[cluster]]")
    print(f'name = "bench-{i:04d}"')
    print(f'region = "{region}"')
    print(f'arn = "arn:aws:kafka:{region}:1234567890{i % 20:02d}:cluster/bench-{i:04d}/{i:08x}-1"')
    print('kind = "provisioned"')
    print('kafka_version = "3.6.0"')
    print('auth = { tls = true, scram = true, iam = true }')
    print('monitoring = { jmx_exporter = true, node_exporter = true }')
    print(f'tags = {{ team = "team-{i % 13}", env = "prod" }}')
    boot = ",".join(f"{h}:9098" for h in hosts)
    print(f'bootstrap = {{ sasl-iam = "{boot}" }}')
    print("brokers = [" + ", ".join(f'{{ id = {b}, endpoints = ["{h}"] }}' for b, h in enumerate(hosts, 1)) + "]")
    print()
