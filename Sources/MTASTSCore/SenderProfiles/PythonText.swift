// Python's text rules, for the profiles whose sender is a Python program
// (postfix-mta-sts-resolver, checkdmarc): str.isspace, str.splitlines and int() of a string.

enum PythonText {
    /// str.isspace: Unicode White_Space, plus the separators U+001C-U+001F Python counts too.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || (0x1C...0x1F).contains(c.value)
    }

    static func strip(_ s: Substring) -> Substring { rstrip(lstrip(s)) }
    static func lstrip(_ s: Substring) -> Substring {
        var u = s.unicodeScalars[...]
        while let f = u.first, isSpace(f) { u = u.dropFirst() }
        return Substring(u)
    }
    static func rstrip(_ s: Substring) -> Substring {
        var u = s.unicodeScalars[...]
        while let l = u.last, isSpace(l) { u = u.dropLast() }
        return Substring(u)
    }

    /// str.splitlines(): \n, \r, \r\n, \v, \f, \x1c, \x1d, \x1e, \x85, \u2028, \u2029 end lines;
    /// no empty last line after a final break.
    static func splitlines(_ s: String) -> [Substring] {
        let breaks: Set<UInt32> = [0x0A, 0x0D, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029]
        var lines: [Substring] = []
        let u = s.unicodeScalars
        var start = u.startIndex, i = u.startIndex
        while i < u.endIndex {
            if breaks.contains(u[i].value) {
                lines.append(Substring(u[start..<i]))
                var next = u.index(after: i)
                if u[i] == "\r", next < u.endIndex, u[next] == "\n" { next = u.index(after: next) }
                start = next
                i = next
            } else {
                i = u.index(after: i)
            }
        }
        if start < u.endIndex { lines.append(Substring(u[start..<u.endIndex])) }
        return lines
    }

    /// int(s) for ASCII input: surrounding whitespace, an optional sign, digits with single
    /// underscores between them. Nil where Python raises ValueError (or for non-ASCII digits,
    /// which Python accepts and this model does not).
    static func int(_ s: Substring) -> Int? {
        var t = Array(strip(s).utf8)[...]
        var negative = false
        if let f = t.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { negative = f == UInt8(ascii: "-"); t = t.dropFirst() }
        guard let first = t.first, let last = t.last, ASCII.isDigit(first), ASCII.isDigit(last) else { return nil }
        var n = 0, prevUnderscore = false
        for b in t {
            if b == UInt8(ascii: "_") {
                if prevUnderscore { return nil }
                prevUnderscore = true
                continue
            }
            guard ASCII.isDigit(b) else { return nil }
            prevUnderscore = false
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(b - 0x30))
            if o1 || o2 { return Int.max }   // larger than any max_age limit
            n = a
        }
        return negative ? -n : n
    }
}
