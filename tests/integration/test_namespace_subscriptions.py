"""Namespace subscriptions and auto mailboxes: a namespace with
subscriptions = no keeps its subscriptions in the namespace with an empty
prefix (stored under the full client name, prefix included), a list = no
namespace is listed only for a pattern starting with its prefix, and
auto = create / subscribe mailboxes are an IMAP matter (a POP3 login
creates nothing). An empty location = in a namespace is accepted. The
scripted sessions are compared with Debian's Dovecot 2.3 where it runs."""
import os
from dlserver import Server
from rawclient import Pop3, login
from test_namespaces import dovecot_run, ours, subscribed_names

# Dovecot's usual compatibility pair for clients that put everything
# below "INBOX/": the hidden namespace keeps no subscriptions of its own
COMPAT_NS = """namespace inbox {
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

# no namespace with subscriptions = yes above X/: nobody keeps them
ORPHAN_NS = """namespace inbox {
  inbox = yes
  prefix = Mail/
  separator = /
}
namespace x {
  prefix = X/
  separator = /
  subscriptions = no
}
"""

ORPHAN_SCRIPT = ['CREATE X/foo', 'SUBSCRIBE X/foo', 'LSUB "" "*"',
                 'UNSUBSCRIBE X/foo']

ORPHAN_EXPECTED = [
    ('CREATE X/foo', [], 'OK Create completed'),
    ('SUBSCRIBE X/foo', [], 'NO [CANNOT] This namespace has no subscriptions'),
    ('LSUB "" "*"', [], 'OK Lsub completed'),
    ('UNSUBSCRIBE X/foo', [], 'OK Unsubscribe completed'),
]

SUBS_SCRIPT = [
    'CREATE foo', 'SUBSCRIBE INBOX/foo', 'LSUB "" "*"', 'LSUB "" "INBOX/*"',
    'LIST "" "*"', 'LIST "" "INBOX/f*"', 'SUBSCRIBE foo', 'LSUB "" "*"',
    'LSUB "" "INBOX/%"', 'LSUB "" "INBOX%"',
]

SUBS_EXPECTED = [
    ('CREATE foo', [], 'OK Create completed'),
    ('SUBSCRIBE INBOX/foo', [], 'OK Subscribe completed'),
    # kept by the inbox namespace, listed only through the compat one
    ('LSUB "" "*"', ['* LSUB (\\Sent) "/" Sent'], 'OK Lsub completed'),
    ('LSUB "" "INBOX/*"', ['* LSUB () "/" INBOX/foo'], 'OK Lsub completed'),
    ('LIST "" "*"', ['* LIST (\\HasNoChildren \\Junk) "/" Junk',
                     '* LIST (\\HasNoChildren \\Sent) "/" Sent',
                     '* LIST (\\HasNoChildren) "/" INBOX',
                     '* LIST (\\HasNoChildren) "/" foo'], 'OK List completed'),
    # a list = no namespace, for a pattern naming its prefix
    ('LIST "" "INBOX/f*"', ['* LIST (\\HasNoChildren) "/" INBOX/foo'],
     'OK List completed'),
    ('SUBSCRIBE foo', [], 'OK Subscribe completed'),
    ('LSUB "" "*"', ['* LSUB () "/" foo', '* LSUB (\\Sent) "/" Sent'],
     'OK Lsub completed'),
    ('LSUB "" "INBOX/%"', ['* LSUB () "/" INBOX/foo'], 'OK Lsub completed'),
    ('LSUB "" "INBOX%"', [], 'OK Lsub completed'),
]

UNSUB_SCRIPT = [
    'UNSUBSCRIBE INBOX/foo', 'LSUB "" "*"', 'LSUB "" "INBOX/*"',
    'SUBSCRIBE INBOX/nosuch', 'STATUS INBOX/foo (MESSAGES)', 'SELECT Junk',
]

UNSUB_EXPECTED = [
    ('UNSUBSCRIBE INBOX/foo', [], 'OK Unsubscribe completed'),
    ('LSUB "" "*"', ['* LSUB () "/" foo', '* LSUB (\\Sent) "/" Sent'],
     'OK Lsub completed'),
    ('LSUB "" "INBOX/*"', [], 'OK Lsub completed'),
    ('SUBSCRIBE INBOX/nosuch', [], "NO Mailbox doesn't exist: INBOX/nosuch"),
    ('STATUS INBOX/foo (MESSAGES)', ['* STATUS INBOX/foo (MESSAGES 0)'],
     'OK Status completed'),
    ('SELECT Junk', ['* 0 EXISTS'], 'OK [READ-WRITE]'),
]


def subscriptions_file(srv):
    with open(os.path.join(srv.maildir("demo"), "subscriptions")) as f:
        return f.read()


def test_subscriptions_no_kept_by_the_empty_prefix_namespace():
    srv, out = ours(COMPAT_NS, SUBS_SCRIPT)
    assert out == SUBS_EXPECTED
    # one file, the compat subscription under its full name "INBOX/foo"
    # written as Dovecot does (the prefix "INBOX/" kept as it is); Sent
    # (auto = subscribe) is never opened, so never written
    data = subscriptions_file(srv)
    assert sorted(data.split("\n")[2:]) == ["", "INBOX/foo", "foo"], data
    assert data.startswith("V\t2\n\n"), data


def test_subscriptions_no_unsubscribe():
    srv, out = ours(COMPAT_NS, SUBS_SCRIPT + UNSUB_SCRIPT)
    assert out == SUBS_EXPECTED + UNSUB_EXPECTED
    assert subscribed_names(os.path.join(srv.maildir("demo"),
                                         "subscriptions")) == ["foo"]


def test_subscriptions_no_as_dovecot():
    assert dovecot_run(COMPAT_NS, SUBS_SCRIPT + UNSUB_SCRIPT) == \
        SUBS_EXPECTED + UNSUB_EXPECTED


def test_pop3_login_creates_no_auto_mailbox():
    """auto = create / subscribe mailboxes are for IMAP: a POP3 session
    neither creates them nor writes the subscriptions file."""
    srv = Server(users={"demo": "demo"}, extra_conf=COMPAT_NS).start()
    try:
        p = Pop3(srv.pop3_port, timeout=30)
        replies = [p.command("USER demo"), p.command("PASS demo"),
                   p.command("STAT"), p.command("QUIT")]
        assert replies[:2] == ["+OK", "+OK Logged in."], replies
        assert replies[2].startswith("+OK "), replies
        assert replies[3] == "+OK Logging out.", replies
        p.close()
        md = srv.maildir("demo")
        assert not os.path.exists(os.path.join(md, ".Sent"))
        assert not os.path.exists(os.path.join(md, ".Junk"))
        assert not os.path.exists(os.path.join(md, "subscriptions"))
        # an IMAP login then shows them, special-use flags included
        c = login(srv)
        untagged, tagged = c.command('LIST "" "%"')
        assert tagged == "OK List completed."
        assert sorted(untagged) == [
            '* LIST (\\HasNoChildren \\Junk) "/" Junk',
            '* LIST (\\HasNoChildren \\Sent) "/" Sent',
            '* LIST (\\HasNoChildren) "/" INBOX']
        untagged, tagged = c.command("SELECT Sent")
        assert tagged.startswith("OK [READ-WRITE]"), tagged
        c.close()
    finally:
        srv.stop()


def test_subscriptions_no_without_a_parent():
    srv, out = ours(ORPHAN_NS, ORPHAN_SCRIPT)
    assert out == ORPHAN_EXPECTED
    assert not os.path.exists(os.path.join(srv.maildir("demo"),
                                           "subscriptions"))


def test_subscriptions_no_without_a_parent_as_dovecot():
    assert dovecot_run(ORPHAN_NS, ORPHAN_SCRIPT) == ORPHAN_EXPECTED
