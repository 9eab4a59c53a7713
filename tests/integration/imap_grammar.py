"""A strict recursive-descent parser of one complete IMAP server response
(RFC 3501 / RFC 9051 section 9, plus the response grammar of the extensions
our server advertises: ESEARCH/ESORT/CONTEXT=SEARCH, CONDSTORE/QRESYNC,
SORT/THREAD, LIST-EXTENDED/LIST-STATUS/SPECIAL-USE, BINARY, UIDPLUS, ENABLE,
ID, NAMESPACE, COMPRESS, STATUS=SIZE, SAVEDATE, OBJECTID, APPENDLIMIT,
UTF8=ACCEPT, RFC 5530 codes).

parse_response(data) takes the bytes of one response: its first line, any
literal ({n} or ~{n}) spliced in exactly as sent, up to and including the
final CRLF. It returns a tuple: (tag, "OK"/"NO"/"BAD", code, text) for a
tagged status, ("+", code, text) for a continuation, ("*", NAME, ...) for
untagged data (the fields after NAME: see Parser.data_NAME, and
("*", "FETCH", n, [(att, ...), ...]) by Parser.msg_att_item); strings come
back as bytes, atoms as str, codes as (NAME, args...) or None. A violation
raises ImapGrammarError with the offset and the offending bytes.

Where RFC 3501 and RFC 9051 differ, either is accepted: empty text after
"OK " and UTF-8 in text (9051), "+" CRLF as a continuation (9051). Also
accepted: "BINARY[part]<origin>", which RFC 9051 7.5.2 names as the reply
to a partial BINARY fetch though its ABNF leaves the origin out. Keywords
are case-insensitive as in ABNF. Unknown resp-text-codes parse as
atom [SP 1*<TEXT-CHAR except "]">]; known ones must follow their own rule;
unknown response names, msg-atts, STATUS items, ESEARCH return data and
LIST extended items are rejected.

Dovecot 2.3 deviations are accepted only with dovecot=True (see
DOVECOT_DEVIATIONS); nothing is relaxed for our own server."""

# Where Dovecot 2.3 is known to deviate from the RFC grammar; accepted only
# with parse_response(..., dovecot=True).
DOVECOT_DEVIATIONS = """
- an empty THREAD reply ends with a space: "* THREAD " (RFC 5256:
  thread-data = "THREAD" [SP 1*thread-list]).
"""


class ImapGrammarError(ValueError):
    def __init__(self, msg, data, pos):
        self.msg, self.data, self.pos = msg, data, pos
        self.offending = data[pos:pos + 20]
        super().__init__("%s at offset %d: %r (response %r)"
                         % (msg, pos, self.offending, data[:300]))


ATOM_CHARS = frozenset(set(range(0x21, 0x7f)) - set(b'(){%*"\\]'))
ASTRING_CHARS = ATOM_CHARS | {ord("]")}
TAG_CHARS = ASTRING_CHARS - {ord("+")}
TEXT_CHARS = frozenset(set(range(1, 0x80)) - {10, 13})
QUOTED_CHARS = TEXT_CHARS - {ord('"'), ord("\\")}
DIGITS = frozenset(b"0123456789")
MONTHS = (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug",
          b"Sep", b"Oct", b"Nov", b"Dec")
MAX32, MAX63 = 2 ** 32 - 1, 2 ** 63 - 1

RFC5530_CODES = {"UNAVAILABLE", "AUTHENTICATIONFAILED", "AUTHORIZATIONFAILED",
                 "EXPIRED", "PRIVACYREQUIRED", "CONTACTADMIN", "NOPERM",
                 "INUSE", "EXPUNGEISSUED", "CORRUPTION", "SERVERBUG",
                 "CLIENTBUG", "CANNOT", "LIMIT", "OVERQUOTA", "ALREADYEXISTS",
                 "NONEXISTENT"}
# codes that take no argument
BARE_CODES = RFC5530_CODES | {
    "ALERT", "PARSE", "READ-ONLY", "READ-WRITE", "TRYCREATE", "UIDNOTSTICKY",
    "CLOSED", "NOTSAVED", "HASCHILDREN", "NOMODSEQ", "COMPRESSIONACTIVE",
    "UNKNOWN-CTE", "USEATTR", "EXPUNGEISSUED"}


class Parser:
    def __init__(self, data, utf8=False, dovecot=False):
        self.d, self.p, self.utf8, self.dovecot = data, 0, utf8, dovecot

    # --- primitives -------------------------------------------------------

    def fail(self, msg, pos=None):
        raise ImapGrammarError(msg, self.d, self.p if pos is None else pos)

    def peek(self, n=1):
        return self.d[self.p:self.p + n]

    def at(self, s):
        """True if the case-insensitive keyword s is next."""
        b = s.encode()
        return self.d[self.p:self.p + len(b)].upper() == b.upper()

    def expect(self, s, what=None):
        if not self.at(s):
            self.fail("expected %r" % (what or s))
        self.p += len(s)

    def sp(self):
        self.expect(" ", "SP")

    def accept(self, s):
        if self.at(s):
            self.p += len(s)
            return True
        return False

    def keyword_follows(self, s):
        """s next, followed by a delimiter (SP, ")", "]", "[", CRLF)."""
        if not self.at(s):
            return False
        nxt = self.d[self.p + len(s):self.p + len(s) + 1]
        return nxt in (b" ", b")", b"]", b"\r", b"[", b"<", b"")

    def run(self, chars, what, minimum=1):
        start = self.p
        d = self.d
        while self.p < len(d) and d[self.p] in chars:
            self.p += 1
        if self.p - start < minimum:
            self.fail("expected %s" % what)
        return d[start:self.p]

    def number(self, limit=MAX32, nz=False, what="number"):
        start = self.p
        if nz and self.peek() == b"0":
            self.fail("nz-number must not start with 0")
        digits = self.run(DIGITS, what)
        v = int(digits)
        if v > limit:
            self.fail("%s out of range" % what, start)
        if nz and v == 0:
            self.fail("nz-number must not be 0", start)
        return v

    def nz(self, what="nz-number"):
        return self.number(nz=True, what=what)

    def number64(self):
        return self.number(MAX63, what="number64")

    def modseq(self, zero=False):
        return self.number(MAX63, nz=not zero, what="mod-sequence-value")

    def crlf(self):
        self.expect("\r\n", "CRLF")

    def end(self):
        self.crlf()
        if self.p != len(self.d):
            self.fail("data after the response's CRLF")

    def atom(self):
        return self.run(ATOM_CHARS, "atom").decode()

    def nil(self):
        if self.keyword_follows("NIL"):
            self.p += 3
            return True
        return False

    def _utf8_char(self, allowed):
        """One valid UTF-8 multibyte character at p (if allowed)."""
        c = self.d[self.p]
        n = 2 if 0xc2 <= c <= 0xdf else 3 if 0xe0 <= c <= 0xef else \
            4 if 0xf0 <= c <= 0xf4 else 0
        if not allowed or n == 0:
            self.fail("8-bit byte not allowed here" if not allowed else
                      "invalid UTF-8")
        try:
            self.d[self.p:self.p + n].decode("utf-8")
        except UnicodeDecodeError:
            self.fail("invalid UTF-8")
        self.p += n

    def quoted(self):
        self.expect('"', "DQUOTE")
        out = bytearray()
        d = self.d
        while True:
            if self.p >= len(d):
                self.fail("unterminated quoted string")
            c = d[self.p]
            if c == 0x22:
                self.p += 1
                return bytes(out)
            if c == 0x5c:
                if self.d[self.p + 1:self.p + 2] not in (b'"', b"\\"):
                    self.fail("backslash not followed by a quoted-special")
                out.append(d[self.p + 1])
                self.p += 2
            elif c in QUOTED_CHARS:
                out.append(c)
                self.p += 1
            elif c in (10, 13):
                self.fail("CR or LF inside a quoted string")
            elif c >= 0x80:
                start = self.p
                self._utf8_char(self.utf8)
                out += d[start:self.p]
            else:
                self.fail("invalid character in a quoted string")

    def literal(self, eight=False):
        start = self.p
        if eight:
            self.expect("~", "~")
        self.expect("{", "{")
        n = self.number(MAX63, what="literal length")
        if self.peek() == b"+":
            self.fail("non-synchronizing literal from the server")
        self.expect("}", "}")
        self.crlf()
        if self.p + n > len(self.d):
            self.fail("literal shorter than its length", start)
        data = self.d[self.p:self.p + n]
        if not eight and 0 in data:
            self.fail("NUL in a literal (CHAR8 excludes it)",
                      self.p + data.index(0))
        self.p += n
        return data

    def string(self):
        c = self.peek()
        if c == b'"':
            return self.quoted()
        if c == b"{":
            return self.literal()
        self.fail("expected string")

    def nstring(self):
        if self.nil():
            return None
        return self.string()

    def astring(self):
        if self.peek() in (b'"', b"{"):
            return self.string()
        return self.run(ASTRING_CHARS, "astring")

    def mailbox(self):
        return self.astring()

    def text(self, empty_ok=True):
        """text up to CRLF: TEXT-CHARs, plus UTF-8 (RFC 9051)."""
        start = self.p
        d = self.d
        while self.p < len(d) and d[self.p] not in (10, 13):
            c = d[self.p]
            if c in TEXT_CHARS:
                self.p += 1
            elif c >= 0x80:
                self._utf8_char(True)
            else:
                self.fail("invalid character in text")
        if self.p == start and not empty_ok:
            self.fail("expected text")
        return d[start:self.p].decode("utf-8")

    def paren_list(self, item, allow_empty=True):
        """ "(" [item *(SP item)] ")" """
        self.expect("(", "(")
        out = []
        if self.accept(")"):
            if not allow_empty:
                self.fail("empty list", self.p - 1)
            return out
        while True:
            out.append(item())
            if self.accept(")"):
                return out
            self.sp()

    # --- flags, sets ------------------------------------------------------

    def flag(self, extra=()):
        if self.peek() == b"\\":
            self.p += 1
            if self.accept("*"):
                if "\\*" not in extra:
                    self.fail("\\* not allowed here", self.p - 1)
                return "\\*"
            return "\\" + self.atom()
        return self.atom()

    def flag_list(self, extra=()):
        return self.paren_list(lambda: self.flag(extra))

    def seq_number(self):
        if self.accept("*"):
            return "*"
        return self.nz("seq-number")

    def sequence_set(self):
        out = []
        while True:
            a = self.seq_number()
            if self.accept(":"):
                out.append((a, self.seq_number()))
            else:
                out.append(a)
            if not self.accept(","):
                return out

    def uid_set(self):
        """uid-set: like sequence-set without "*"."""
        out = self.sequence_set()
        for x in out:
            if "*" in (x if isinstance(x, tuple) else (x,)):
                self.fail("\"*\" in a uid-set")
        return out

    def date_time(self):
        start = self.p
        self.expect('"', "DQUOTE")
        day = self.d[self.p:self.p + 2]
        if not (len(day) == 2 and (day[0:1] == b" " or day[0] in DIGITS)
                and day[1] in DIGITS):
            self.fail("bad date-day-fixed")
        self.p += 2
        self.expect("-", "-")
        if self.d[self.p:self.p + 3] not in MONTHS:
            self.fail("bad date-month")
        self.p += 3
        self.expect("-", "-")
        self._digits(4, "date-year")
        self.sp()
        for i in range(3):
            if i:
                self.expect(":", ":")
            self._digits(2, "time")
        self.sp()
        if self.peek() not in (b"+", b"-"):
            self.fail("bad zone")
        self.p += 1
        self._digits(4, "zone")
        self.expect('"', "DQUOTE")
        return self.d[start + 1:self.p - 1].decode()

    def _digits(self, n, what):
        s = self.d[self.p:self.p + n]
        if len(s) != n or not all(c in DIGITS for c in s):
            self.fail("bad " + what)
        self.p += n

    def objectid(self):
        self.expect("(", "(")
        v = self.run(set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         b"0123456789_-"), "objectid")
        if len(v) > 255:
            self.fail("objectid longer than 255")
        self.expect(")", ")")
        return v.decode()

    # --- responses --------------------------------------------------------

    def response(self, greeting=False):
        if greeting:
            self.expect("* ", "\"*\" SP")
            if self.keyword_follows("PREAUTH") or self.keyword_follows("OK") \
                    or self.keyword_follows("BYE"):
                name = self.atom().upper()
                self.sp()
                r = ("*", name) + self.resp_text()
                self.end()
                return r
            self.fail("greeting must be OK, PREAUTH or BYE")
        if self.accept("+"):
            if self.at("\r\n"):
                r = ("+", None, "")
            else:
                self.sp()
                r = ("+",) + self.resp_text()
            self.end()
            return r
        if self.accept("* "):
            r = ("*",) + self.response_data()
            self.end()
            return r
        tag = self.run(TAG_CHARS, "tag").decode()
        self.sp()
        for s in ("OK", "NO", "BAD"):
            if self.keyword_follows(s):
                self.p += len(s)
                self.sp()
                r = (tag, s) + self.resp_text()
                self.end()
                return r
        self.fail("tagged response must be OK, NO or BAD")

    def resp_text(self):
        code = None
        if self.accept("["):
            code = self.resp_text_code()
            self.expect("]", "]")
            if self.at("\r\n"):
                self.fail("expected SP after \"]\"")
            self.sp()
        return code, self.text()

    def resp_text_code(self):
        start = self.p
        name = self.atom().upper()
        if name in BARE_CODES:
            return (name,)
        if name == "BADCHARSET":
            if self.accept(" "):
                return (name, self.paren_list(self.astring, False))
            return (name,)
        if name == "CAPABILITY":
            return (name, self.capabilities())
        if name == "PERMANENTFLAGS":
            self.sp()
            return (name, self.flag_list(("\\*",)))
        if name in ("UIDNEXT", "UIDVALIDITY", "UNSEEN"):
            self.sp()
            return (name, self.nz())
        if name == "APPENDUID":
            self.sp()
            v = self.nz()
            self.sp()
            return (name, v, self.uid_set())
        if name == "COPYUID":
            self.sp()
            v = self.nz()
            self.sp()
            a = self.uid_set()
            self.sp()
            return (name, v, a, self.uid_set())
        if name == "HIGHESTMODSEQ":
            self.sp()
            return (name, self.modseq())
        if name == "MODIFIED":
            self.sp()
            return (name, self.sequence_set())
        if name == "MAILBOXID":
            self.sp()
            return (name, self.objectid())
        if name == "REFERRAL":
            self.sp()
            return (name, self.run(TEXT_CHARS - {ord("]"), 32}, "url").decode())
        if name == "APPENDLIMIT":
            self.sp()
            return (name, self.number())
        # unknown: atom [SP 1*<any TEXT-CHAR except "]">]
        if self.accept(" "):
            arg = self.run(TEXT_CHARS - {ord("]")}, "resp-text-code text")
            return (name, arg.decode())
        return (name,)

    def capabilities(self):
        caps = []
        while self.accept(" "):
            caps.append(self.atom())
        up = [c.upper() for c in caps]
        if "IMAP4REV1" not in up and "IMAP4REV2" not in up:
            self.fail("CAPABILITY without IMAP4rev1 or IMAP4rev2")
        return caps

    def response_data(self):
        if self.peek() and self.peek()[0] in DIGITS:
            n = self.number()
            self.sp()
            name = self.atom().upper()
            if name in ("EXISTS", "RECENT"):
                return (name, n)
            if name == "EXPUNGE":
                self._nonzero(n)
                return (name, n)
            if name == "FETCH":
                self._nonzero(n)
                self.sp()
                return (name, n, self.msg_att())
            self.fail("unknown message data %r" % name)
        start = self.p
        name = self.atom().upper()
        fn = getattr(self, "data_" + name.replace("-", "_"), None)
        if fn is None:
            self.fail("unknown response %r" % name, start)
        return (name,) + fn()

    def _nonzero(self, n):
        if n == 0:
            self.fail("message sequence number 0 (nz-number)")

    def data_OK(self):
        self.sp()
        return self.resp_text()
    data_NO = data_BAD = data_BYE = data_OK

    def data_CAPABILITY(self):
        return (self.capabilities(),)

    def data_ENABLED(self):
        caps = []
        while self.accept(" "):
            caps.append(self.atom())
        return (caps,)

    def data_FLAGS(self):
        self.sp()
        return (self.flag_list(),)

    def data_LIST(self):
        self.sp()
        start = self.p
        flags = self.flag_list()
        for f in flags:
            if not f.startswith("\\"):
                self.fail("mailbox list flag %r is not \\atom" % f, start)
        sflags = [f for f in flags if f.upper() in
                  ("\\NOSELECT", "\\MARKED", "\\UNMARKED", "\\NONEXISTENT")]
        if len(sflags) > 1:
            self.fail("more than one mbx-list-sflag %r" % sflags, start)
        self.sp()
        if self.nil():
            delim = None
        else:
            self.expect('"', "DQUOTE")
            c = self.peek()
            if c == b"\\":
                self.p += 1
                if self.peek() not in (b'"', b"\\"):
                    self.fail("bad quoted delimiter")
            elif not c or c[0] not in QUOTED_CHARS:
                self.fail("bad hierarchy delimiter")
            delim = self.peek().decode()
            self.p += 1
            self.expect('"', "DQUOTE")
        self.sp()
        box = self.mailbox()
        ext = []
        if self.accept(" "):
            ext = self.paren_list(self.list_ext_item, False)
        return (flags, delim, box, ext)
    data_LSUB = data_LIST

    def list_ext_item(self):
        start = self.p
        tag = self.astring().upper()
        self.sp()
        if tag == b"CHILDINFO":
            return ("CHILDINFO", self.paren_list(self.string, False))
        if tag == b"OLDNAME":
            self.expect("(", "(")
            box = self.mailbox()
            self.expect(")", ")")
            return ("OLDNAME", box)
        self.fail("unknown LIST extended item %r" % tag, start)

    def data_STATUS(self):
        self.sp()
        box = self.mailbox()
        self.sp()
        return (box, self.paren_list(self.status_att))

    def status_att(self):
        start = self.p
        name = self.atom().upper()
        self.sp()
        if name in ("MESSAGES", "UNSEEN", "DELETED", "RECENT"):
            return (name, self.number())
        if name in ("UIDNEXT", "UIDVALIDITY"):
            return (name, self.nz())
        if name in ("SIZE", "DELETED-STORAGE"):
            return (name, self.number64())
        if name == "HIGHESTMODSEQ":
            return (name, self.modseq(zero=True))
        if name == "MAILBOXID":
            return (name, self.objectid())
        if name == "APPENDLIMIT":
            return (name, None if self.nil() else self.number())
        self.fail("unknown STATUS item %r" % name, start)

    def search_modseq(self):
        self.expect("(", "(")
        self.expect("MODSEQ", "MODSEQ")
        self.sp()
        v = self.modseq()
        self.expect(")", ")")
        return v

    def data_SEARCH(self):
        nums, modseq = [], None
        while self.accept(" "):
            if self.peek() == b"(":
                modseq = self.search_modseq()
                break
            nums.append(self.nz())
        return (nums, modseq)
    data_SORT = data_SEARCH

    def data_ESEARCH(self):
        tag, uid, out = None, False, []
        if self.at(" ("):
            self.p += 1
            self.expect("(", "(")
            self.expect("TAG", "TAG")
            self.sp()
            tag = self.astring()
            self.expect(")", ")")
        if self.at(" UID") and self.d[self.p + 4:self.p + 5] in (b" ", b"\r"):
            self.p += 4
            uid = True
        while self.accept(" "):
            start = self.p
            name = self.atom().upper()
            self.sp()
            if name in ("MIN", "MAX"):
                out.append((name, self.nz()))
            elif name == "ALL":
                out.append((name, self.sequence_set()))
            elif name == "COUNT":
                out.append((name, self.number()))
            elif name == "MODSEQ":
                out.append((name, self.modseq()))
            elif name in ("ADDTO", "REMOVEFROM"):
                def pos_set():
                    p = self.number()
                    self.sp()
                    return (p, self.sequence_set())
                out.append((name, self.paren_list(pos_set, False)))
            elif name == "PARTIAL":
                self.expect("(", "(")
                lo = self.nz()
                self.expect(":", ":")
                hi = self.nz()
                self.sp()
                res = None if self.nil() else self.sequence_set()
                self.expect(")", ")")
                out.append((name, (lo, hi), res))
            else:
                self.fail("unknown ESEARCH return data %r" % name, start)
        return (tag, uid, out)

    def data_THREAD(self):
        threads = []
        if self.accept(" "):
            while self.peek() == b"(":
                threads.append(self.thread_list())
            if not threads and not (self.dovecot and self.at("\r\n")):
                self.fail("expected thread-list")
        return (threads,)

    def thread_list(self):
        """thread-list = "(" (thread-members / thread-nested) ")" """
        self.expect("(", "(")
        out = []
        if self.peek() == b"(":
            nested = self.thread_nested()
            self.expect(")", ")")
            return nested
        while True:
            out.append(self.nz())
            if self.accept(")"):
                return out
            self.sp()
            if self.peek() == b"(":
                out.append(self.thread_nested())
                self.expect(")", ")")
                return out

    def thread_nested(self):
        """2*thread-list"""
        start = self.p
        subs = []
        while self.peek() == b"(":
            subs.append(self.thread_list())
        if len(subs) < 2:
            self.fail("thread-nested needs at least two thread-lists", start)
        return subs

    def data_VANISHED(self):
        self.sp()
        earlier = False
        if self.accept("(EARLIER)"):
            earlier = True
            self.sp()
        return (earlier, self.uid_set())

    def data_ID(self):
        self.sp()
        if self.nil():
            return (None,)
        self.expect("(", "(")
        out = []
        if self.accept(")"):
            return (out,)
        while True:
            k = self.string()
            self.sp()
            out.append((k, self.nstring()))
            if self.accept(")"):
                return (out,)
            self.sp()

    def data_NAMESPACE(self):
        out = []
        for i in range(3):
            self.sp()
            out.append(None if self.nil() else self.namespace())
        return tuple(out)

    def namespace(self):
        self.expect("(", "(")
        out = []
        while self.peek() == b"(":
            self.p += 1
            prefix = self.string()
            self.sp()
            if self.nil():
                delim = None
            else:
                delim = self.quoted()
                if len(delim) != 1:
                    self.fail("namespace delimiter is not one character")
            exts = []
            while self.accept(" "):
                name = self.string()
                self.sp()
                exts.append((name, self.paren_list(self.string, False)))
            self.expect(")", ")")
            out.append((prefix, delim, exts))
        if not out:
            self.fail("empty namespace list")
        self.expect(")", ")")
        return out

    # --- FETCH ------------------------------------------------------------

    def msg_att(self):
        return self.paren_list(self.msg_att_item, False)

    def msg_att_item(self):
        start = self.p
        name = self.run(ATOM_CHARS - {ord("["), ord("<")}, "msg-att name"
                        ).decode().upper()
        if name in ("BODY", "BINARY", "BINARY.SIZE") and self.peek() == b"[":
            if name == "BODY":
                sec = self.section()
                origin = None
                if self.accept("<"):
                    origin = self.number()
                    self.expect(">", ">")
                self.sp()
                return ("BODY", sec, origin, self.nstring())
            sec = self.section_binary()
            if name == "BINARY.SIZE":
                self.sp()
                return (name, sec, self.number())
            # RFC 9051 7.5.2 "BINARY[<section-binary>]<<number>>" (the
            # ABNF of RFC 3516/9051 leaves the origin out)
            origin = None
            if self.accept("<"):
                origin = self.number()
                self.expect(">", ">")
            self.sp()
            if self.peek() == b"~":
                return (name, sec, origin, self.literal(eight=True))
            return (name, sec, origin, self.nstring())
        self.sp()
        if name == "FLAGS":
            return (name, self.flag_list())
        if name == "MODSEQ":
            self.expect("(", "(")
            v = self.modseq()
            self.expect(")", ")")
            return (name, v)
        if name == "ENVELOPE":
            return (name, self.envelope())
        if name == "INTERNALDATE":
            return (name, self.date_time())
        if name == "SAVEDATE":
            return (name, None if self.nil() else self.date_time())
        if name in ("RFC822", "RFC822.HEADER", "RFC822.TEXT"):
            return (name, self.nstring())
        if name == "RFC822.SIZE":
            return (name, self.number64())
        if name in ("BODY", "BODYSTRUCTURE"):
            return (name, self.body())
        if name == "UID":
            return (name, self.nz("uniqueid"))
        if name == "EMAILID":
            return (name, self.objectid())
        if name == "THREADID":
            return (name, None if self.nil() else self.objectid())
        self.fail("unknown msg-att %r" % name, start)

    def section_binary(self):
        self.expect("[", "[")
        parts = []
        if not self.at("]"):
            parts = self.section_part()
        self.expect("]", "]")
        return parts

    def section_part(self):
        parts = [self.nz("section-part")]
        while self.peek() == b"." and self.d[self.p + 1:self.p + 2] in \
                [bytes([c]) for c in DIGITS]:
            self.p += 1
            parts.append(self.nz("section-part"))
        return parts

    def section(self):
        self.expect("[", "[")
        parts, text = [], None
        if self.peek() and self.peek()[0] in DIGITS:
            parts = self.section_part()
            if self.accept("."):
                text = self.section_text(mime=True)
        elif not self.at("]"):
            text = self.section_text(mime=False)
        self.expect("]", "]")
        return (parts, text)

    def section_text(self, mime):
        for kw in ("HEADER.FIELDS.NOT", "HEADER.FIELDS"):
            if self.accept(kw):
                self.sp()
                return (kw, [h.decode() for h in
                             self.paren_list(self.astring, False)])
        for kw in ("HEADER", "TEXT") + (("MIME",) if mime else ()):
            if self.keyword_follows(kw):
                self.p += len(kw)
                return (kw,)
        self.fail("bad section-text")

    def envelope(self):
        self.expect("(", "(")
        f = []
        for i in range(10):
            if i:
                self.sp()
            if i in (0, 1, 8, 9):
                f.append(self.nstring())
            else:
                f.append(self.address_list())
        self.expect(")", ")")
        return f

    def address_list(self):
        if self.nil():
            return None
        self.expect("(", "(")
        out = []
        while self.peek() == b"(":
            self.p += 1
            a = []
            for i in range(4):
                if i:
                    self.sp()
                a.append(self.nstring())
            self.expect(")", ")")
            out.append(a)
        if not out:
            self.fail("empty address list (must be NIL)")
        self.expect(")", ")")
        return out

    def body(self):
        self.expect("(", "(")
        if self.peek() == b"(":
            parts = []
            while self.peek() == b"(":
                parts.append(self.body())
            self.sp()
            subtype = self.string()
            ext = None
            if self.accept(" "):
                ext = self.body_ext(self.body_fld_param)
            self.expect(")", ")")
            return ("multipart", parts, subtype, ext)
        mtype = self.string()
        self.sp()
        subtype = self.string()
        self.sp()
        fields = self.body_fields()
        extra = []
        if mtype.upper() == b"TEXT":
            self.sp()
            extra.append(self.number64())
        elif mtype.upper() == b"MESSAGE" and subtype.upper() in (b"RFC822",
                                                                 b"GLOBAL"):
            self.sp()
            extra.append(self.envelope())
            self.sp()
            extra.append(self.body())
            self.sp()
            extra.append(self.number64())
        ext = None
        if self.accept(" "):
            ext = self.body_ext(self.nstring)
        self.expect(")", ")")
        return (mtype, subtype, fields, extra, ext)

    def body_fields(self):
        f = [self.body_fld_param()]
        for i in range(3):
            self.sp()
            f.append(self.nstring() if i < 2 else self.string())
        self.sp()
        f.append(self.number())
        return f

    def body_fld_param(self):
        if self.nil():
            return None
        self.expect("(", "(")
        out = []
        while True:
            k = self.string()
            self.sp()
            out.append((k, self.string()))
            if self.accept(")"):
                return out
            self.sp()

    def body_ext(self, first):
        """first (md5 or params) [SP dsp [SP lang [SP loc *(SP ext)]]]"""
        out = [first()]
        if not self.accept(" "):
            return out
        if self.nil():
            out.append(None)
        else:
            self.expect("(", "(")
            d = self.string()
            self.sp()
            out.append((d, self.body_fld_param()))
            self.expect(")", ")")
        if not self.accept(" "):
            return out
        if self.peek() == b"(":
            out.append(self.paren_list(self.string, False))
        else:
            out.append(self.nstring())
        if not self.accept(" "):
            return out
        out.append(self.nstring())
        while self.accept(" "):
            out.append(self.body_extension())
        return out

    def body_extension(self):
        if self.peek() == b"(":
            return self.paren_list(self.body_extension, False)
        if self.peek() and self.peek()[0] in DIGITS:
            return self.number64()
        return self.nstring()


def parse_response(data, utf8=False, dovecot=False, greeting=False):
    """The parsed form of one complete response (bytes, CRLF included).
    utf8: UTF8=ACCEPT (or IMAP4rev2) is enabled: UTF-8 allowed in quoted
    strings. greeting: the connection's first response. dovecot: accept
    DOVECOT_DEVIATIONS."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("bytes expected")
    return Parser(bytes(data), utf8, dovecot).response(greeting)
