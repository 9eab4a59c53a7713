#!/usr/bin/env python3
"""Create a Maildir with a few sample messages (used by the demo and tests).
usage: make-maildir.py <maildir> [count]"""
import os, sys, time, socket

def message(i, now):
    return ("Return-Path: <alice@example.com>\n"
            "From: Alice Example <alice@example.com>\n"
            "To: Demo User <demo@example.com>\n"
            f"Subject: Sample message {i}\n"
            f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(now - 3600 * i))}\n"
            f"Message-ID: <sample{i}.{int(now)}@example.com>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=us-ascii\n"
            "\n"
            f"Hello, this is sample message number {i}.\n"
            ".A line starting with a dot, for POP3 byte-stuffing.\n"
            "Bye.\n").encode()

def main():
    maildir = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), mode=0o700, exist_ok=True)
    now = time.time()
    host = socket.gethostname().replace("/", "\\057").replace(":", "\\072")
    for i in range(1, count + 1):
        body = message(i, now)
        base = f"{int(now) - count + i}.M{i}P{os.getpid()}.{host},S={len(body)}"
        # the first message has been read already: in cur/ with the S flag
        path = os.path.join(maildir, "cur", base + ":2,S") if i == 1 else \
            os.path.join(maildir, "new", base)
        with open(path, "wb") as f:
            f.write(body)
        os.utime(path, (now - 3600 * i, now - 3600 * i))

main()
