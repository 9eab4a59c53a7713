"""THREAD and UID THREAD (RFC 5256: ORDEREDSUBJECT and REFERENCES)
against a running server, on Maildir and mbox: messages with Message-ID /
References / In-Reply-To chains, missing parents (dummies at the root and
inside), duplicate and missing Message-IDs, a reference loop, subjects
merged by base subject, siblings out of date order; exact "* THREAD"
replies, search keys narrowing the set, UID THREAD, the BAD replies; and
the same threads on Debian's Dovecot 2.3."""
import pytest
from filled_inbox import server_conn, dovecot_session, without_timing, fetch_uids
from test_append_copy import LOCATIONS


def _msg(headers, n):
    return ("".join("%s: %s\r\n" % h for h in headers) +
            "Date: Mon, %d Jan 2024 10:00:00 +0000\r\n\r\nbody %d\r\n"
            % (n, n)).encode()


MSGS = [
    # 1-4: a thread; 3 is older than 2 (siblings by date)
    _msg([("Message-ID", "<a@x>"), ("Subject", "hello")], 1),
    _msg([("Message-ID", "<b@x>"), ("References", "<a@x>"),
          ("Subject", "Re: hello")], 5),
    _msg([("Message-ID", "<c@x>"), ("In-Reply-To", "<a@x> (sent)"),
          ("Subject", "Re: hello")], 3),
    _msg([("Message-ID", "<d@x>"), ("References", "<a@x>\r\n <b@x>"),
          ("Subject", "Re: hello")], 6),
    # 5: its parent is missing: promoted to the root
    _msg([("Message-ID", "<e@x>"), ("References", "<missing@x>"),
          ("Subject", "orphan")], 7),
    # 6, 7: two children of the same missing message
    _msg([("Message-ID", "<f@x>"), ("References", "<missing2@x>"),
          ("Subject", "pair")], 8),
    _msg([("Message-ID", "<g@x>"), ("References", "<missing2@x>"),
          ("Subject", "Re: pair")], 9),
    # 8: no Message-ID, same base subject as 1
    _msg([("Subject", "[list] hello")], 10),
    # 9: a duplicate Message-ID
    _msg([("Message-ID", "<a@x>"), ("Subject", "dup")], 11),
    # 10: a forward of 5 by subject only
    _msg([("Message-ID", "<h@x>"), ("Subject", "Fwd: orphan")], 12),
    # 11, 12: references in a loop
    _msg([("Message-ID", "<i@x>"), ("References", "<j@x>"),
          ("Subject", "loop")], 13),
    _msg([("Message-ID", "<j@x>"), ("References", "<i@x>"),
          ("Subject", "Re: loop")], 14),
    # 13: a reference chain through a missing middle message
    _msg([("Message-ID", "<k@x>"), ("References", "<a@x> <gone@x>"),
          ("Subject", "Re: hello")], 2),
    # 14: no subject, no ids
    _msg([("X-Note", "nothing")], 4),
]

# (algorithm and search keys, the "* THREAD" reply's threads) as Dovecot
# 2.3 gives them
THREADS = [
    ("ORDEREDSUBJECT UTF-8 ALL", "(1 (13)(3)(2)(4)(8))(14)(5 10)(6 7)(9)(11 12)"),
    # 8 joins 1's thread by subject under a dummy; 13's missing parent
    # is pruned; 12 is the root of the loop (its link to 11 would close it)
    ("REFERENCES UTF-8 ALL", "((1 (13)(3)(2 4))(8))(14)(5 10)((6)(7))(9)(12 11)"),
    # without 1, the duplicate 9 holds <a@x>
    ("REFERENCES UTF-8 2:14", "(14)(5 10)((6)(7))(8)(9 (13)(3)(2 4))(12 11)"),
    ("REFERENCES US-ASCII SUBJECT pair", "((6)(7))"),
    ("ORDEREDSUBJECT UTF-8 SUBJECT hello", "(1 (13)(3)(2)(4)(8))"),
    ("REFERENCES UTF-8 SUBJECT nothing-matches", ""),
]


@pytest.fixture(scope="module", params=sorted(LOCATIONS))
def conn(request):
    yield from server_conn(request.param, MSGS, gap=True)


def _want(threads):
    return ["* THREAD" + (" " + threads if threads else "")]


@pytest.mark.parametrize("keys,threads", THREADS)
def test_thread(conn, keys, threads):
    assert conn.command("THREAD " + keys) == (_want(threads),
                                              "OK Thread completed.")


def test_uid_thread(conn):
    uids = fetch_uids(conn)
    # UIDs one above the sequence numbers (the fixture's gap)
    assert uids == list(range(2, len(MSGS) + 2)), uids
    assert conn.command("UID THREAD REFERENCES UTF-8 UID %d:%d" % (
        uids[0], uids[2])) == (
        _want("(%d (%d)(%d))" % (uids[0], uids[2], uids[1])),
        "OK Thread completed.")


BAD = [
    # Dovecot's texts
    ("THREAD", "Invalid arguments"),
    ("THREAD FOO UTF-8 ALL", "Unknown thread algorithm"),
    ("THREAD (REFERENCES) UTF-8 ALL", "Invalid arguments"),
    ("THREAD REFERENCES", "Invalid arguments"),
]


@pytest.mark.parametrize("cmd,error", BAD + [
    # our SEARCH's text (test_search.py)
    ("THREAD REFERENCES UTF-8", "Missing search key")])
def test_thread_bad(conn, cmd, error):
    assert conn.command(cmd) == (
        [], "BAD Error in IMAP command THREAD: " + error)


def test_thread_badcharset(conn):
    assert conn.command("THREAD REFERENCES X-NO-SUCH-CHARSET ALL") == (
        [], "NO [BADCHARSET (UTF-8 US-ASCII)] Unknown charset")


def test_thread_as_dovecot():
    """The same messages and commands on Debian's Dovecot 2.3 give the same
    threads and BAD texts (where it runs). Dovecot ends an empty reply
    with a space; RFC 5256's grammar has none, nor do we."""
    with dovecot_session(MSGS) as c:
        got = [(k, [l.rstrip() for l in c.command("THREAD " + k)[0]])
               for k, _ in THREADS]
        assert got == [(k, _want(t)) for k, t in THREADS]
        got = [(cmd, without_timing(c.command(cmd)[1])) for cmd, _ in BAD]
        assert got == [(cmd, "BAD Error in IMAP command THREAD: " + e)
                       for cmd, e in BAD]
