//! Untrusted text made safe for where it goes: terminals and spreadsheets.
//!
//! Log fields are attacker-controlled. On a terminal, control characters
//! (which can move the cursor, recolour or retitle the window) and bidi
//! controls (which can reorder what is shown) are printed as escapes. In CSV,
//! a cell that Excel would run as a formula is prefixed with `'`.

/// Escapes C0/C1 controls, DEL and bidi/invisible direction marks.
pub fn for_terminal(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            match c {
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n"),
                c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Prefixes `'` to a cell that a spreadsheet would read as a formula.
pub fn for_spreadsheet(text: String) -> String {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_controls_and_bidi() {
        assert_eq!(for_terminal("a\x1b[31mb"), "a\\x1b[31mb");
        assert_eq!(for_terminal("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(for_terminal("plain ÄÖ"), "plain ÄÖ");
    }

    #[test]
    fn spreadsheet_formulas_are_defused() {
        assert_eq!(
            for_spreadsheet("=HYPERLINK(\"x\")".into()),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(for_spreadsheet("+1".into()), "'+1");
        assert_eq!(for_spreadsheet("@SUM".into()), "'@SUM");
        assert_eq!(for_spreadsheet("\tx".into()), "'\tx");
        assert_eq!(for_spreadsheet("/Dispatch.aspx".into()), "/Dispatch.aspx");
    }
}
