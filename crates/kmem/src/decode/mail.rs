//! Reports as mail carries them: quoted in a reply (`> `, `>> `, `> > `),
//! encoded quoted-printable (`=3D`, a soft line break `=` at the end of a
//! line), and wrapped by the mail client at about 72 columns (a flowed
//! line keeps its trailing space). The decoder reads the original lines.

/// The log's lines as the kernel printed them, each with the 1-based
/// number of its first line in `log`.
pub(super) fn unwrap(log: &str) -> Vec<(usize, String)> {
    let quoted: Vec<(usize, &str)> = log
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, strip_quote(l)))
        .collect();
    let decoded = if is_quoted_printable(&quoted) {
        decode_quoted_printable(&quoted)
    } else {
        quoted.iter().map(|&(n, l)| (n, l.to_string())).collect()
    };
    join_wrapped(decoded)
}

/// A line without the `>` markers of a mail reply (`> `, `>>`, `> > > `).
fn strip_quote(line: &str) -> &str {
    let mut s = line;
    let mut quoted = false;
    while let Some(rest) = s.trim_start_matches(' ').strip_prefix('>') {
        s = rest;
        quoted = true;
    }
    if quoted {
        s.strip_prefix(' ').unwrap_or(s)
    } else {
        line
    }
}

/// Whether the text is quoted-printable: soft line breaks and `=XX`
/// escapes of `=` itself or of a space.
fn is_quoted_printable(lines: &[(usize, &str)]) -> bool {
    let soft_breaks = lines.iter().filter(|(_, l)| l.ends_with('=')).count();
    let escapes = lines
        .iter()
        .filter(|(_, l)| l.contains("=3D") || l.contains("=20") || l.contains("=09"))
        .count();
    soft_breaks >= 2 && escapes >= 1
}

/// Joins soft line breaks and decodes `=XX` escapes.
fn decode_quoted_printable(lines: &[(usize, &str)]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut continued = false;
    for &(number, line) in lines {
        let (text, soft) = match line.strip_suffix('=') {
            Some(t) => (t, true),
            None => (line, false),
        };
        let text = unescape(text);
        match out.last_mut() {
            Some((_, last)) if continued => last.push_str(&text),
            _ => out.push((number, text)),
        }
        continued = soft;
    }
    out
}

/// `=XX` to its byte (bytes that are not ASCII become U+FFFD).
fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        if bytes[i] == b'=' {
            if let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Joins the lines a mail client broke. When most lines of the text carry
/// a log prefix (a timestamp, a syslog prefix), a line without one that
/// follows a prefixed line continues it: a flowed break keeps a trailing
/// space and joins as it is, any other break was a space.
fn join_wrapped(lines: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let non_empty = lines.iter().filter(|(_, l)| !l.trim().is_empty()).count();
    let prefixed = lines
        .iter()
        .filter(|(_, l)| super::has_log_prefix(l))
        .count();
    if non_empty == 0 || prefixed * 2 < non_empty {
        return lines;
    }
    let mut out: Vec<(usize, String)> = Vec::with_capacity(lines.len());
    for (number, line) in lines {
        let continues = !line.trim().is_empty()
            && !super::has_log_prefix(&line)
            && out
                .last()
                .is_some_and(|(_, last)| super::has_log_prefix(last));
        match out.last_mut() {
            Some((_, last)) if continues => {
                if !last.ends_with(' ') {
                    last.push(' ');
                }
                last.push_str(line.trim_start());
            }
            _ => out.push((number, line)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_escapes_and_wraps_are_undone() {
        let text = "> > [ 1.0] BUG: sleeping function called from invalid context at\n> > kernel/locking/mutex.c:580\n> > [ 1.1] in_atomic(): 1\n";
        let lines = unwrap(text);
        assert_eq!(
            lines[0],
            (1, "[ 1.0] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580".to_string())
        );
        assert_eq!(lines[1], (3, "[ 1.1] in_atomic(): 1".to_string()));
        let qp = "[ 1.0] Tainted: [W]=3DWARN, a long line that the encoder broke=\n here\n[ 1.1] x=\ny\n";
        let lines = unwrap(qp);
        assert_eq!(
            lines[0].1,
            "[ 1.0] Tainted: [W]=WARN, a long line that the encoder broke here"
        );
        assert_eq!(lines[1].1, "[ 1.1] xy");
        // Plain text without prefixes is left as it is.
        assert_eq!(unwrap("a\nb\n").len(), 2);
        // A `>` inside a line is not a quote.
        assert_eq!(strip_quote("[ 1.0] a > b"), "[ 1.0] a > b");
    }
}
