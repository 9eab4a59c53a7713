"""CONTEXT=SEARCH (RFC 5267) against a running server: RETURN (PARTIAL
low:high) in SEARCH, UID SEARCH and SORT (RFC 5267's positive ranges:
Dovecot 2.3 implements RFC 5267, not RFC 9394's negative ranges, and so do
we), its BAD texts; RETURN (CONTEXT); RETURN (UPDATE) searches reporting
"ADDTO"/"REMOVEFROM" (position 0, as Dovecot) for APPEND, STORE and
EXPUNGE in this session, for another session's changes after NOOP and
during IDLE; CANCELUPDATE. Every reply is asserted exactly, and the same
steps on Debian's Dovecot 2.3 give the same ESEARCH lines and tagged
replies."""
import re

import pytest
from dlserver import Server
from filled_inbox import append_all, dovecot_session, without_timing
from rawclient import login, ok_reply, select as raw_select
from test_append_copy import LOCATIONS, append, prepare_mbox_home
from test_esearch import parse_esearch

MSGS = [b"Subject: m%d\r\nFrom: x@example.org\r\n\r\nbody %d\r\n" % (i, i)
        for i in range(6)]
NEW = b"Subject: new\r\n\r\nx\r\n"

_TAG_RE = re.compile(r'\(TAG "(t[0-9]+)"\)')
# RFC 5267 4.3/4.4 additions to parse_esearch's RFC 4731 grammar
_UPDATE_RE = re.compile(r'^\* ESEARCH \(TAG "[^"]+"\)( UID)?'
                        r'( REMOVEFROM \(0 [0-9:,]+\))?( ADDTO \(0 [0-9:,]+\))?$')
_PARTIAL_RE = re.compile(r' PARTIAL \(([1-9][0-9]*):([1-9][0-9]*) '
                         r'(NIL|[0-9:,]+)\)')


def check_esearch(line):
    """Asserts the grammar of one ESEARCH line (an update, or a result with
    PARTIAL taken out for parse_esearch)."""
    if " ADDTO " in line or " REMOVEFROM " in line:
        assert _UPDATE_RE.match(line), line
        return
    parse_esearch(_PARTIAL_RE.sub("", line))


def run_step(c, step, tags):
    """One step: a command ("{s<n>}" is the tag step n was sent with) or
    ("append", message). Returns (untagged, tagged) with each ESEARCH tag
    written as the step that created it ("s<n>")."""
    if isinstance(step, tuple):
        untagged, tagged = append(c, "INBOX", step[1])
        tagged = re.sub(r"\[APPENDUID [0-9]+ ", "[APPENDUID x ", tagged)
    else:
        cmd = re.sub(r"\{s([0-9]+)\}", lambda m: tags[int(m.group(1))], step)
        untagged, tagged = c.command(cmd)
    tags.append("t%d" % c.n)
    names = {t: "s%d" % i for i, t in enumerate(tags)}
    out = []
    for line in untagged:
        if line.startswith("* ESEARCH"):
            check_esearch(line)
            line = _TAG_RE.sub(lambda m: '(TAG "%s")' % names[m.group(1)],
                               line)
        out.append(line)
    return out, without_timing(tagged).rstrip(".")


BAD = "BAD Error in IMAP command SEARCH: "
# (step, untagged ESEARCH lines, tagged): our exact replies and Dovecot's
STEPS = [
    ("SEARCH RETURN (PARTIAL 1:5) ALL",
     ['* ESEARCH (TAG "s0") PARTIAL (1:5 1:5)'], "OK Search completed"),
    ("SEARCH RETURN (PARTIAL 5:1) ALL",
     ['* ESEARCH (TAG "s1") PARTIAL (1:5 1:5)'], "OK Search completed"),
    ("SEARCH RETURN (PARTIAL 10:20) ALL",
     ['* ESEARCH (TAG "s2") PARTIAL (10:20 NIL)'], "OK Search completed"),
    ("SEARCH RETURN (PARTIAL 1:4294967295) ALL",
     ['* ESEARCH (TAG "s3") PARTIAL (1:4294967295 1:6)'],
     "OK Search completed"),
    ("SEARCH RETURN (MAX PARTIAL 2:3 MIN COUNT) 1:3",
     ['* ESEARCH (TAG "s4") MIN 1 MAX 3 PARTIAL (2:3 2:3) COUNT 3'],
     "OK Search completed"),
    ("UID SEARCH RETURN (PARTIAL 2:3) ALL",
     ['* ESEARCH (TAG "s5") UID PARTIAL (2:3 2:3)'], "OK Search completed"),
    ("SEARCH RETURN (PARTIAL 2:3) SUBJECT nomatch",
     ['* ESEARCH (TAG "s6") PARTIAL (2:3 NIL)'], "OK Search completed"),
    ("SORT RETURN (PARTIAL 2:4) (REVERSE SUBJECT) UTF-8 ALL",
     ['* ESEARCH (TAG "s7") PARTIAL (2:4 5,4,3)'], "OK Sort completed"),
    ("SEARCH RETURN (PARTIAL -1:-3) ALL", [], BAD + "PARTIAL range broken"),
    ("SEARCH RETURN (PARTIAL 0:3) ALL", [], BAD + "PARTIAL range broken"),
    ("SEARCH RETURN (PARTIAL) ALL", [], BAD + "PARTIAL range missing"),
    ("SEARCH RETURN (PARTIAL (1:2)) ALL", [], BAD + "PARTIAL range missing"),
    ("SEARCH RETURN (PARTIAL x) ALL", [], BAD + "PARTIAL range broken"),
    ("SEARCH RETURN (PARTIAL 1) ALL", [], BAD + "PARTIAL range broken"),
    ("SEARCH RETURN (PARTIAL 1:*) ALL", [], BAD + "PARTIAL range broken"),
    ("SEARCH RETURN (PARTIAL 1,2) ALL", [], BAD + "PARTIAL range broken"),
    ("SEARCH RETURN (PARTIAL 1:4294967296) ALL", [],
     BAD + "PARTIAL range broken"),
    ("SEARCH RETURN (PARTIAL 1:2 PARTIAL 3:4) ALL", [],
     BAD + "PARTIAL can be used only once"),
    ("SEARCH RETURN (PARTIAL 1:2 ALL) ALL", [],
     BAD + "PARTIAL conflicts with ALL"),
    ("SEARCH RETURN (CONTEXT) ALL",
     ['* ESEARCH (TAG "s19") ALL 1:6'], "OK Search completed"),
    ("SEARCH RETURN (CONTEXT COUNT) ALL",
     ['* ESEARCH (TAG "s20") COUNT 6'], "OK Search completed"),
    ("STORE 2 +FLAGS.SILENT (\\Seen)", [], "OK Store completed"),
    # the update searches: s22..s26
    ("SEARCH RETURN (UPDATE) UNSEEN",
     ['* ESEARCH (TAG "s22")'], "OK Search completed"),
    ("UID SEARCH RETURN (UPDATE COUNT MIN) UNSEEN",
     ['* ESEARCH (TAG "s23") UID MIN 1 COUNT 5'], "OK Search completed"),
    ("SORT RETURN (CONTEXT UPDATE) (REVERSE SUBJECT) UTF-8 UNSEEN",
     ['* ESEARCH (TAG "s24")'], "OK Sort completed"),
    ("SEARCH RETURN (UPDATE PARTIAL 1:2) ALL",
     ['* ESEARCH (TAG "s25") PARTIAL (1:2 1:2)'], "OK Search completed"),
    ("SEARCH RETURN (UPDATE SAVE) UNSEEN",
     ['* ESEARCH (TAG "s26")'], "OK Search completed"),
    (("append", NEW),
     ['* ESEARCH (TAG "s22") ADDTO (0 7)',
      '* ESEARCH (TAG "s23") UID ADDTO (0 7)',
      '* ESEARCH (TAG "s24") ADDTO (0 7)',
      '* ESEARCH (TAG "s25") ADDTO (0 7)',
      '* ESEARCH (TAG "s26") ADDTO (0 7)'], None),
    ("NOOP", [], "OK NOOP completed"),
    ("STORE 1 +FLAGS.SILENT (\\Seen)",
     ['* ESEARCH (TAG "s22") REMOVEFROM (0 1)',
      '* ESEARCH (TAG "s23") UID REMOVEFROM (0 1)',
      '* ESEARCH (TAG "s24") REMOVEFROM (0 1)',
      '* ESEARCH (TAG "s26") REMOVEFROM (0 1)'], "OK Store completed"),
    ("STORE 2 -FLAGS.SILENT (\\Seen)",
     ['* ESEARCH (TAG "s22") ADDTO (0 2)',
      '* ESEARCH (TAG "s23") UID ADDTO (0 2)',
      '* ESEARCH (TAG "s24") ADDTO (0 2)',
      '* ESEARCH (TAG "s26") ADDTO (0 2)'], "OK Store completed"),
    ("CANCELUPDATE \"{s22}\"", [], "OK Updates cancelled"),
    ("CANCELUPDATE \"{s22}\"", [], "NO Unknown tag"),
    ("CANCELUPDATE \"x99\"", [], "NO Unknown tag"),
    ("CANCELUPDATE {s26}", [],
     "BAD Error in IMAP command CANCELUPDATE: Invalid parameters"),
    ("CANCELUPDATE", [],
     "BAD Error in IMAP command CANCELUPDATE: Invalid parameters"),
    # a sequence set means the messages it meant (s36)
    ("SEARCH RETURN (UPDATE) 5:6", ['* ESEARCH (TAG "s36")'],
     "OK Search completed"),
    # stops at the first unknown tag: s24 stays
    ("CANCELUPDATE \"x98\" \"{s24}\"", [], "NO Unknown tag"),
    ("STORE 1:3 +FLAGS.SILENT (\\Deleted)", [], "OK Store completed"),
    ("EXPUNGE",
     ['* ESEARCH (TAG "s23") UID REMOVEFROM (0 2:3)',
      '* ESEARCH (TAG "s24") REMOVEFROM (0 2:3)',
      '* ESEARCH (TAG "s25") REMOVEFROM (0 1:3)',
      '* ESEARCH (TAG "s26") REMOVEFROM (0 2:3)'], None),
    ("CANCELUPDATE \"{s23}\" \"{s24}\"", [], "OK Updates cancelled"),
    ("STORE 1 +FLAGS.SILENT (\\Seen)",
     ['* ESEARCH (TAG "s26") REMOVEFROM (0 1)'], "OK Store completed"),
    ("SEARCH RETURN (SAVE) 1", [], "OK Search completed"),
    ("FETCH $ (UID)", [], "OK Fetch completed"),
]


def _esearch_only(untagged):
    return [line for line in untagged if line.startswith("* ESEARCH")]


def _whole_untagged(step):
    """Every step's untagged reply is only its ESEARCH lines, except
    APPEND's and EXPUNGE's (EXISTS/RECENT, EXPUNGE around them) and the
    FETCH (asserted in full on its own)."""
    return isinstance(step, str) and step not in ("EXPUNGE", "FETCH $ (UID)")


def _run(c):
    tags = []
    return [run_step(c, step, tags) for step, _, _ in STEPS]


def _ours(kind, run=None):
    """run(c) (default: _run) on our server with MSGS in a selected INBOX
    of the given kind; its result."""
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS[kind])
    s.start()
    try:
        if kind == "mbox":
            prepare_mbox_home(s)
        c = login(s)
        append_all(c, MSGS)
        assert raw_select(c)["EXISTS"] == len(MSGS)
        got = (run or _run)(c)
        c.close()
    finally:
        s.stop()
    return got


@pytest.mark.parametrize("kind", sorted(LOCATIONS))
def test_steps(kind):
    got = _ours(kind)
    for (step, want_esearch, want_tagged), (untagged, tagged) in \
            zip(STEPS, got):
        if _whole_untagged(step):
            assert untagged == want_esearch, (step, untagged)
        else:
            assert _esearch_only(untagged) == want_esearch, (step, untagged)
        if want_tagged is not None:
            assert tagged == want_tagged, (step, tagged)
    # the untagged lines around the updates, in full
    by_step = dict((s if isinstance(s, str) else "append", r)
                   for (s, _, _), r in zip(STEPS, got))
    untagged, tagged = by_step["append"]
    # RECENT depends on the backend; the ADDTOs follow EXISTS/RECENT
    assert untagged[0] == "* 7 EXISTS" and \
        re.match(r"^\* [0-9]+ RECENT$", untagged[1]) and \
        _esearch_only(untagged) == untagged[2:], untagged
    assert tagged == "OK [APPENDUID x 7] Append completed", tagged
    untagged, tagged = by_step["EXPUNGE"]
    # then RECENT: the \Recent count went down (as Dovecot)
    assert untagged[4:-1] == ["* 3 EXPUNGE", "* 2 EXPUNGE", "* 1 EXPUNGE"] \
        and re.match(r"^\* [0-9]+ RECENT$", untagged[-1]), untagged
    assert tagged == "OK Expunge completed"
    # "$" of UPDATE SAVE is a plain saved result
    assert by_step["FETCH $ (UID)"] == (["* 1 FETCH (UID 4)"],
                                        "OK Fetch completed")


def test_as_dovecot():
    ours = _ours("maildir")
    with dovecot_session(MSGS) as dc:
        theirs = _run(dc)
    for (step, _, _), a, b in zip(STEPS, ours, theirs):
        if step == "FETCH $ (UID)" or isinstance(step, tuple):
            continue	# Dovecot's "Fetch completed" timing, APPENDUID
        if _whole_untagged(step):
            assert a == b, step
        else:
            assert (_esearch_only(a[0]), a[1]) == \
                (_esearch_only(b[0]), b[1]), step


def _session(s):
    c = login(s)
    assert raw_select(c)["EXISTS"] == len(MSGS)
    return c


@pytest.mark.parametrize("kind", sorted(LOCATIONS))
def test_other_session(kind):
    """Another session's APPEND, STORE and EXPUNGE reach the update search
    after NOOP and during IDLE."""
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS[kind])
    s.start()
    try:
        if kind == "mbox":
            prepare_mbox_home(s)
        c = login(s)
        append_all(c, MSGS)
        assert raw_select(c)["EXISTS"] == len(MSGS)
        other = _session(s)
        untagged, tagged = c.command("SEARCH RETURN (UPDATE) UNSEEN")
        tag = "t%d" % c.n
        assert untagged == ['* ESEARCH (TAG "%s")' % tag], untagged
        assert tagged == "OK Search completed.", tagged
        assert other.command("STORE 2 +FLAGS.SILENT (\\Seen)")[1] == \
            ok_reply("STORE")
        untagged, tagged = c.command("NOOP")
        assert tagged == ok_reply("NOOP")
        assert untagged[-1] == '* ESEARCH (TAG "%s") REMOVEFROM (0 2)' % tag, \
            untagged
        _, tagged = append(other, "INBOX", NEW)
        tagged = re.sub(r"\[APPENDUID [0-9]+ ", "[APPENDUID x ", tagged)
        assert tagged == "OK [APPENDUID x 7] Append completed.", tagged
        untagged, tagged = c.command("NOOP")
        assert untagged[0] == "* 7 EXISTS" and \
            re.match(r"^\* [0-9]+ RECENT$", untagged[1]) and \
            untagged[2:] == ['* ESEARCH (TAG "%s") ADDTO (0 7)' % tag], \
            untagged
        # during IDLE
        c.send("i1 IDLE\r\n")
        assert c.readline() == "+ idling"
        assert other.command("STORE 1 +FLAGS.SILENT (\\Deleted)")[1] == \
            ok_reply("STORE")
        assert other.command("EXPUNGE")[1] == ok_reply("EXPUNGE")
        lines = [c.readline(), c.readline()]
        assert lines == ['* ESEARCH (TAG "%s") REMOVEFROM (0 1)' % tag,
                         "* 1 EXPUNGE"], lines
        c.send("DONE\r\n")
        # a RECENT change may still come (backend-dependent), nothing else
        line = c.readline()
        while re.match(r"^\* [0-9]+ RECENT$", line):
            line = c.readline()
        assert line == "i1 OK Idle completed.", line
        other.close()
        # closing the mailbox ends the updates
        assert c.command("UNSELECT") == ([], "OK Unselect completed.")
        untagged, tagged = c.command("CANCELUPDATE \"%s\"" % tag)
        assert (untagged, tagged) == ([], "NO Unknown tag."), tagged
        c.close()
    finally:
        s.stop()


def test_update_limit():
    """At most 64 UPDATE searches per session (Dovecot has no bound):
    then NO [LIMIT] and nothing registered, until one is cancelled."""
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS["maildir"])
    s.start()
    try:
        c = login(s)
        append_all(c, MSGS)
        assert raw_select(c)["EXISTS"] == len(MSGS)
        tags = []
        for _ in range(64):
            untagged, tagged = c.command("SEARCH RETURN (UPDATE) UNSEEN")
            tags.append("t%d" % c.n)
            assert (untagged, tagged) == (
                ['* ESEARCH (TAG "%s")' % tags[-1]], "OK Search completed.")
        assert c.command("SEARCH RETURN (UPDATE) UNSEEN") == \
            ([], "NO [LIMIT] Too many UPDATE searches")
        # the refused one wasn't registered
        assert c.command('CANCELUPDATE "t%d"' % c.n) == \
            ([], "NO Unknown tag.")
        assert c.command('CANCELUPDATE "%s"' % tags[0]) == \
            ([], "OK Updates cancelled.")
        untagged, tagged = c.command("SEARCH RETURN (UPDATE) UNSEEN")
        assert tagged == "OK Search completed.", tagged
        tags = tags[1:] + ["t%d" % c.n]
        # all 64 see one change, in the order they were made
        untagged, tagged = c.command("STORE 1 +FLAGS.SILENT (\\Seen)")
        assert tagged == ok_reply("STORE"), tagged
        assert untagged == ['* ESEARCH (TAG "%s") REMOVEFROM (0 1)' % t
                            for t in tags], untagged
        c.close()
    finally:
        s.stop()


SAVE_CMDS = [
    "SEARCH RETURN (PARTIAL 2:3 SAVE) ALL", "FETCH $ (UID)",
    "SEARCH RETURN (PARTIAL 2:3 MIN SAVE) ALL", "FETCH $ (UID)",
    "SEARCH RETURN (PARTIAL 3:3 MAX SAVE) ALL", "FETCH $ (UID)",
    "SEARCH RETURN (PARTIAL 2:3 COUNT SAVE) ALL", "FETCH $ (UID)",
    "SEARCH RETURN (PARTIAL 9:12 SAVE) ALL", "FETCH $ (UID)",
    "SORT RETURN (PARTIAL 1:2 SAVE) (REVERSE SUBJECT) UTF-8 ALL",
    "FETCH $ (UID)",
]
SAVE_WANT = [
    ['* ESEARCH (TAG "x") PARTIAL (2:3 2:3)'],
    ["* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)"],
    ['* ESEARCH (TAG "x") MIN 1 PARTIAL (2:3 2:3)'],
    ["* 1 FETCH (UID 1)", "* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)"],
    ['* ESEARCH (TAG "x") MAX 6 PARTIAL (3:3 3)'],
    ["* 3 FETCH (UID 3)", "* 6 FETCH (UID 6)"],
    ['* ESEARCH (TAG "x") PARTIAL (2:3 2:3) COUNT 6'],
    ["* %d FETCH (UID %d)" % (n, n) for n in range(1, 7)],
    ['* ESEARCH (TAG "x") PARTIAL (9:12 NIL)'],
    [],
    ['* ESEARCH (TAG "x") PARTIAL (1:2 6,5)'],
    ["* 5 FETCH (UID 5)", "* 6 FETCH (UID 6)"],
]


def _run_save(c):
    out = []
    for cmd in SAVE_CMDS:
        untagged, tagged = c.command(cmd)
        untagged = [_TAG_RE.sub('(TAG "x")', line) for line in untagged]
        out.append((untagged, without_timing(tagged).rstrip(".")))
    return out


def test_partial_save():
    """SAVE with PARTIAL keeps the slice (and MIN/MAX's messages) unless
    ALL or COUNT is asked, as Dovecot; the same replies there."""
    s = Server(users={"demo": "demo"}, messages=0,
               mail_location=LOCATIONS["maildir"])
    s.start()
    try:
        c = login(s)
        append_all(c, MSGS)
        assert raw_select(c)["EXISTS"] == len(MSGS)
        ours = _run_save(c)
        c.close()
    finally:
        s.stop()
    assert [u for u, _ in ours] == SAVE_WANT, ours
    assert all(t in ("OK Search completed", "OK Fetch completed",
                     "OK Sort completed") for _, t in ours), ours
    with dovecot_session(MSGS) as dc:
        theirs = _run_save(dc)
    assert ours == theirs


# FETCH's implicit \Seen, STORE and a COPY into the selected mailbox reach
# the update searches at the end of that same command (as Dovecot), and
# the NOOP after each has nothing left to report.
CHANGE_PAIRS = [
    ("FETCH 1 BODY[]", "NOOP"),
    ("UID STORE 2 +FLAGS.SILENT (\\Seen)", "NOOP"),
    ("COPY 3 INBOX", "NOOP"),
    ("UID STORE 1:* -FLAGS.SILENT (\\Seen)", "NOOP"),
    ("STORE 4 +FLAGS.SILENT (\\Seen)", "NOOP"),
    ("NOOP", "NOOP"),
]


_COPYUID_OK_RE = re.compile(r"^OK \[COPYUID \d+ 3 \d+\] Copy completed$")


def _pair_tagged_ok(cmd, tagged):
    """Is tagged the exact OK (either server's, Dovecot's timing and the
    final '.' left out) for one of CHANGE_PAIRS' commands?"""
    tagged = without_timing(tagged).rstrip(".")
    if cmd.startswith("COPY "):
        return _COPYUID_OK_RE.match(tagged) is not None
    return tagged == ok_reply(cmd).rstrip(".")


def _run_pairs(c):
    """The ESEARCH lines (tags as u0/u1) of each command of CHANGE_PAIRS
    after two update searches, one list per command."""
    tags = {}
    for i, cmd in enumerate(["SEARCH RETURN (UPDATE) UNSEEN",
                             "UID SEARCH RETURN (UPDATE) SEEN"]):
        untagged, tagged = c.command(cmd)
        tags["t%d" % c.n] = "u%d" % i
        assert untagged == ['* ESEARCH (TAG "t%d")%s' %
                            (c.n, " UID" if i else "")], untagged
    out = []
    for pair in CHANGE_PAIRS:
        for cmd in pair:
            untagged, tagged = c.command(cmd)
            assert _pair_tagged_ok(cmd, tagged), (cmd, tagged)
            out.append([_TAG_RE.sub(lambda m: '(TAG "%s")' %
                                    tags[m.group(1)], line)
                        for line in untagged
                        if isinstance(line, str) and
                        line.startswith("* ESEARCH")])
    return out


@pytest.mark.parametrize("kind", sorted(LOCATIONS))
def test_unreported_changes_as_dovecot(kind):
    ours = _ours(kind, _run_pairs)
    # one list per command: each pair's NOOP (the odd ones) has nothing
    assert ours == [
        ['* ESEARCH (TAG "u0") REMOVEFROM (0 1)',
         '* ESEARCH (TAG "u1") UID ADDTO (0 1)'], [],
        ['* ESEARCH (TAG "u0") REMOVEFROM (0 2)',
         '* ESEARCH (TAG "u1") UID ADDTO (0 2)'], [],
        ['* ESEARCH (TAG "u0") ADDTO (0 7)'], [],
        ['* ESEARCH (TAG "u0") ADDTO (0 1:2)',
         '* ESEARCH (TAG "u1") UID REMOVEFROM (0 1:2)'], [],
        ['* ESEARCH (TAG "u0") REMOVEFROM (0 4)',
         '* ESEARCH (TAG "u1") UID ADDTO (0 4)'], [],
        [], []], ours
    with dovecot_session(MSGS) as dc:
        theirs = _run_pairs(dc)
    assert ours == theirs
