"""SORT and UID SORT (RFC 5256 3, DISPLAYFROM/DISPLAYTO of RFC 5957)
against a running server, on Maildir and mbox: messages appended over
IMAP with chosen INTERNALDATEs and headers that exercise every key (base
subjects with leaders, blobs and encoded words, Date: in other zones and
unparsable, missing headers, display names); exact "* SORT" replies,
REVERSE, ties in mailbox order, search keys narrowing the set, UID SORT,
the BAD replies; and the same programs on Debian's Dovecot 2.3 give the
same order."""
import pytest
from filled_inbox import server_conn, dovecot_session, without_timing, fetch_uids
from test_append_copy import LOCATIONS

MSGS = [
    # (internaldate, message)
    ("05-Jan-2024 10:00:00 +0000",
     b"From: Zed <zed@b.example>\r\nTo: alice@x.example\r\n"
     b"Cc: Bob@x.example\r\nSubject: Re: apple\r\n"
     b"Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n\r\nshort\r\n"),
    ("03-Jan-2024 10:00:00 +0000",
     b"From: alice <alice@a.example>\r\nTo: Bob Zebra <bob@x.example>\r\n"
     b"Subject: [list] Banana\r\n"
     b"Date: Sun, 31 Dec 2023 23:00:00 -0500\r\n\r\n" + b"longer body\r\n" * 20),
    ("04-Jan-2024 10:00:00 +0000",
     b"From: bob@c.example\r\nTo: carol@x.example\r\n"
     b"Subject: apple (fwd)\r\n\r\nno date header\r\n"),
    ("01-Jan-2024 10:00:00 +0000",
     b"From: =?utf-8?q?=C3=89mile?= <emile@d.example>\r\n"
     b"To: =?utf-8?q?Zo=C3=AB?= <zoe@x.example>\r\n"
     b"Subject: =?utf-8?q?=C3=A9clair?=\r\nDate: not a date\r\n\r\nx\r\n"),
    ("02-Jan-2024 10:00:00 +0000",
     b"Cc: carol@x.example\r\nX-Note: no from, to or subject\r\n\r\n"
     b"body\r\n" * 3),
    ("05-Jan-2024 10:00:00 +0000",
     b"From: Zed <zed@b.example>\r\nTo: alice@x.example\r\n"
     b"Subject: Fwd: banana\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\n\r\n"
     b"short\r\n"),
]

# (program and search keys, expected sequence order)
SORTS = [
    ("(ARRIVAL) UTF-8 ALL", [4, 5, 2, 3, 1, 6]),
    ("(REVERSE ARRIVAL) UTF-8 ALL", [1, 6, 3, 2, 5, 4]),
    # no or bad Date: INTERNALDATE; 2's Date is 04:00 UTC on 1 Jan
    # 4's unparsable Date: INTERNALDATE, equal to 1's and 6's Date
    ("(DATE) UTF-8 ALL", [2, 1, 4, 6, 5, 3]),
    ("(SUBJECT) UTF-8 ALL", [5, 1, 3, 2, 6, 4]),
    ("(SUBJECT ARRIVAL) UTF-8 ALL", [5, 3, 1, 2, 6, 4]),
    ("(REVERSE SUBJECT ARRIVAL) UTF-8 ALL", [4, 2, 6, 3, 1, 5]),
    ("(FROM) UTF-8 ALL", [5, 2, 3, 4, 1, 6]),
    ("(TO) UTF-8 ALL", [5, 1, 6, 2, 3, 4]),
    ("(CC) UTF-8 ALL", [2, 3, 4, 6, 1, 5]),
    ("(SIZE) UTF-8 ALL", [3, 6, 1, 4, 5, 2]),
    # a repeated key changes nothing
    ("(SIZE REVERSE SIZE SUBJECT SIZE) UTF-8 ALL", [3, 6, 1, 4, 5, 2]),
    ("(DISPLAYFROM) UTF-8 ALL", [5, 2, 3, 4, 1, 6]),
    ("(DISPLAYTO) UTF-8 ALL", [5, 1, 6, 2, 3, 4]),
    ("(SUBJECT) UTF-8 FROM zed", [1, 6]),
    ("(REVERSE DATE) US-ASCII 2:5", [3, 5, 4, 2]),
    ("(SIZE) UTF-8 SUBJECT nothing-matches", []),
]


@pytest.fixture(scope="module", params=sorted(LOCATIONS))
def conn(request):
    yield from server_conn(request.param, MSGS, gap=True)


def _want(name, nums):
    return ["* %s" % name + "".join(" %d" % n for n in nums)]


@pytest.mark.parametrize("program,want", SORTS)
def test_sort(conn, program, want):
    assert conn.command("SORT " + program) == (_want("SORT", want),
                                               "OK Sort completed.")


def test_uid_sort(conn):
    uids = fetch_uids(conn)
    # UIDs one above the sequence numbers (the fixture's gap)
    assert uids == list(range(2, len(MSGS) + 2)), uids
    want = [uids[n - 1] for n in (5, 1, 3, 2, 6, 4)]
    assert conn.command("UID SORT (SUBJECT) UTF-8 ALL") == (
        _want("SORT", want), "OK Sort completed.")
    # a UID set as search key
    assert conn.command("UID SORT (REVERSE SIZE) UTF-8 UID %d,%d" % (
        uids[0], uids[1])) == (_want("SORT", [uids[1], uids[0]]),
                               "OK Sort completed.")


# the sort program and charset: Dovecot's texts
BAD_PROGRAM = [
    ("SORT", "Invalid sort argument"),
    ("SORT SUBJECT UTF-8 ALL", "Invalid sort argument"),
    ("SORT () UTF-8 ALL", "Empty sort program"),
    ("SORT (SUBJECT REVERSE) UTF-8 ALL", "Sort list ends with REVERSE"),
    ("SORT (COLOR) UTF-8 ALL", "Unknown sort argument: COLOR"),
    ("SORT ((SUBJECT)) UTF-8 ALL", "Invalid sort list argument"),
    ("SORT (SUBJECT)", "Invalid charset argument"),
]
# the search keys: the texts of our SEARCH (test_search.py)
BAD = BAD_PROGRAM + [
    ("SORT (SUBJECT) UTF-8", "Missing search key"),
    ("SORT (SUBJECT) UTF-8 NOSUCHKEY", "Unknown search key"),
]


@pytest.mark.parametrize("cmd,error", BAD)
def test_sort_bad(conn, cmd, error):
    untagged, tagged = conn.command(cmd)
    assert (untagged, tagged) == (
        [], "BAD Error in IMAP command SORT: " + error)


def test_sort_badcharset(conn):
    assert conn.command("SORT (SUBJECT) X-NO-SUCH-CHARSET ALL") == (
        [], "NO [BADCHARSET (UTF-8 US-ASCII)] Unknown charset")


def test_sort_as_dovecot():
    """The same messages and programs on Debian's Dovecot 2.3 give the
    same order and BAD texts (where it runs)."""
    with dovecot_session(MSGS) as c:
        got = [(p, c.command("SORT " + p)[0]) for p, _ in SORTS]
        assert got == [(p, _want("SORT", w)) for p, w in SORTS]
        got = [(cmd, without_timing(c.command(cmd)[1]))
               for cmd, _ in BAD_PROGRAM]
        assert got == [(cmd, "BAD Error in IMAP command SORT: " + e)
                       for cmd, e in BAD_PROGRAM]
