#!/usr/bin/env python3
"""Logins per second over IMAP (plaintext on loopback) and IMAPS,
dovecot-like vs Debian's Dovecot, with the same client.

One iteration = connect, (TLS handshake), greeting, LOGIN bench, LOGOUT,
close. --clients threads run iterations back to back for --duration seconds
(after a short warm-up) against one server and transport at a time. Prints
a table and `RATIO` lines (dovecot-like / Dovecot; > 1 means we are faster).
The client is Python on the same machine: absolute numbers include its cost,
the ratio compares the servers under the same load.
"""
import argparse, os, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl                              # noqa: E402
from dovecot_ref import DovecotRef, DLBench, USERS, dovecot_version, bad_log_lines, LOG_DIR  # noqa: E402


def run_logins(port, tls, clients, duration, max_iter):
    ctx = bl.client_tls_context() if tls else None
    stop_at = time.time() + duration
    counts, errors = [0] * clients, []
    lock = threading.Lock()
    total = [0]

    def worker(i):
        while time.time() < stop_at:
            with lock:
                if total[0] >= max_iter:
                    return
                total[0] += 1
            try:
                c = bl.IMAPConn(port, tls=tls, ctx=ctx, timeout=15)
                c.login("bench", USERS["bench"])
                c.close()
                counts[i] += 1
            except (OSError, RuntimeError) as e:
                with lock:
                    errors.append(str(e))
                    if len(errors) > 20:
                        return
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + 30)
    elapsed = time.time() - t0
    return sum(counts), elapsed, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=10, help="seconds per measurement (max 60)")
    ap.add_argument("--clients", type=int, default=4, help="concurrent client threads (max 32)")
    ap.add_argument("--max-logins", type=int, default=50000, help="cap per measurement")
    ap.add_argument("--transport", choices=("imaps", "imap", "both"), default="both")
    ap.add_argument("--servers", default="dovecot,dl")
    args = ap.parse_args()
    args.duration = min(args.duration, 60)
    args.clients = max(1, min(args.clients, 32))
    transports = ["imap", "imaps"] if args.transport == "both" else [args.transport]
    print(f"# login_rate: {args.clients} clients x {args.duration:.0f} s, {dovecot_version()}")
    rates, rows = {}, []
    for which in args.servers.split(","):
        server = DovecotRef(conns=200) if which == "dovecot" else DLBench(conns=200)
        server.start()
        try:
            for transport in transports:
                tls = transport == "imaps"
                if tls and not server.imaps_ok:
                    print(f"# {server.name}: IMAPS does not answer; not measured")
                    rows.append([server.name, transport, "-", "-", "-", "-"])
                    continue
                port = server.imaps_port if tls else server.imap_port
                run_logins(port, tls, args.clients, 1.0, 1000)      # warm-up
                n, secs, errors = run_logins(port, tls, args.clients, args.duration,
                                             args.max_logins)
                rate = n / secs if secs else 0
                rates[(server.name, transport)] = rate if n else None
                rows.append([server.name, transport, n, f"{secs:.1f}", f"{rate:.1f}",
                             len(errors)])
                for e in errors[:3]:
                    print(f"# {server.name} {transport} error: {e}")
            bad = bad_log_lines(server, "login_rate")
            if bad:
                print(f"# {server.name}: {len(bad)} error lines in its log (copy in "
                      f"{LOG_DIR}), first ones:\n#   " + "\n#   ".join(bad[:5]))
        finally:
            server.stop()
    print(bl.table(rows, ["server", "transport", "logins", "secs", "logins/s", "errors"]))
    for transport in transports:
        ours, ref = rates.get(("dovecot-like", transport)), rates.get(("Dovecot", transport))
        r = bl.ratio(ours, ref)
        extra = "" if r is None else f" (ours {ours:.1f}/s, Dovecot {ref:.1f}/s)"
        print(f"RATIO login_rate {transport} {bl.fmt_ratio(r)}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
