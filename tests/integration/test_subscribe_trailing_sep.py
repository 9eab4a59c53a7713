"""SUBSCRIBE and UNSUBSCRIBE of a name ending in the hierarchy separator
without imap_client_workarounds = tb-extra-mailbox-sep, compared with
Debian's Dovecot 2.3 ('.' and '/' separators, Maildir++ and mbox; exact
replies), and which on-disk mailboxes SUBSCRIBE finds (the backends'
mailbox_exists must agree with their listers)."""
import os
import re
import subprocess

import pytest

import dovecot
from dlserver import Server
from filled_inbox import without_timing
from rawclient import login

SCRIPT = ["CREATE Bar", "UNSUBSCRIBE Bar.", "SUBSCRIBE Bar.",
          "UNSUBSCRIBE Nope.", "SUBSCRIBE Nope.", "SUBSCRIBE Bar",
          "UNSUBSCRIBE Bar", "SUBSCRIBE Nope", "UNSUBSCRIBE Nope",
          'LSUB "" "*"']
WANT = [
    ("CREATE Bar", [], "OK Create completed"),
    ("UNSUBSCRIBE Bar.", [],
     "NO [CANNOT] Invalid mailbox name: Ends with hierarchy separator"),
    ("SUBSCRIBE Bar.", [], "NO Mailbox doesn't exist: Bar"),
    ("UNSUBSCRIBE Nope.", [],
     "NO [CANNOT] Invalid mailbox name: Ends with hierarchy separator"),
    ("SUBSCRIBE Nope.", [], "NO Mailbox doesn't exist: Nope"),
    ("SUBSCRIBE Bar", [], "OK Subscribe completed"),
    ("UNSUBSCRIBE Bar", [], "OK Unsubscribe completed"),
    ("SUBSCRIBE Nope", [], "NO Mailbox doesn't exist: Nope"),
    ("UNSUBSCRIBE Nope", [], "OK Unsubscribe completed"),
    ('LSUB "" "*"', [], "OK Lsub completed"),
]


def _strip(tagged):
    # MAILBOXID is ours only (Dovecot 2.3 has no OBJECTID)
    tagged = tagged.replace(tagged[tagged.find(" [MAILBOXID"):
                                   tagged.find("]") + 1], "") \
        if " [MAILBOXID" in tagged else tagged
    return without_timing(tagged).rstrip(".")


def test_trailing_separator_like_dovecot():
    location = "maildir:~/Maildir"
    s = Server(users={"demo": "demo"}, messages=0, mail_location=location)
    s.start()
    try:
        c = login(s)
        mine = []
        for cmd in SCRIPT:
            untagged, tagged = c.command(cmd)
            mine.append((cmd, untagged, _strip(tagged)))
        c.close()
        dc = dovecot.PreauthUser(s, "dovecot-subs", location)
        os.makedirs(os.path.join(dc.home, "Maildir"), exist_ok=True)
        dc.chown()
        try:
            sess = dc.session()
            theirs = []
            for cmd in SCRIPT:
                untagged = sess(cmd)
                theirs.append((cmd, untagged, _strip(sess.tagged)))
        finally:
            dc.close()
    finally:
        s.stop()
    assert theirs == WANT
    assert mine == WANT


# SUBSCRIBE asks the backend whether one mailbox exists instead of listing
# them all: exactly the mailboxes the backend's lister lists (selectable;
# not a parent that exists only through its children) count, for every
# on-disk oddity the listers skip. Each layout: (names, the ones that
# exist).
def _maildirpp(home):
    md = os.path.join(home, "Maildir")
    for d in ("", ".Work", ".Work.Sub", ".Only.Child", ".DL-TRASHED.Gone",
              ".INBOX.Kid"):
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(md, d, sub), exist_ok=True)
    os.makedirs(os.path.join(md, ".NoCur", "new"))
    return (["INBOX", "inbox", "Work", "Work.Sub", "Only", "Only.Child",
             "DL-TRASHED.Gone", "DL-TRASHED", "NoCur", "INBOX.Kid", "Nope",
             "Work.Nope"],
            {"INBOX", "inbox", "Work", "Work.Sub", "Only.Child",
             "INBOX.Kid"})


def _maildir_fs(home):
    md = os.path.join(home, "Maildir")
    for d in ("", "Work", "Work/Sub", "Only/Child", "inbox", "INBOX/Kid",
              ".hidden", "Work/cur/Deep"):
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(md, d, sub), exist_ok=True)
    os.makedirs(os.path.join(md, "NoCur", "new"))
    return (["INBOX", "inbox", "Work", "Work.Sub", "Only", "Only.Child",
             "INBOX.Kid", "hidden", "Work.cur", "Work.cur.Deep", "NoCur",
             "Nope", "Work.new"],
            {"INBOX", "inbox", "Work", "Work.Sub", "Only.Child",
             "INBOX.Kid"})


def _mbox(home):
    mail = os.path.join(home, "mail")
    os.makedirs(os.path.join(mail, "Dir", "Deeper"))
    os.makedirs(os.path.join(mail, "inboxd"))
    for f in ("inbox", "Box", "Dir/Sub", "Dir/Deeper/Leaf", "Box.lock",
              ".dot", "Dir/.hid", "inboxd/x"):
        open(os.path.join(mail, f), "ab").close()
    return (["INBOX", "inbox", "Box", "Box.lock", "Dir", "Dir.Sub",
             "Dir.Deeper", "Dir.Deeper.Leaf", "dot", "Dir.hid", "Box.Sub",
             "inboxd", "inboxd.x", "Nope"],
            {"INBOX", "inbox", "Box", "Dir.Sub", "Dir.Deeper.Leaf",
             "inboxd.x"})


@pytest.mark.parametrize("location,prepare", [
    ("maildir:~/Maildir", _maildirpp),
    ("maildir:~/Maildir:LAYOUT=fs", _maildir_fs),
    ("mbox:~/mail:INBOX=~/mail/inbox", _mbox),
])
def test_subscribe_existing_only(location, prepare):
    s = Server(users={"demo": "demo"}, messages=0, mail_location=location)
    s.start()
    try:
        home = s.home("demo")
        names, existing = prepare(home)
        uid, gid = s.uids["demo"]
        subprocess.run(["chown", "-R", f"{uid}:{gid}", home], check=True)
        c = login(s)
        got = {}
        for name in names:
            _, tagged = c.command('SUBSCRIBE "%s"' % name)
            got[name] = without_timing(tagged).rstrip(".")
        untagged, tagged = c.command('LSUB "" "*"')
        assert without_timing(tagged).rstrip(".") == "OK Lsub completed"
        c.close()
    finally:
        s.stop()
    assert got == {n: "OK Subscribe completed" if n in existing else
                   "NO Mailbox doesn't exist: " + n for n in names}
    assert sorted(untagged) == sorted(
        '* LSUB () "." %s' % n for n in existing if n != "inbox")


SLASH_NS = "namespace inbox {\n  inbox = yes\n  separator = /\n  prefix =\n}\n"
SLASH_SCRIPT = ["CREATE Bar", "UNSUBSCRIBE Bar/", "SUBSCRIBE Bar/",
                "SUBSCRIBE Nope/Sub", "SUBSCRIBE Bar/Sub"]
SLASH_WANT = [
    ("CREATE Bar", [], "OK Create completed"),
    ("UNSUBSCRIBE Bar/", [],
     "NO [CANNOT] Invalid mailbox name: Ends with hierarchy separator"),
    # with '/' as separator Dovecot keeps it in the name
    ("SUBSCRIBE Bar/", [], "NO Mailbox doesn't exist: Bar/"),
    ("SUBSCRIBE Nope/Sub", [], "NO Mailbox doesn't exist: Nope/Sub"),
    ("SUBSCRIBE Bar/Sub", [], "NO Mailbox doesn't exist: Bar/Sub"),
]


@pytest.mark.parametrize("location", ["maildir:~/Maildir",
                                      "mbox:~/mail:INBOX=~/mail/inbox"])
def test_slash_separator_like_dovecot(location):
    s = Server(users={"demo": "demo"}, messages=0, mail_location=location,
               extra_conf=SLASH_NS)
    s.start()
    try:
        home = s.home("demo")
        os.makedirs(os.path.join(home, "mail"), exist_ok=True)
        open(os.path.join(home, "mail", "inbox"), "ab").close()
        uid, gid = s.uids["demo"]
        subprocess.run(["chown", "-R", f"{uid}:{gid}", home], check=True)
        c = login(s)
        mine = []
        for cmd in SLASH_SCRIPT:
            untagged, tagged = c.command(cmd)
            mine.append((cmd, untagged, _strip(tagged)))
        c.close()
        dc = dovecot.PreauthUser(s, "dovecot-subs", location)
        with open(dc.conf, "a") as f:
            f.write(SLASH_NS)
        os.makedirs(os.path.join(dc.home, "mail"), exist_ok=True)
        open(os.path.join(dc.home, "mail", "inbox"), "ab").close()
        dc.chown()
        try:
            sess = dc.session()
            theirs = []
            for cmd in SLASH_SCRIPT:
                untagged = sess(cmd)
                theirs.append((cmd, untagged, _strip(sess.tagged)))
        finally:
            dc.close()
    finally:
        s.stop()
    assert theirs == SLASH_WANT
    assert mine == SLASH_WANT
