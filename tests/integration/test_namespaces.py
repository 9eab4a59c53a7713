"""Namespaces (Dovecot's namespace { } and mailbox { } sections): the
separator and prefix the client sees on every command that takes a name,
LIST "" "", names outside every namespace, special-use attributes (RFC 6154)
with auto = create / subscribe (created when first opened), the NAMESPACE command (RFC 2342),
several namespaces over one mail_location, and configuration errors. The
scripted sessions are compared with Debian's Dovecot 2.3 where it runs."""
import os, re, subprocess
import pytest
from dlserver import MASTER, Server
import dovecot
from rawclient import Imap, LOGGED_IN_RE, login, strip_objectid

# what dovecot-like.conf (the Quick start config) says, except Trash:
# auto = create there so both auto values are exercised
SEED_NS = """namespace inbox {
  inbox = yes
  separator = /
  prefix =
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
  }
  mailbox Trash {
    special_use = \\Trash
    auto = create
  }
}
"""

COURIER_NS = """namespace {
  prefix = INBOX.
  separator = .
  inbox = yes
}
"""

TWO_NS = """namespace inbox {
  inbox = yes
  separator = /
}
namespace other {
  prefix = Other/
  separator = /
}
namespace hidden {
  prefix = Hid/
  separator = /
  hidden = yes
  list = no
}
"""

TIMING_RE = re.compile(r" \(\d+\.\d+ \+ \d+\.\d+( \+ \d+\.\d+)? secs\)\.$")


def no_timing(tagged):
    """Dovecot 2.3 ends a tagged reply with " (<timing> secs)." where we
    end it with '.': compare without either."""
    tagged = TIMING_RE.sub("", tagged)
    return tagged[:-1] if tagged.endswith(".") else tagged


def run(c, cmds, ours=False):
    """[(cmd, untagged, tagged)]: LIST/LSUB replies sorted (Dovecot lists
    in directory order), SELECT's untagged lines but EXISTS dropped
    (UIDVALIDITY), APPENDUID's UIDVALIDITY as '*'.
    ours: our server's replies, through strip_objectid() (checked, then
    compared as Dovecot 2.3's, which has no OBJECTID)."""
    out = []
    for cmd in cmds:
        untagged, tagged = c.command(cmd)
        if ours:    # our replies checked (ids against STATUS) and stripped
            untagged, tagged = strip_objectid(cmd, untagged, tagged, c)
        tagged = no_timing(tagged)
        if cmd.startswith("SELECT"):
            untagged = [u for u in untagged if re.fullmatch(r"\* \d+ EXISTS", u)]
            tagged = tagged.split("]")[0] + "]" if tagged.startswith("OK") else tagged
        elif cmd.startswith("APPEND"):
            tagged = re.sub(r"^OK \[APPENDUID \d+ ", "OK [APPENDUID * ", tagged)
        elif cmd.startswith(("LIST", "LSUB")):
            untagged = sorted(untagged)
        out.append((cmd, untagged, tagged))
    return out


SEED_SCRIPT = [
    'LIST "" ""', 'LIST "" "*"', 'LSUB "" "*"', 'CREATE a/b', 'LIST "" "*"',
    'LIST "" "a/%"', 'STATUS a/b (MESSAGES)', 'SELECT a/b', 'CREATE x.y',
    'CREATE /lead', 'CREATE a//b', 'RENAME a/b a/c', 'LIST "" "a/*"',
    'SUBSCRIBE a/c', 'LSUB "" "*"', 'DELETE a/c', 'NAMESPACE',
]

SEED_EXPECTED = [
    ('LIST "" ""', ['* LIST (\\Noselect) "/" ""'], 'OK List completed'),
    ('LIST "" "*"', ['* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
                     '* LIST (\\HasNoChildren \\Sent) "/" Sent',
                     '* LIST (\\HasNoChildren \\Trash) "/" Trash',
                     '* LIST (\\HasNoChildren) "/" INBOX'], 'OK List completed'),
    ('LSUB "" "*"', ['* LSUB (\\Drafts) "/" Drafts', '* LSUB (\\Sent) "/" Sent'],
     'OK Lsub completed'),
    ('CREATE a/b', [], 'OK Create completed'),
    ('LIST "" "*"', ['* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
                     '* LIST (\\HasNoChildren \\Sent) "/" Sent',
                     '* LIST (\\HasNoChildren \\Trash) "/" Trash',
                     '* LIST (\\HasNoChildren) "/" INBOX',
                     '* LIST (\\HasNoChildren) "/" a/b',
                     '* LIST (\\Noselect \\HasChildren) "/" a'], 'OK List completed'),
    ('LIST "" "a/%"', ['* LIST (\\HasNoChildren) "/" a/b'], 'OK List completed'),
    ('STATUS a/b (MESSAGES)', ['* STATUS a/b (MESSAGES 0)'], 'OK Status completed'),
    ('SELECT a/b', ['* 0 EXISTS'], 'OK [READ-WRITE]'),
    ('CREATE x.y', [], "NO [CANNOT] Character not allowed in mailbox name: '.'"),
    ('CREATE /lead', [],
     'NO [CANNOT] Invalid mailbox name: Begins with hierarchy separator'),
    ('CREATE a//b', [],
     'NO [CANNOT] Invalid mailbox name: Has adjacent hierarchy separators'),
    ('RENAME a/b a/c', [], 'OK Rename completed'),
    ('LIST "" "a/*"', ['* LIST (\\HasNoChildren) "/" a/c'], 'OK List completed'),
    ('SUBSCRIBE a/c', [], 'OK Subscribe completed'),
    ('LSUB "" "*"', ['* LSUB () "/" a/c', '* LSUB (\\Drafts) "/" Drafts',
                     '* LSUB (\\Sent) "/" Sent'], 'OK Lsub completed'),
    ('DELETE a/c', [], 'OK Delete completed'),
    ('NAMESPACE', ['* NAMESPACE (("" "/")) NIL NIL'], 'OK Namespace completed'),
]

NOT_IN_NS = ("NO Client tried to access nonexistent namespace. "
             "(Mailbox name should probably be prefixed with: INBOX.)")

COURIER_SCRIPT = [
    'LIST "" ""', 'LIST "" "*"', 'CREATE Sent', 'CREATE INBOX.Sent',
    'CREATE INBOX.a.b', 'LIST "" "*"', 'LIST "" "%"', 'LIST "" "INBOX.%"',
    'LIST INBOX. %', 'SELECT Sent', 'STATUS foo (MESSAGES)',
    'STATUS INBOX.Sent (MESSAGES)', 'SELECT inbox.Sent', 'SUBSCRIBE INBOX.Sent',
    'LSUB "" "*"', 'NAMESPACE', 'RENAME INBOX.Sent Foo', 'DELETE Foo',
    'RENAME INBOX.Sent INBOX.Sent2', 'CREATE INBOX.', 'LIST "" INBOX',
    'DELETE INBOX.Sent2', 'LIST "" "*"',
]

COURIER_EXPECTED = [
    ('LIST "" ""', ['* LIST (\\Noselect) "." ""'], 'OK List completed'),
    ('LIST "" "*"', ['* LIST (\\HasChildren) "." INBOX'], 'OK List completed'),
    ('CREATE Sent', [], NOT_IN_NS),
    ('CREATE INBOX.Sent', [], 'OK Create completed'),
    ('CREATE INBOX.a.b', [], 'OK Create completed'),
    ('LIST "" "*"', ['* LIST (\\HasChildren) "." INBOX',
                     '* LIST (\\HasNoChildren) "." INBOX.Sent',
                     '* LIST (\\HasNoChildren) "." INBOX.a.b',
                     '* LIST (\\Noselect \\HasChildren) "." INBOX.a'],
     'OK List completed'),
    ('LIST "" "%"', ['* LIST (\\HasChildren) "." INBOX'], 'OK List completed'),
    ('LIST "" "INBOX.%"', ['* LIST (\\HasNoChildren) "." INBOX.Sent',
                           '* LIST (\\Noselect \\HasChildren) "." INBOX.a'],
     'OK List completed'),
    ('LIST INBOX. %', ['* LIST (\\HasNoChildren) "." INBOX.Sent',
                       '* LIST (\\Noselect \\HasChildren) "." INBOX.a'],
     'OK List completed'),
    ('SELECT Sent', [], NOT_IN_NS),
    ('STATUS foo (MESSAGES)', [], NOT_IN_NS),
    ('STATUS INBOX.Sent (MESSAGES)', ['* STATUS INBOX.Sent (MESSAGES 0)'],
     'OK Status completed'),
    ('SELECT inbox.Sent', ['* 0 EXISTS'], 'OK [READ-WRITE]'),
    ('SUBSCRIBE INBOX.Sent', [], 'OK Subscribe completed'),
    ('LSUB "" "*"', ['* LSUB () "." INBOX.Sent'], 'OK Lsub completed'),
    ('NAMESPACE', ['* NAMESPACE (("INBOX." ".")) NIL NIL'], 'OK Namespace completed'),
    ('RENAME INBOX.Sent Foo', [], NOT_IN_NS),
    ('DELETE Foo', [], NOT_IN_NS),
    ('RENAME INBOX.Sent INBOX.Sent2', [], 'OK Rename completed'),
    ('CREATE INBOX.', [], 'NO [ALREADYEXISTS] Mailbox already exists'),
    ('LIST "" INBOX', ['* LIST (\\HasChildren) "." INBOX'], 'OK List completed'),
    ('DELETE INBOX.Sent2', [], 'OK Delete completed'),
    ('LIST "" "*"', ['* LIST (\\HasChildren) "." INBOX',
                     '* LIST (\\HasNoChildren) "." INBOX.a.b',
                     '* LIST (\\Noselect \\HasChildren) "." INBOX.a'],
     'OK List completed'),
]


def ours(conf, script):
    srv = Server(users={"demo": "demo"}, extra_conf=conf).start()
    try:
        c = login(srv)
        out = run(c, script, ours=True)
        c.close()
        return srv, out
    finally:
        srv.stop(keep_dir=True)


def dovecot_run(conf, script):
    """The same script on Dovecot with the same namespace block."""
    dovecot.ensure_or_skip()
    srv = Server(users={"demo": "demo"})
    srv.prepare()
    dc = dovecot.ForServer(srv)
    with open(dc.conf, "a") as f:
        f.write(conf)
    try:
        dc.start_or_skip()
        c = Imap(dc.imap_port, timeout=30)
        _, tagged = c.command("LOGIN demo demo")
        assert tagged.startswith("OK [CAPABILITY IMAP4rev1 "), tagged
        out = run(c, script)
        c.close()
        return out
    finally:
        dc.cleanup()


def test_seed_namespace():
    srv, out = ours(SEED_NS, SEED_SCRIPT)
    assert out == SEED_EXPECTED
    # auto mailboxes are created (auto = subscribe ones subscribed) only
    # when first opened, as in Dovecot: none was opened, so none exists
    # and only a/c is written (Drafts and Sent are listed as subscribed
    # without being written); a/c stays subscribed after its DELETE
    # (Dovecot doesn't unsubscribe either), stored as "a\tc"
    md = srv.maildir("demo")
    for n in ("Drafts", "Sent", "Trash", "Junk"):
        assert not os.path.exists(os.path.join(md, "." + n)), n
    assert subscribed_names(os.path.join(md, "subscriptions")) == ["a/c"]


def subscribed_names(path):
    """The names in a Dovecot v2 subscriptions file ("V\t2" header line,
    then one name a line, its hierarchy levels separated by tabs; empty
    lines skipped), sorted, duplicates kept."""
    with open(path) as f:
        data = f.read()
    assert data.startswith("V\t2\n"), data
    lines = data[len("V\t2\n"):].split("\n")
    assert "\\" not in data, data  # no tab-escaped names expected here
    return sorted("/".join(line.split("\t")) for line in lines if line != "")


def test_seed_namespace_as_dovecot():
    assert dovecot_run(SEED_NS, SEED_SCRIPT) == SEED_EXPECTED


def test_courier_prefix():
    _, out = ours(COURIER_NS, COURIER_SCRIPT)
    assert out == COURIER_EXPECTED


def test_courier_prefix_as_dovecot():
    assert dovecot_run(COURIER_NS, COURIER_SCRIPT) == COURIER_EXPECTED


def test_no_namespace_block_is_unchanged():
    _, out = ours("", ['LIST "" ""', 'CREATE a.b', 'LIST "" "*"', 'NAMESPACE',
                       'CAPABILITY'])
    assert out[:4] == [
        ('LIST "" ""', ['* LIST (\\Noselect) "." ""'], 'OK List completed'),
        ('CREATE a.b', [], 'OK Create completed'),
        ('LIST "" "*"', ['* LIST (\\HasNoChildren) "." INBOX',
                         '* LIST (\\HasNoChildren) "." a.b',
                         '* LIST (\\Noselect \\HasChildren) "." a'],
         'OK List completed'),
        ('NAMESPACE', ['* NAMESPACE (("" ".")) NIL NIL'], 'OK Namespace completed'),
    ]
    # no namespace block: the same capabilities as one without special-use
    assert out[4] == ('CAPABILITY', [capability_line(COURIER_NS)],
                      'OK Capability completed')
    assert "NAMESPACE" in out[4][1][0].split()


APPEND_MSG = "Subject: x\r\n\r\nhi\r\n"
APPEND_OTHER_X = "APPEND Other/x {%d+}\r\n%s" % (len(APPEND_MSG), APPEND_MSG)

TWO_SCRIPT = ['CREATE Other/x', 'LIST "" "*"', 'LIST "" "%"',
              APPEND_OTHER_X, 'SELECT Other/x', 'STATUS Hid/x (MESSAGES)',
              'NAMESPACE', 'LIST "" ""', 'LIST "Other/" ""',
              'SUBSCRIBE Other/x', 'LSUB "" "*"', 'CREATE Other',
              'STATUS Other (MESSAGES)']

TWO_EXPECTED = [
    ('CREATE Other/x', [], 'OK Create completed'),
    # one storage, seen through both listed namespaces
    ('LIST "" "*"', ['* LIST (\\HasChildren) "/" Other',
                     '* LIST (\\HasNoChildren) "/" INBOX',
                     '* LIST (\\HasNoChildren) "/" Other/x',
                     '* LIST (\\HasNoChildren) "/" x'],
     'OK List completed'),
    ('LIST "" "%"', ['* LIST (\\HasChildren) "/" Other',
                     '* LIST (\\HasNoChildren) "/" INBOX',
                     '* LIST (\\HasNoChildren) "/" x'],
     'OK List completed'),
    (APPEND_OTHER_X, [], 'OK [APPENDUID * 1] Append completed'),
    ('SELECT Other/x', ['* 1 EXISTS'], 'OK [READ-WRITE]'),
    # the same storage mailbox through the hidden namespace
    ('STATUS Hid/x (MESSAGES)', ['* STATUS Hid/x (MESSAGES 1)'],
     'OK Status completed'),
    ('NAMESPACE', ['* NAMESPACE (("" "/")("Other/" "/")) NIL NIL'],
     'OK Namespace completed'),
    ('LIST "" ""', ['* LIST (\\Noselect) "/" ""'], 'OK List completed'),
    ('LIST "Other/" ""', ['* LIST (\\Noselect) "/" Other/'], 'OK List completed'),
    ('SUBSCRIBE Other/x', [], 'OK Subscribe completed'),
    # one subscriptions file, seen through both namespaces
    ('LSUB "" "*"', ['* LSUB () "/" Other/x', '* LSUB () "/" x'],
     'OK Lsub completed'),
    ('CREATE Other', [], 'NO [ALREADYEXISTS] Mailbox already exists'),
    # the prefix alone is the location's root: its INBOX
    ('STATUS Other (MESSAGES)', ['* STATUS Other (MESSAGES 3)'],
     'OK Status completed'),
]


def test_several_namespaces_one_location():
    _, out = ours(TWO_NS, TWO_SCRIPT)
    assert out == TWO_EXPECTED


def test_several_namespaces_as_dovecot():
    assert dovecot_run(TWO_NS, TWO_SCRIPT) == TWO_EXPECTED


@pytest.mark.parametrize("conf,error", [
    ("namespace a {\n inbox = yes\n}\nnamespace b {\n inbox = yes\n prefix = b.\n}\n",
     "namespace configuration error: There can be only one namespace with inbox=yes"),
    ("namespace a {\n inbox = yes\n separator = ::\n}\n",
     "Namespace 'a': Hierarchy separator must be only one character long"),
    ("namespace a {\n inbox = yes\n separator = /\n prefix = INBOX.\n}\n",
     "Namespace 'a': prefix 'INBOX.' doesn't end with the hierarchy separator '/'"),
    ("namespace a {\n inbox = yes\n mailbox Spam {\n  special_use = \\Spam\n }\n}\n",
     "mailbox Spam: special_use: Unknown SPECIAL-USE flag: \\Spam"),
    ("namespace a {\n inbox = yes\n location = maildir:/tmp/elsewhere\n}\n",
     "Namespace 'a': location is not supported yet (all namespaces use mail_location)"),
    ("namespace a {\n inbox = yes\n}\nnamespace b {\n prefix = b.\n alias_for = \n"
     " type = public\n}\n",
     "Namespace 'b': type = public is not supported yet (only private)"),
    ("namespace a {\n inbox = yes\n}\nnamespace b {\n prefix = b.\n alias_for = a\n}\n",
     "Namespace 'b': alias_for is not supported yet (all namespaces use mail_location)"),
    ("namespace a {\n inbox = yes\n type = shared\n}\n",
     "Namespace 'a': type = shared is not supported yet (only private)"),
])
def test_config_errors_fail_the_start(conf, error):
    """A broken namespace block stops the master at start, with the error
    on stderr, as a Dovecot config check does."""
    srv = Server(users={"demo": "demo"}, extra_conf=conf)
    srv.prepare()
    r = subprocess.run([MASTER, "-F", "-c", srv.conf], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode != 0, (r.stdout, r.stderr)
    assert error in r.stderr + r.stdout, (r.stdout, r.stderr)


def capability_line(conf):
    """The untagged CAPABILITY line after login."""
    srv = Server(users={"demo": "demo"}, extra_conf=conf).start()
    try:
        c = login(srv)
        untagged, tagged = c.command("CAPABILITY")
        assert tagged == "OK Capability completed." and len(untagged) == 1, untagged
        assert untagged[0].startswith("* CAPABILITY IMAP4rev1 "), untagged
        c.close()
        return untagged[0]
    finally:
        srv.stop()


def test_special_use_capability_only_with_special_use_mailboxes():
    """RFC 6154: SPECIAL-USE appended to the post-login capabilities
    (src/imap/main.c) only when a mailbox { } declares special_use."""
    courier = capability_line(COURIER_NS)
    assert "SPECIAL-USE" not in courier.split()
    assert capability_line(SEED_NS) == courier + " SPECIAL-USE"


@pytest.mark.parametrize("conf,prefix", [
    ("namespace a {\n inbox = 1\n separator = /\n}\n", ""),
    ("namespace a {\n inbox = Yes\n separator = /\n prefix = INBOX/\n}\n", "INBOX/"),
    ("namespace a {\n inbox = yes\n separator = /\n}\n"
     "namespace b {\n prefix = B/\n separator = /\n disabled = y\n}\n", ""),
])
def test_booleans_as_the_config_parser_reads_them(conf, prefix):
    """inbox = 1 / Yes and disabled = y mean what the config parser says
    (settings_parse_bool): the server starts, B/ is not a namespace."""
    _, out = ours(conf, ['NAMESPACE'])
    assert out == [('NAMESPACE', ['* NAMESPACE (("%s" "/")) NIL NIL' % prefix],
                    'OK Namespace completed')]
