#!/usr/bin/env python3
"""Ground truth for DomainName's non-ASCII path, from Python's `idna` package (IDNA2008, RFC 5891-5893),
independent of libidn2 and of the Swift code. Writes IDNATable.swift beside this file:

    python3 -m venv /tmp/idna-venv && /tmp/idna-venv/bin/pip install idna==3.20
    /tmp/idna-venv/bin/python Tests/MTASTSCoreTests/idna_table.py

The rule computed here is the one DomainName.swift documents: Unicode default lower-casing
(str.lower, as Swift's lowercased()), one final dot dropped, NFC, then IDNA2008 lookup with no
UTS #46 mapping (idna.encode(uts46=False)), the result a host name of at most 253 octets.
The inputs are the examples of RFC 3492 §7.1, RFC 5892 Appendix A (CONTEXTJ), RFC 5893 (Bidi),
UTS #46 §6 and libidn2's documentation, and the cases issue 14 names (joiners, leading combining
marks, title-case letters)."""
import os, re, unicodedata
import idna

CASES = [
    # (input, why)
    ("bücher.example", "the classic U-label"),
    ("BÜCHER.EXAMPLE.", "upper case and a final dot: lower-cased first"),
    ("München.DE", "mixed case"),
    ("straße.de", "sharp s is PVALID in IDNA2008 (no transitional mapping to ss)"),
    ("βόλος.gr", "UTS #46 §6 deviation example: final sigma kept"),
    ("\u212A.test", "KELVIN SIGN lower-cases to ASCII k"),
    ("\u0130.test", "LATIN CAPITAL I WITH DOT lower-cases to i + U+0307"),
    ("u\u0308ber.test", "decomposed: NFC makes it über"),
    ("例え.テスト", "Japanese"),
    ("ü", "one label"),
    ("ü.", "one label, final dot"),
    # RFC 3492 §7.1 sample strings (those that are valid IDNA2008 labels, lower-cased)
    ("\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F", "RFC 3492 (A) Arabic (Egyptian), ends in U+061F ARABIC QUESTION MARK"),
    ("\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587", "RFC 3492 (B) Chinese (simplified)"),
    ("\u4ED6\u5011\u7232\u4EC0\u9EBD\u4E0D\u8AAA\u4E2D\u6587", "RFC 3492 (C) Chinese (traditional)"),
    ("Pro\u010Dprost\u011Bnemluv\u00ED\u010Desky", "RFC 3492 (D) Czech"),
    ("\u05DC\u05DE\u05D4\u05D4\u05DD\u05E4\u05E9\u05D5\u05D8\u05DC\u05D0\u05DE\u05D3\u05D1\u05E8\u05D9\u05DD\u05E2\u05D1\u05E8\u05D9\u05EA", "RFC 3492 (E) Hebrew"),
    ("\u092F\u0939\u0932\u094B\u0917\u0939\u093F\u0928\u094D\u0926\u0940\u0915\u094D\u092F\u094B\u0902\u0928\u0939\u0940\u0902\u092C\u094B\u0932\u0938\u0915\u0924\u0947\u0939\u0948\u0902", "RFC 3492 (F) Hindi"),
    ("\u306A\u305C\u307F\u3093\u306A\u65E5\u672C\u8A9E\u3092\u8A71\u3057\u3066\u304F\u308C\u306A\u3044\u306E\u304B", "RFC 3492 (G) Japanese"),
    ("\uC138\uACC4\uC758\uBAA8\uB4E0\uC0AC\uB78C\uB4E4\uC774\uD55C\uAD6D\uC5B4\uB97C\uC774\uD574\uD55C\uB2E4\uBA74\uC5BC\uB9C8\uB098\uC88B\uC744\uAE4C", "RFC 3492 (H) Korean: 65 octets as an A-label, too long"),
    ("\u043F\u043E\u0447\u0435\u043C\u0443\u0436\u0435\u043E\u043D\u0438\u043D\u0435\u0433\u043E\u0432\u043E\u0440\u044F\u0442\u043F\u043E\u0440\u0443\u0441\u0441\u043A\u0438", "RFC 3492 (I) Russian"),
    ("Porqu\u00E9nopuedensimplementehablarenEspa\u00F1ol", "RFC 3492 (J) Spanish"),
    ("T\u1EA1isaoh\u1ECDkh\u00F4ngth\u1EC3ch\u1EC9n\u00F3iti\u1EBFngVi\u1EC7t", "RFC 3492 (K) Vietnamese"),
    ("3\u5E74B\u7D44\u91D1\u516B\u5148\u751F", "RFC 3492 (L)"),
    ("\u5B89\u5BA4\u5948\u7F8E\u6075-with-SUPER-MONKEYS", "RFC 3492 (M)"),
    ("Hello-Another-Way-\u305D\u308C\u305E\u308C\u306E\u5834\u6240", "RFC 3492 (N)"),
    ("\u3072\u3068\u3064\u5C4B\u6839\u306E\u4E0B2", "RFC 3492 (O)"),
    ("Maji\u3067Koi\u3059\u308B5\u79D2\u524D", "RFC 3492 (P)"),
    ("\u30D1\u30D5\u30A3\u30FCde\u30EB\u30F3\u30D0", "RFC 3492 (Q)"),
    ("\u305D\u306E\u30B9\u30D4\u30FC\u30C9\u3067", "RFC 3492 (R)"),
    # Joiners (RFC 5892 Appendix A.1/A.2, CONTEXTJ)
    ("a\u200Db.test", "ZERO WIDTH JOINER between letters: CONTEXTJ fails"),
    ("a\u200Cb.test", "ZERO WIDTH NON-JOINER between Latin letters: CONTEXTJ fails"),
    ("\u200C.test", "a label of a lone ZWNJ"),
    ("\u0915\u094D\u200D\u0937.test", "ZWJ after a virama (Devanagari): CONTEXTJ holds"),
    ("\u0915\u094D\u200C\u0937.test", "ZWNJ after a virama: CONTEXTJ holds"),
    # Leading combining marks (RFC 5891 §5.4)
    ("\u0301a.test", "a label starting with COMBINING ACUTE ACCENT"),
    ("a.\u0301", "a label that is only a combining mark"),
    # Title case and compatibility characters: DISALLOWED in IDNA2008, and not mapped here
    ("\u01C5.test", "LATIN CAPITAL LETTER D WITH SMALL LETTER Z WITH CARON (title case)"),
    ("\u01C5emal.test", "title case inside a label"),
    ("\u01C6.test", "its lower case is DISALLOWED too (not stable under NFKC_Casefold)"),
    ("\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45.test", "full-width letters"),
    ("\uFB01.test", "LATIN SMALL LIGATURE FI"),
    ("\u00ADab.test", "SOFT HYPHEN"),
    ("\u00A0example.com", "NO-BREAK SPACE"),
    ("\u2603.test", "SNOWMAN: a symbol"),
    ("\u00E9\u00A9.test", "COPYRIGHT SIGN inside a label"),
    # Hyphens and lengths of U-labels (RFC 5891 §4.2.3.1, §4.2.4)
    ("-\u00FC.test", "leading hyphen"),
    ("\u00FC-.test", "trailing hyphen"),
    ("\u00FCb--c.test", "hyphens in positions 3 and 4"),
    ("\u00FC" * 60 + ".test", "an A-label over 63 octets"),
    ("\u00FC" * 30 + ".test", "an A-label under 63 octets"),
    # Bidi rule (RFC 5893)
    ("\u0644\u0627.test", "an RTL label"),
    ("a\u0644.test", "LTR then RTL in one label: Bidi rule fails"),
    ("\u05D0\u05D1.\u00FC", "an RTL label beside an LTR one"),
    ("1\u05D0.test", "RTL label starting with a digit (Bidi rule 1)"),
    # Mixed with ASCII labels, and an A-label in a name with a U-label
    ("WWW.bücher.example", "ASCII labels lower-cased too"),
    ("xn--bcher-kva.bücher.example", "an A-label beside a U-label"),
]

def expected(text):
    s = text.lower()
    if s.endswith("."):
        s = s[:-1]
    if not s or s.endswith("."):
        return None
    s = unicodedata.normalize("NFC", s)
    try:
        out = idna.encode(s, uts46=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None
    ok = len(out) <= 253 and all(
        re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", l) for l in out.split(".")) and not out.split(".")[-1].isdigit()
    return out if ok else None

def swift(s):
    return '"' + "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "\\u{%X}" % ord(c) for c in s) + '"'

rows = [(t, expected(t), why) for t, why in CASES]
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "IDNATable.swift"), "w") as f:
    f.write("// Generated by Tests/MTASTSCoreTests/idna_table.py with Python's idna %s (see its header for\n" % idna.package_data.__version__)
    f.write("// the command and the rule); do not edit. nil: not a domain name (invalid-input).\n")
    f.write("enum IDNATable {\n    static let rows: [(input: String, aLabel: String?, why: String)] = [\n")
    for t, e, why in rows:
        f.write("        (%s, %s, %s),\n" % (swift(t), swift(e) if e else "nil", swift(why)))
    f.write("    ]\n}\n")
for t, e, why in rows:
    print(repr(t)[:40].ljust(42), e, "  #", why)
