"""auto = create / subscribe mailboxes, lazily as Dovecot 2.3: nothing is
created at login (IMAP or POP3); LIST, LIST (SPECIAL-USE), LSUB and LIST
(SUBSCRIBED) show a missing one as if it existed (auto = subscribe as
subscribed, without writing the subscriptions file, even after
UNSUBSCRIBE); it is created (and auto = subscribe ones subscribed) when
first opened: SELECT, EXAMINE, STATUS, APPEND, COPY target. Each
command's reply and the Maildir's state after it are compared with
Debian's Dovecot 2.3 running the same session on the same config."""
import os, re
from dlserver import Server
import dovecot
from rawclient import Imap, LOGGED_IN_RE, Pop3, login
from test_namespaces import run

AUTO_NS = """namespace inbox {
  inbox = yes
  prefix =
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
  mailbox Drafts {
    special_use = \\Drafts
  }
  mailbox Archive {
    special_use = \\Archive
    auto = create
  }
}
namespace compat {
  prefix = INBOX/
  separator = /
  hidden = yes
  list = no
  subscriptions = no
  location =
}
"""

MSG = "Subject: x\r\n\r\nhi\r\n"

SCRIPT = [
    'LIST "" "*"', 'LIST (SPECIAL-USE) "" "*"', 'LSUB "" "*"',
    'LIST (SUBSCRIBED) "" "*"', 'LIST "" "%" RETURN (SPECIAL-USE)',
    'LIST "" "INBOX/*"', 'LSUB "" "INBOX/*"', 'SUBSCRIBE INBOX/Junk',
    'LIST "" "T*" RETURN (STATUS (MESSAGES))',  # opens (creates) Trash
    'LIST "" "INBOX/*" RETURN (SPECIAL-USE)',
    'UNSUBSCRIBE Sent', 'LSUB "" "*"',
    'STATUS Junk (MESSAGES)', 'LSUB "" "*"',
    'SELECT Sent', 'LIST (SUBSCRIBED) "" "*"',
    'UNSUBSCRIBE Sent', 'LSUB "" "*"', 'LIST (SUBSCRIBED) "" "*"',
    'APPEND Drafts {%d+}\r\n%s' % (len(MSG), MSG),
    'APPEND Sent {%d+}\r\n%s' % (len(MSG), MSG),
    'SELECT Sent', 'COPY 1 Archive', 'UNSELECT',
    'DELETE Sent', 'LIST "" "*"', 'LSUB "" "*"',
    'APPEND Sent {%d+}\r\n%s' % (len(MSG), MSG),
    'DELETE Junk', 'DELETE Junk', 'EXAMINE Junk',
    'CREATE foo', 'SUBSCRIBE INBOX/foo', 'LSUB "" "INBOX/*"',
    'LIST "" "INBOX/*o*"', 'LIST "" "INBOX/S*"', 'SUBSCRIBE Sent',
    'SUBSCRIBE Junk',
    'LIST (SUBSCRIBED) "" "*"',
]


def disk(md):
    """The mailbox directories and the subscriptions file (None: none)."""
    dirs = sorted(n for n in os.listdir(md) if n.startswith(".")
                  and os.path.isdir(os.path.join(md, n)))
    path = os.path.join(md, "subscriptions")
    subs = open(path).read() if os.path.exists(path) else None
    return dirs, subs


def session(imap_port, pop3_port, md, script=SCRIPT):
    """POP3 login, IMAP login, then script: [(cmd, untagged, tagged,
    disk state after it)], the logins as the first two."""
    out = []
    p = Pop3(pop3_port, timeout=30)
    replies = [p.command("USER demo"), p.command("PASS demo"),
               p.command("QUIT")]
    p.close()
    out.append(("POP3", replies[:2], replies[2], disk(md)))
    c = Imap(imap_port, timeout=30)
    _, tagged = c.command("LOGIN demo demo")
    assert LOGGED_IN_RE.match(tagged), tagged
    out.append(("LOGIN", [], "", disk(md)))
    for cmd in script:
        (res,) = run(c, [cmd])
        # UIDVALIDITYs differ; MAILBOXID (RFC 8474) is ours alone
        untagged = [re.sub(r"\[UIDVALIDITY \d+\]", "[UIDVALIDITY *]", l)
                    for l in res[1] if "[MAILBOXID " not in l]
        tagged = re.sub(r"^OK \[COPYUID \d+ ", "OK [COPYUID * ",
                        re.sub(r"\[MAILBOXID \(\w+\)\] ", "", res[2]))
        res = (cmd, untagged, tagged)
        out.append(res + (disk(md),))
    c.close()
    return out


def ours(script=SCRIPT):
    srv = Server(users={"demo": "demo"}, extra_conf=AUTO_NS).start()
    try:
        return session(srv.imap_port, srv.pop3_port, srv.maildir("demo"),
                       script)
    finally:
        srv.stop()


def theirs(script=SCRIPT):
    dovecot.ensure_or_skip()
    srv = Server(users={"demo": "demo"})
    srv.prepare()
    dc = dovecot.ForServer(srv)
    with open(dc.conf, "a") as f:
        f.write(AUTO_NS)
    try:
        dc.start_or_skip()
        return session(dc.imap_port, dc.pop3_port, srv.maildir("demo"),
                       script)
    finally:
        dc.cleanup()


def step(out, cmd, nth=0):
    return [o for o in out if o[0] == cmd][nth]


def test_auto_mailboxes_lazily():
    out = ours()
    none = ([], None)
    # nothing at POP3 or IMAP login, nor after listing
    assert step(out, "POP3") == ("POP3", ["+OK", "+OK Logged in."],
                                 "+OK Logging out.", none)
    for cmd in ("LOGIN", 'LIST "" "*"', 'LSUB "" "*"',
                'LIST (SUBSCRIBED) "" "*"', 'LIST (SPECIAL-USE) "" "*"'):
        assert step(out, cmd)[3] == none, cmd
    assert step(out, 'LIST "" "*"')[1:3] == (
        ['* LIST (\\HasNoChildren \\Archive) "/" Archive',
         '* LIST (\\HasNoChildren \\Junk) "/" Junk',
         '* LIST (\\HasNoChildren \\Sent) "/" Sent',
         '* LIST (\\HasNoChildren \\Trash) "/" Trash',
         '* LIST (\\HasNoChildren) "/" INBOX'], "OK List completed")
    assert step(out, 'LSUB "" "*"')[1:3] == (
        ['* LSUB (\\Sent) "/" Sent'], "OK Lsub completed")
    # LIST-STATUS opens (so creates) what it reports on, as Dovecot
    assert step(out, 'LIST "" "T*" RETURN (STATUS (MESSAGES))')[1:] == (
        ['* LIST () "/" Trash', '* STATUS Trash (MESSAGES 0)'],
        "OK List completed",
        ([".Trash"], None))
    # STATUS creates an auto = create one, not subscribing it
    assert step(out, 'STATUS Junk (MESSAGES)')[1:] == (
        ['* STATUS Junk (MESSAGES 0)'], "OK Status completed",
        ([".Junk", ".Trash"], None))
    # SELECT creates and subscribes an auto = subscribe one
    assert step(out, 'SELECT Sent')[3] == ([".Junk", ".Sent", ".Trash"],
                                           "V\t2\n\nSent\n")
    # unsubscribed in the file, still listed as subscribed
    assert step(out, 'UNSUBSCRIBE Sent', 1)[3] == (
        [".Junk", ".Sent", ".Trash"], "V\t2\n\n")
    assert step(out, 'LSUB "" "*"', 3)[1] == ['* LSUB (\\Sent) "/" Sent']
    # the COPY target is created
    assert step(out, 'COPY 1 Archive')[3][0] == [
        ".Archive", ".Junk", ".Sent", ".Trash"]
    # a missing auto mailbox is deleted without being created
    assert step(out, 'DELETE Junk', 1)[2:] == (
        "OK Delete completed",
        ([".Archive", ".Sent", ".Trash"], "V\t2\n\nSent\n"))
    # EXAMINE creates it again
    assert step(out, 'EXAMINE Junk')[3][0] == [
        ".Archive", ".Junk", ".Sent", ".Trash"]
    # one subscriptions file for both servers: Dovecot's form
    assert step(out, 'SUBSCRIBE INBOX/foo')[3][1].endswith("\nINBOX/foo\n")


def test_auto_mailboxes_as_dovecot():
    assert ours() == theirs()


# an auto mailbox named through the compat namespace (same storage, which
# does not declare it) is not created: Dovecot says it doesn't exist
OTHER_NS_SCRIPT = [
    'STATUS INBOX/Junk (MESSAGES)', 'SELECT INBOX/Sent',
    'EXAMINE INBOX/Trash',
    'APPEND INBOX/Archive {%d+}\r\n%s' % (len(MSG), MSG),
    'APPEND INBOX {%d+}\r\n%s' % (len(MSG), MSG),
    'SELECT INBOX', 'COPY 1 INBOX/Trash', 'MOVE 1 INBOX/Junk', 'UNSELECT',
    'LIST "" "INBOX/*"', 'STATUS INBOX/Drafts (MESSAGES)',
    # created through its own namespace, then reachable through both
    'STATUS Junk (MESSAGES)', 'STATUS INBOX/Junk (MESSAGES)',
    'SELECT INBOX/Junk', 'UNSELECT', 'SELECT INBOX/Sent',
]


def test_auto_mailbox_through_other_namespace():
    out = ours(OTHER_NS_SCRIPT)
    missing = "NO [NONEXISTENT] Mailbox doesn't exist: INBOX/%s"
    trycreate = "NO [TRYCREATE] Mailbox doesn't exist: INBOX/%s"
    assert [o[2:] for o in out[2:10]] == [
        (missing % "Junk", ([], None)),
        (missing % "Sent", ([], None)),
        (missing % "Trash", ([], None)),
        (trycreate % "Archive", ([], None)),
        ("OK [APPENDUID * 4] Append completed", ([], None)),
        ("OK [READ-WRITE]", ([], None)),
        (trycreate % "Trash", ([], None)),
        (trycreate % "Junk", ([], None)),
    ], out
    assert step(out, 'STATUS INBOX/Drafts (MESSAGES)')[2] == \
        missing % "Drafts"
    assert step(out, 'STATUS Junk (MESSAGES)')[1:] == (
        ["* STATUS Junk (MESSAGES 0)"], "OK Status completed",
        ([".Junk"], None))
    assert step(out, 'STATUS INBOX/Junk (MESSAGES)', 1)[1:3] == (
        ["* STATUS INBOX/Junk (MESSAGES 0)"], "OK Status completed")
    assert step(out, 'SELECT INBOX/Junk')[1:3] == (
        ["* 0 EXISTS"], "OK [READ-WRITE]")
    # still not created (nor subscribed) through the other namespace
    assert step(out, 'SELECT INBOX/Sent', 1)[2:] == (
        missing % "Sent", ([".Junk"], None))


def test_auto_mailbox_through_other_namespace_as_dovecot():
    # Dovecot 2.3 puts RFC 5530's [NONEXISTENT] only on DELETE and RENAME
    # (SELECT, EXAMINE, STATUS: none); we put it on all of them
    def strip(out):
        return [o[:2] + (o[2].replace("NO [NONEXISTENT] ", "NO "),) + o[3:]
                if o[0].split()[0] in ("SELECT", "EXAMINE", "STATUS") else o
                for o in out]
    assert strip(ours(OTHER_NS_SCRIPT)) == theirs(OTHER_NS_SCRIPT)


# subscriptions = no with the storage's own separator ('.' on Maildir++):
# Dovecot writes the full name's levels with TABs ("INBOX\tfoo\tbar")
DOT_NS = """namespace inbox {
  inbox = yes
  prefix =
  separator = /
}
namespace compat {
  prefix = INBOX.
  separator = .
  hidden = yes
  list = no
  subscriptions = no
  location =
}
"""

DOT_SCRIPT = ['CREATE foo/bar', 'SUBSCRIBE INBOX.foo.bar', 'CREATE baz',
              'SUBSCRIBE baz', 'LSUB "" "*"', 'LSUB "" "INBOX.*"',
              'UNSUBSCRIBE INBOX.foo.bar', 'LSUB "" "INBOX.*"']


def subs_session(imap_port, md, script, subs=None):
    """script's replies and the subscriptions file after each command;
    subs: the file's contents before the login."""
    if subs is not None:
        os.makedirs(md, exist_ok=True)
        with open(os.path.join(md, "subscriptions"), "w") as f:
            f.write(subs)
    c = Imap(imap_port, timeout=30)
    _, tagged = c.command("LOGIN demo demo")
    assert LOGGED_IN_RE.match(tagged), tagged
    out = []
    for cmd in script:
        (res,) = run(c, [cmd])
        tagged = re.sub(r"\[MAILBOXID \(\w+\)\] ", "", res[2])
        out.append((cmd, res[1], tagged, disk(md)[1]))
    c.close()
    return out


def subs_ours(conf, script, subs=None):
    srv = Server(users={"demo": "demo"}, extra_conf=conf).start()
    try:
        return subs_session(srv.imap_port, srv.maildir("demo"), script, subs)
    finally:
        srv.stop()


def subs_theirs(conf, script, subs=None):
    dovecot.ensure_or_skip()
    srv = Server(users={"demo": "demo"})
    srv.prepare()
    dc = dovecot.ForServer(srv)
    with open(dc.conf, "a") as f:
        f.write(conf)
    try:
        dc.start_or_skip()
        return subs_session(dc.imap_port, srv.maildir("demo"), script, subs)
    finally:
        dc.cleanup()


def test_subscriptions_no_dot_separator():
    out = subs_ours(DOT_NS, DOT_SCRIPT)
    assert out[1] == ('SUBSCRIBE INBOX.foo.bar', [], 'OK Subscribe completed',
                      'V\t2\n\nINBOX\tfoo\tbar\n')
    assert out[5][1] == ['* LSUB () "." INBOX.foo.bar']


def test_subscriptions_no_dot_separator_as_dovecot():
    assert subs_ours(DOT_NS, DOT_SCRIPT) == subs_theirs(DOT_NS, DOT_SCRIPT)


SLASH_NS = DOT_NS.replace("INBOX.", "INBOX/").replace("separator = .",
                                                      "separator = /")
SLASH_SCRIPT = [s.replace("INBOX.", "INBOX/").replace("foo.bar", "foo/bar")
                for s in DOT_SCRIPT]


def test_subscriptions_no_slash_separator_as_dovecot():
    out = subs_ours(SLASH_NS, SLASH_SCRIPT)
    # the prefix kept as it is, the rest's levels TAB-separated
    assert out[1][3] == 'V\t2\n\nINBOX/foo\tbar\n'
    assert out[5][1] == ['* LSUB () "/" INBOX/foo/bar']
    assert out == subs_theirs(SLASH_NS, SLASH_SCRIPT)


def test_subscriptions_old_form_read_and_converted():
    """Our old form of a subscriptions = no name ("INBOX\tfoo") is still
    read, and rewritten in Dovecot's form by the next change."""
    script = ['CREATE foo', 'CREATE bar', 'LSUB "" "INBOX/*"',
              'SUBSCRIBE bar', 'LSUB "" "INBOX/*"']
    out = subs_ours(SLASH_NS, script, "V\t2\n\nINBOX\tfoo\n")
    assert out[2][1:] == (['* LSUB () "/" INBOX/foo'], 'OK Lsub completed',
                          "V\t2\n\nINBOX\tfoo\n")
    assert out[3][3] == "V\t2\n\nINBOX/foo\nbar\n"
    assert out[4][1] == ['* LSUB () "/" INBOX/foo']
