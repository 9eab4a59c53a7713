"""UTF8=ACCEPT (RFC 6855) and I18NLEVEL=1 (RFC 5255) against a running
server: mailbox names in modified UTF-7 before ENABLE (as Dovecot 2.3,
compared), in UTF-8 after ENABLE UTF8=ACCEPT in CREATE/LIST/LSUB/STATUS/
SELECT/RENAME/DELETE with the Maildir directory names staying the mUTF-7
ones Dovecot 2.3 writes; names that are not valid UTF-8 refused; SEARCH
CHARSET and SORT/THREAD with another charset BAD after ENABLE; SEARCH and
SORT on non-ASCII subjects and bodies with i;unicode-casemap, the same
results as Dovecot 2.3."""
import os
import re

import pytest

from dlserver import Server
from filled_inbox import server_conn, dovecot_session, without_timing
from rawclient import Imap, LOGGED_IN_RE, login, ok_reply, mailbox_id
import test_condstore

ENTW = "Entw\u00fcrfe"          # Entwurfe with u-umlaut
ENTW7 = "Entw&APw-rfe"
JA = "\u65e5\u672c\u8a9e"       # the RFC 3501 5.1.3 example's last level
JA7 = "&ZeVnLIqe-"
KO = "\u5b50"
KO7 = "&W1A-"
MAILBOXID = "OK [MAILBOXID (F"


def ok_create(tagged):
    return tagged.startswith(MAILBOXID) and \
        tagged.endswith(")] Create completed.")


@pytest.fixture
def srv():
    s = Server(users={"demo": "demo"}, messages=0)
    s.start()
    try:
        yield s
    finally:
        s.stop()


def maildirs(path):
    return sorted(n for n in os.listdir(path) if n.startswith("."))


def enable(c):
    assert c.command("ENABLE UTF8=ACCEPT") == (
        ["* ENABLED UTF8=ACCEPT"], "OK Enabled.")


def test_capability(srv):
    c = login(srv)
    assert c.command("CAPABILITY") == (
        ["* CAPABILITY " + test_condstore.CAPS], "OK Capability completed.")
    caps = test_condstore.CAPS.split()
    assert "UTF8=ACCEPT" in caps and "I18NLEVEL=1" in caps
    assert "UTF8=ONLY" not in caps
    c.close()


def test_mutf7_before_enable(srv):
    c = login(srv)
    _, tagged = c.command("CREATE " + ENTW7)
    assert ok_create(tagged), tagged
    # 8-bit is not modified UTF-7 before ENABLE
    assert c.command('CREATE "%s"' % ENTW) == (
        [], "NO Mailbox name is not valid mUTF-7")
    assert c.command('LIST "" "*"') == ([
        '* LIST (\\HasNoChildren) "." INBOX',
        '* LIST (\\HasNoChildren) "." ' + ENTW7], ok_reply("LIST"))
    assert c.command("STATUS %s (MESSAGES)" % ENTW7) == (
        ["* STATUS %s (MESSAGES 0)" % ENTW7], ok_reply("STATUS"))
    assert maildirs(srv.maildir("demo")) == ["." + ENTW7]
    c.close()


def test_utf8_names(srv):
    c = login(srv)
    enable(c)
    for name in (ENTW, JA + "." + KO, "a&b"):
        _, tagged = c.command('CREATE "%s"' % name)
        assert ok_create(tagged), (name, tagged)
    assert maildirs(srv.maildir("demo")) == sorted(
        ["." + ENTW7, "." + JA7 + "." + KO7, ".a&-b"])
    # listed in storage (mUTF-7) order, UTF-8 names quoted
    assert c.command('LIST "" "*"') == ([
        '* LIST (\\HasNoChildren) "." INBOX',
        '* LIST (\\Noselect \\HasChildren) "." "%s"' % JA,
        '* LIST (\\HasNoChildren) "." "%s.%s"' % (JA, KO),
        '* LIST (\\HasNoChildren) "." "%s"' % ENTW,
        '* LIST (\\HasNoChildren) "." a&b'], ok_reply("LIST"))
    # patterns are UTF-8 too
    assert c.command('LIST "" "*%s"' % KO) == (
        ['* LIST (\\HasNoChildren) "." "%s.%s"' % (JA, KO)],
        ok_reply("LIST"))
    assert c.command('LIST "" "Entw\u00fc%"') == (
        ['* LIST (\\HasNoChildren) "." "%s"' % ENTW], ok_reply("LIST"))
    assert c.command('STATUS "%s" (MESSAGES)' % ENTW) == (
        ['* STATUS "%s" (MESSAGES 0)' % ENTW], ok_reply("STATUS"))
    assert c.command('STATUS "a&b" (MESSAGES)') == (
        ["* STATUS a&b (MESSAGES 0)"], ok_reply("STATUS"))
    # a mUTF-7 spelling is now a literal name
    assert c.command("STATUS %s (MESSAGES)" % ENTW7) == (
        [], "NO [NONEXISTENT] Mailbox doesn't exist: " + ENTW7)
    box_id = mailbox_id(c, '"%s"' % ENTW)
    untagged, tagged = c.command('STATUS "%s" (UIDVALIDITY)' % ENTW)
    assert tagged == ok_reply("STATUS") and len(untagged) == 1, untagged
    m = re.match(r'^\* STATUS "%s" \(UIDVALIDITY ([0-9]+)\)$' % ENTW,
                 untagged[0])
    assert m, untagged
    assert c.command('SELECT "%s"' % ENTW) == ([
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen "
        "\\Draft \\*)] Flags permitted.",
        "* 0 EXISTS",
        "* 0 RECENT",
        "* OK [UIDVALIDITY %s] UIDs valid" % m.group(1),
        "* OK [UIDNEXT 1] Predicted next UID",
        "* OK [MAILBOXID (%s)] Ok" % box_id],
        "OK [READ-WRITE] Select completed.")
    assert c.command('RENAME "%s" "%s2"' % (ENTW, ENTW)) == (
        [], ok_reply("RENAME"))
    assert c.command('SUBSCRIBE "%s2"' % ENTW) == ([], ok_reply("SUBSCRIBE"))
    assert c.command('LSUB "" "*"') == (
        ['* LSUB () "." "%s2"' % ENTW], ok_reply("LSUB"))
    # LSUB's patterns are UTF-8 too, also for a parent it shows
    assert c.command('LSUB "" "Entw\u00fc*"') == (
        ['* LSUB () "." "%s2"' % ENTW], ok_reply("LSUB"))
    assert c.command('SUBSCRIBE "%s.%s"' % (JA, KO)) == (
        [], ok_reply("SUBSCRIBE"))
    assert c.command('LSUB "" "%s%%"' % JA[0]) == (
        ['* LSUB (\\Noselect) "." "%s"' % JA], ok_reply("LSUB"))
    assert c.command('UNSUBSCRIBE "%s.%s"' % (JA, KO)) == (
        [], ok_reply("UNSUBSCRIBE"))
    assert c.command('LIST "" "%s2" RETURN (STATUS (MESSAGES))' % ENTW) == (
        ['* LIST () "." "%s2"' % ENTW,
         '* STATUS "%s2" (MESSAGES 0)' % ENTW], ok_reply("LIST"))
    assert maildirs(srv.maildir("demo")) == sorted(
        ["." + ENTW7 + "2", "." + JA7 + "." + KO7, ".a&-b"])
    assert c.command('DELETE "%s.%s"' % (JA, KO)) == ([], ok_reply("DELETE"))
    assert maildirs(srv.maildir("demo")) == sorted(
        ["." + ENTW7 + "2", ".a&-b"])
    c.close()


def test_utf8_odd_names_on_disk(srv):
    """A name with an encoded TAB goes out quoted in UTF-8 (TAB is a
    TEXT-CHAR); one that
    is not valid mUTF-7 (made on disk) as it is."""
    c = login(srv)
    _, tagged = c.command("CREATE a&AAk-b")
    assert ok_create(tagged), tagged
    os.makedirs(os.path.join(srv.maildir("demo"), ".x&y", "cur"))
    assert c.command('LIST "" "*"')[0] == [
        '* LIST (\\HasNoChildren) "." INBOX',
        '* LIST (\\HasNoChildren) "." a&AAk-b',
        '* LIST (\\HasNoChildren) "." x&y']
    enable(c)
    assert c.command('LIST "" "*"') == ([
        '* LIST (\\HasNoChildren) "." INBOX',
        '* LIST (\\HasNoChildren) "." "a\tb"',
        '* LIST (\\HasNoChildren) "." x&y'], ok_reply("LIST"))
    c.close()


# RFC 6855 3: no control characters, DEL, U+2028/U+2029; not UTF-8 at all
@pytest.mark.parametrize("name", [
    "bad\u2028x", "bad\u2029x", "bad\u0085x", "bad\u007fx"])
def test_utf8_forbidden_names(srv, name):
    c = login(srv)
    enable(c)
    assert c.command('CREATE "%s"' % name) == (
        [], "NO Mailbox name is not valid UTF-8")
    assert maildirs(srv.maildir("demo")) == []
    c.close()


def test_utf8_name_too_long(srv):
    """4000 bytes of UTF-8 are 5336 of mUTF-7: over the 4096 limit; the
    limit applies to the mUTF-7 name."""
    c = login(srv)
    enable(c)
    assert c.command('CREATE "%s"' % ("\u00fc" * 2000)) == (
        [], "NO [CANNOT] Mailbox name too long")
    assert c.command('CREATE "%s"' % ("\u00fc" * 5000)) == (
        [], "NO [CANNOT] Mailbox name too long")
    _, tagged = c.command('CREATE "%s"' % ("\u00fc" * 60))
    assert ok_create(tagged), tagged
    assert maildirs(srv.maildir("demo")) == [".&" + "APwA,AD8" * 20 + "-"]
    c.close()


def test_invalid_utf8_quoted(srv):
    c = login(srv)
    enable(c)
    # invalid UTF-8 in a quoted string after ENABLE: the parser's BAD
    c.send(b't1 CREATE "bad\xc3("\r\n')
    assert c.read_response("t1") == (
        [], "BAD Error in IMAP command CREATE: Invalid UTF-8 in quoted string")
    # in a literal it reaches the name check
    c.send(b"t2 CREATE {5}\r\n")
    assert c.readline() == "+ OK"
    c.send(b"bad\xc3(\r\n")
    assert c.read_response("t2") == ([], "NO Mailbox name is not valid UTF-8")
    assert maildirs(srv.maildir("demo")) == []
    c.close()


def test_charset_after_enable(srv):
    c = login(srv)
    assert c.command("SELECT INBOX")[1] == ok_reply("SELECT")
    assert c.command("SEARCH CHARSET UTF-8 ALL") == (
        ["* SEARCH"], "OK Search completed.")
    enable(c)
    assert c.command("SEARCH CHARSET UTF-8 ALL") == (
        [], "BAD Error in IMAP command SEARCH: CHARSET not allowed after "
        "ENABLE UTF8=ACCEPT.")
    assert c.command("SEARCH ALL") == (["* SEARCH"], "OK Search completed.")
    assert c.command("SORT (SUBJECT) US-ASCII ALL") == (
        [], "BAD Error in IMAP command SORT: CHARSET must be UTF-8 after "
        "ENABLE UTF8=ACCEPT")
    assert c.command("SORT (SUBJECT) utf-8 ALL") == (
        ["* SORT"], "OK Sort completed.")
    assert c.command("THREAD REFERENCES US-ASCII ALL") == (
        [], "BAD Error in IMAP command THREAD: CHARSET must be UTF-8 after "
        "ENABLE UTF8=ACCEPT")
    c.close()


def test_maildir_names_as_dovecot(srv):
    """The directory names our CREATE writes after ENABLE UTF8=ACCEPT
    equal those Dovecot 2.3 writes for the mUTF-7 CREATE."""
    import dovecot
    dovecot.ensure_or_skip()
    dsrv = Server(users={"demo": "demo"}, messages=0)
    dsrv.prepare()
    dc = dovecot.ForServer(dsrv)
    try:
        dc.start_or_skip()
        d = Imap(dc.imap_port, timeout=30)
        assert LOGGED_IN_RE.match(d.command("LOGIN demo demo")[1])
        for name in (ENTW7, JA7 + "." + KO7, "a&-b"):
            assert without_timing(d.command("CREATE " + name)[1]) == \
                "OK Create completed", name
        d_list = d.command('LIST "" "*"')
        d.close()
        d_dirs = maildirs(dsrv.maildir("demo"))
    finally:
        dc.cleanup()
    c = login(srv)
    for name in (ENTW7, JA7 + "." + KO7, "a&-b"):
        assert ok_create(c.command("CREATE " + name)[1])
    # mUTF-7 LIST as Dovecot's (same set; our order is the storage's)
    ours = c.command('LIST "" "*"')
    assert sorted(ours[0]) == sorted(d_list[0])
    assert without_timing(d_list[1]) + "." == ours[1]
    for name in (ENTW7, JA7 + "." + KO7, "a&-b"):
        assert c.command("DELETE " + name) == ([], ok_reply("DELETE"))
    enable(c)
    for name in (ENTW, JA + "." + KO, "a&b"):
        assert ok_create(c.command('CREATE "%s"' % name)[1])
    assert maildirs(srv.maildir("demo")) == d_dirs
    c.close()


# I18NLEVEL=1: i;unicode-casemap (RFC 5051) in SEARCH and SORT
def _qp_subject(text):
    return "=?utf-8?b?%s?=" % __import__("base64").b64encode(
        text.encode()).decode()


I18N_SUBJECTS = [
    "\u00c9clair au chocolat",      # E acute, precomposed
    "eclair plain",
    "e\u0301clair combining",       # e + combining acute
    "Stra\u00dfe",
    "STRASSE",
    "\ufb01ne ligature",            # fi ligature: compatibility form
    "\u01c4emal",                   # DZ caron: titlecase U+01C5
    "\u00e9CLAIR lower",
    "zebra",
]
I18N_MSGS = [
    ("0%d-Jan-2024 10:00:00 +0000" % (i + 1),
     ("Subject: %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\nbody %s gr\u00fc\u00dfe\r\n"
      % (_qp_subject(s), s)).encode())
    for i, s in enumerate(I18N_SUBJECTS)]

# (search keys after CHARSET UTF-8, expected sequence numbers)
I18N_SEARCHES = [
    ('SUBJECT "\u00e9clair"', [1, 3, 8]),
    ('SUBJECT "\u00c9CLAIR"', [1, 3, 8]),
    ('SUBJECT "e\u0301clair"', [1, 3, 8]),
    ('SUBJECT "eclair"', [2]),
    ('SUBJECT "stra\u00dfe"', [4]),
    ('SUBJECT "strasse"', [5]),
    # the ligature decomposes to lowercase "fi" (not titlecased again)
    ('SUBJECT "fine"', []),
    ('SUBJECT "\ufb01"', [6]),
    ('SUBJECT "\u01c6"', [7]),
    ('BODY "GR\u00dc\u00dfE"', list(range(1, 10))),
    ('TEXT "\u00c9clair au"', [1]),
]


@pytest.fixture(scope="module")
def i18n_conn():
    yield from server_conn("maildir", I18N_MSGS)


def _search_want(nums):
    return ["* SEARCH" + "".join(" %d" % n for n in nums)]


@pytest.mark.parametrize("keys,want", I18N_SEARCHES)
def test_i18n_search(i18n_conn, keys, want):
    assert i18n_conn.command("SEARCH CHARSET UTF-8 " + keys) == (
        _search_want(want), "OK Search completed.")


def test_i18n_sort(i18n_conn):
    assert i18n_conn.command("SORT (SUBJECT) UTF-8 ALL") == (
        ["* SORT 7 2 1 3 8 5 4 9 6"], "OK Sort completed.")


def test_i18n_as_dovecot(i18n_conn):
    """Debian's Dovecot 2.3 gives the same SEARCH and SORT results."""
    ours = [i18n_conn.command("SEARCH CHARSET UTF-8 " + k)[0]
            for k, _ in I18N_SEARCHES]
    ours_sort = i18n_conn.command("SORT (SUBJECT) UTF-8 ALL")[0]
    with dovecot_session(I18N_MSGS) as c:
        theirs = [c.command("SEARCH CHARSET UTF-8 " + k)[0]
                  for k, _ in I18N_SEARCHES]
        theirs_sort = c.command("SORT (SUBJECT) UTF-8 ALL")[0]
    assert list(zip([k for k, _ in I18N_SEARCHES], ours)) == \
        list(zip([k for k, _ in I18N_SEARCHES], theirs))
    # one known difference: U+01C4's titlecase U+01C5 decomposes (RFC
    # 5051 2) to "D" "z" U+030C for us, while Dovecot 2.3 leaves it as it
    # is, sorting it last
    assert theirs_sort == ["* SORT 2 1 3 8 5 4 9 6 7"]
    assert ours_sort == ["* SORT 7 2 1 3 8 5 4 9 6"]
