#!/usr/bin/env python3
"""FETCH 1:* BODY.PEEK[] throughput, dovecot-like vs Debian's Dovecot, over
IMAP and IMAPS with the same client; and the TLS proxy cost (IMAPS / IMAP on
the same server).

Two mailboxes per server, the same on both:
  big    --big messages of --big-size bytes (bench generator)  -> MB/s
  small  --small messages from scripts/make-maildir.py (~400 B) -> messages/s
One session per (server, transport, mailbox): LOGIN, SELECT INBOX, one
untimed FETCH (builds indexes, warms the page cache), then FETCH 1:*
BODY.PEEK[] repeated for --duration seconds (at least once).
"""
import argparse, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl                              # noqa: E402
from dovecot_ref import DovecotRef, DLBench, USERS, dovecot_version, bad_log_lines, LOG_DIR  # noqa: E402


def fetch_loop(port, tls, user, duration, max_rounds):
    c = bl.IMAPConn(port, tls=tls, timeout=60)
    try:
        c.login(user, USERS[user])
        c.command("SELECT INBOX")
        _, size, msgs = c.command("FETCH 1:* BODY.PEEK[]")       # warm-up
        rounds, nbytes, nmsgs = 0, 0, 0
        t0 = time.time()
        while rounds < max_rounds and (rounds == 0 or time.time() - t0 < duration):
            _, b, m = c.command("FETCH 1:* BODY.PEEK[]")
            rounds, nbytes, nmsgs = rounds + 1, nbytes + b, nmsgs + m
        secs = time.time() - t0
        cipher = c.cipher()
    finally:
        c.close()
    return dict(rounds=rounds, bytes=nbytes, msgs=nmsgs, secs=secs, cipher=cipher,
                mailbox_bytes=size, mailbox_msgs=msgs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=10, help="seconds per measurement (max 60)")
    ap.add_argument("--big", type=int, default=200, help="messages in the big mailbox (max 2000)")
    ap.add_argument("--big-size", type=int, default=65536, help="bytes per big message (max 1M)")
    ap.add_argument("--small", type=int, default=2000, help="messages in the small mailbox "
                    "(max 20000)")
    ap.add_argument("--max-rounds", type=int, default=10000)
    ap.add_argument("--transport", choices=("imaps", "imap", "both"), default="both")
    ap.add_argument("--servers", default="dovecot,dl")
    args = ap.parse_args()
    args.duration = min(args.duration, 60)
    args.big, args.small = min(args.big, 2000), min(args.small, 20000)
    args.big_size = min(args.big_size, 1 << 20)
    transports = ["imap", "imaps"] if args.transport == "both" else [args.transport]
    print(f"# fetch_throughput: big {args.big} x {args.big_size} B, small {args.small} msgs, "
          f"{args.duration:.0f} s each, {dovecot_version()}")
    res, rows = {}, []
    for which in args.servers.split(","):
        cls = DovecotRef if which == "dovecot" else DLBench
        server = cls(conns=50, small=args.small, big=args.big, big_size=args.big_size)
        server.start()
        try:
            for transport in transports:
                tls = transport == "imaps"
                if tls and not server.imaps_ok:
                    print(f"# {server.name}: IMAPS does not answer; not measured")
                    continue
                port = server.imaps_port if tls else server.imap_port
                for user in ("big", "small"):
                    try:
                        r = fetch_loop(port, tls, user, args.duration, args.max_rounds)
                    except (OSError, RuntimeError) as e:
                        print(f"# {server.name} {transport} {user} error: {e}")
                        continue
                    mbps = r["bytes"] / r["secs"] / 1e6
                    mps = r["msgs"] / r["secs"]
                    res[(server.name, transport, user)] = mbps if user == "big" else mps
                    rows.append([server.name, transport, user, r["mailbox_msgs"],
                                 f"{r['mailbox_bytes'] / 1e6:.2f}", r["rounds"],
                                 f"{r['secs']:.1f}", f"{mbps:.1f}", f"{mps:.0f}", r["cipher"]])
            bad = bad_log_lines(server, "fetch_throughput")
            if bad:
                print(f"# {server.name}: {len(bad)} error lines in its log (copy in "
                      f"{LOG_DIR}), first ones:\n#   " + "\n#   ".join(bad[:5]))
        finally:
            server.stop()
    print(bl.table(rows, ["server", "transport", "mailbox", "msgs", "MB", "rounds", "secs",
                          "MB/s", "msgs/s", "cipher"]))
    for transport in transports:
        for user, unit in (("big", "MB/s"), ("small", "msgs/s")):
            ours = res.get(("dovecot-like", transport, user))
            ref = res.get(("Dovecot", transport, user))
            r = bl.ratio(ours, ref)
            extra = "" if r is None else f" (ours {ours:.1f} {unit}, Dovecot {ref:.1f} {unit})"
            print(f"RATIO fetch {transport} {user} {bl.fmt_ratio(r)}{extra}")
    # TLS proxy cost: IMAPS throughput / IMAP throughput on the same server
    for name in ("dovecot-like", "Dovecot"):
        for user in ("big", "small"):
            r = bl.ratio(res.get((name, "imaps", user)), res.get((name, "imap", user)))
            if "imaps" in transports and "imap" in transports:
                print(f"TLSCOST {name} fetch {user} imaps/imap {bl.fmt_ratio(r)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
