"""`make bench`: runs every benchmark and prints its figures."""

from __future__ import annotations

import argparse
import asyncio

from bench.chart import run_chart
from bench.club_checkin import run_club_checkin
from bench.conversation_state import run_conversation_state
from bench.morning import run_morning
from bench.nudges import run_nudge_throughput
from bench.replicas import run_replicas
from bench.startup import run_startup
from bench.updates import run_updates


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--tasks", type=int, default=10_000, help="due tasks for the dispatcher")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per Bot API call")
    parser.add_argument(
        "--pending", type=int, default=1_000_000, help="pending tasks for the start-up figure"
    )
    parser.add_argument("--clubs", type=int, default=1_000, help="clubs checking in at once")
    parser.add_argument(
        "--replica-tasks", type=int, default=10_000, help="due tasks for the replicas (PostgreSQL)"
    )
    parser.add_argument(
        "--users", type=int, default=100_000, help="users with a draft, for the state figures"
    )
    parser.add_argument(
        "--senders", type=int, default=500, help="users sending /start at once (updates)"
    )
    parser.add_argument(
        "--only",
        choices=["nudges", "replicas", "startup", "chart", "clubs", "morning", "state", "updates"],
        default=None,
    )
    args = parser.parse_args()
    # first: the chart benchmark checks that building the app leaves matplotlib unloaded
    if args.only in (None, "chart"):
        run_chart()
    if args.only in (None, "nudges"):
        asyncio.run(run_nudge_throughput(args.tasks, args.latency))
        asyncio.run(run_nudge_throughput(args.tasks, args.latency, server_errors=0.2))
    if args.only in (None, "replicas"):
        asyncio.run(run_replicas(args.replica_tasks, args.latency))
    if args.only in (None, "startup"):
        asyncio.run(run_startup(args.pending))
    if args.only in (None, "clubs"):
        asyncio.run(run_club_checkin(args.clubs, 30, args.latency))
    if args.only in (None, "morning"):
        # 1,000 clubs of 30: 30,000 members, each with a morning nudge
        asyncio.run(run_morning(args.clubs, 30, args.latency))
    if args.only in (None, "state"):
        asyncio.run(run_conversation_state(args.users))
    if args.only in (None, "updates"):
        asyncio.run(run_updates(args.senders, args.latency))


if __name__ == "__main__":
    main()
