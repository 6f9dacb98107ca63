//! Untrusted text made safe for where it goes: terminals, tables and
//! spreadsheets.
//!
//! Log fields are attacker-controlled. On a terminal, control characters
//! (which can move the cursor, recolour or retitle the window), bidi controls
//! (which can reorder what is shown) and invisible characters (which can hide
//! text, or make two different values look the same) are printed as escapes.
//! A table cell is also cut at [`TABLE_CELL_CHARS`], because a table is laid
//! out by people-sized rules and one huge value would stall it. In CSV, a cell
//! that a spreadsheet would run as a formula is prefixed with `'`, and
//! control characters are written as escapes. JSON and NDJSON are untouched:
//! they are the lossless formats.

/// How many characters of one value a table cell shows; the rest is counted
/// ("… (N more characters)"). JSON, NDJSON and CSV keep every character.
pub const TABLE_CELL_CHARS: usize = 1_000;

/// Escapes C0/C1 controls, DEL, bidi controls and invisible characters.
///
/// ASCII controls are written `\xNN` (`\t`, `\r`, `\n` by name); every other
/// escaped character as `\u{NNNN}`, as in a Rust string literal, so `\u{85}`
/// (the character NEL) is not mistaken for the byte 0x85.
pub fn for_terminal(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// A value as a table cell shows it: at most [`TABLE_CELL_CHARS`] characters
/// of it, escaped as by [`for_terminal`], and a count of what was cut.
///
/// The value is cut before it is escaped, so an escape is never split and the
/// count is of the value's own characters.
pub fn for_table(text: &str) -> String {
    let Some((cut, _)) = text.char_indices().nth(TABLE_CELL_CHARS) else {
        return for_terminal(text);
    };
    let rest = text[cut..].chars().count();
    let noun = if rest == 1 { "character" } else { "characters" };
    format!("{}… ({rest} more {noun})", for_terminal(&text[..cut]))
}

fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

fn push_escape(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        c if c.is_ascii() => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// Marks and overrides that change the order in which text is shown.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters a terminal draws as nothing: Unicode's default-ignorable code
/// points, and the line and paragraph separators U+2028/2029 (which some
/// viewers break a line at, so one value can pass for two).
///
/// Variation selectors (U+180B–180D, U+180F, U+FE00–FE0F, U+E0100–E01EF) are
/// default-ignorable too but are left as they are: they only pick the glyph of
/// the character before them (U+FE0F follows most emoji, the supplement marks
/// ideographic variants in Japanese names), so they neither hide nor reorder
/// text, and escaping them would garble ordinary names and user agents.
/// Whoever needs to see them exactly has JSON, which keeps every character.
///
/// The zero-width joiner is escaped although emoji sequences and some scripts
/// use it: an investigator is better served by `\u{200d}` in an odd-looking
/// name than by two names that look the same and are not.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}'                      // soft hyphen
        | '\u{034f}'                    // combining grapheme joiner
        | '\u{115f}' | '\u{1160}'       // Hangul choseong/jungseong fillers
        | '\u{17b4}' | '\u{17b5}'       // Khmer inherent vowels
        | '\u{180e}'                    // Mongolian vowel separator
        | '\u{200b}'..='\u{200d}'       // zero-width space, non-joiner, joiner
        | '\u{2028}' | '\u{2029}'       // line and paragraph separators
        | '\u{2060}'..='\u{2065}'       // word joiner, invisible operators
        | '\u{206a}'..='\u{206f}'       // deprecated format characters
        | '\u{3164}'                    // Hangul filler
        | '\u{feff}'                    // zero-width no-break space (BOM)
        | '\u{ffa0}'                    // halfwidth Hangul filler
        | '\u{fff0}'..='\u{fffb}'       // unassigned, interlinear annotation
        | '\u{1bca0}'..='\u{1bca3}'     // shorthand format controls
        | '\u{1d173}'..='\u{1d17a}'     // musical beam and phrase controls
        | '\u{e0000}'..='\u{e00ff}'     // tag characters
        | '\u{e01f0}'..='\u{e0fff}' // unassigned, reserved as ignorable
    )
}

/// Makes a CSV text cell safe to open in a spreadsheet (OWASP's CSV injection
/// guidance).
///
/// Controls other than tab, CR and LF (C0, DEL and C1: ESC, BEL, NUL …) never
/// belong in a log value and can drive a terminal that shows the file; they
/// are written as text in the escapes [`for_terminal`] uses (`\x1b`,
/// `\u{9b}`). Tab, CR and LF stay, quoted by the CSV writer. A cell is then
/// prefixed with `'` when it starts with tab or CR, or when its first
/// character that is not blank or invisible is one that starts a formula or a
/// DDE call: `= + - @ | %` or their fullwidth and small forms (which
/// spreadsheets may fold to ASCII). A lone `-` stays as it is. Numbers (`Cell::Int`) are not text and
/// never come here, so a real negative number is not touched.
pub fn for_spreadsheet(text: String) -> String {
    let text = if text.chars().any(is_csv_control) {
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            if is_csv_control(c) {
                push_escape(&mut out, c);
            } else {
                out.push(c);
            }
        }
        out
    } else {
        text
    };
    if starts_like_formula(&text) {
        format!("'{text}")
    } else {
        text
    }
}

fn is_csv_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\r' | '\n')
}

fn starts_like_formula(text: &str) -> bool {
    if text.starts_with(['\t', '\r']) {
        return true;
    }
    // A lone `-` (standard input's name, an empty log value) is text to a
    // spreadsheet: a minus sign needs something after it to compute.
    if text == "-" {
        return false;
    }
    text.chars()
        .find(|&c| !c.is_whitespace() && !is_invisible(c))
        .is_some_and(|c| {
            matches!(
                c,
                '=' | '+'
                    | '-'
                    | '@'
                    | '|'
                    | '%'
                    // fullwidth
                    | '\u{ff1d}'
                    | '\u{ff0b}'
                    | '\u{ff0d}'
                    | '\u{ff20}'
                    | '\u{ff5c}'
                    | '\u{ff05}'
                    // small forms
                    | '\u{fe66}'
                    | '\u{fe62}'
                    | '\u{fe63}'
                    | '\u{fe6b}'
                    | '\u{fe6a}'
            )
        })
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
    fn terminal_escapes_c1_controls_as_characters_not_bytes() {
        assert_eq!(for_terminal("a\u{9b}2Jb"), "a\\u{9b}2Jb");
        assert_eq!(for_terminal("\u{7f}"), "\\x7f");
    }

    #[test]
    fn invisible_characters_reached_the_terminal() {
        let cases = [
            ('\u{200b}', "\\u{200b}"),
            ('\u{200c}', "\\u{200c}"),
            ('\u{200d}', "\\u{200d}"),
            ('\u{2060}', "\\u{2060}"),
            ('\u{2064}', "\\u{2064}"),
            ('\u{00ad}', "\\u{ad}"),
            ('\u{feff}', "\\u{feff}"),
            ('\u{3164}', "\\u{3164}"),
            ('\u{115f}', "\\u{115f}"),
            ('\u{1160}', "\\u{1160}"),
            ('\u{ffa0}', "\\u{ffa0}"),
            ('\u{180e}', "\\u{180e}"),
            ('\u{e0000}', "\\u{e0000}"),
            ('\u{e0041}', "\\u{e0041}"),
            ('\u{e007f}', "\\u{e007f}"),
            ('\u{2028}', "\\u{2028}"),
            ('\u{2029}', "\\u{2029}"),
        ];
        for (c, escaped) in cases {
            assert_eq!(
                for_terminal(&format!("ad{c}min")),
                format!("ad{escaped}min"),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn variation_selectors_are_left_for_emoji_and_names() {
        assert_eq!(for_terminal("\u{2764}\u{fe0f}"), "\u{2764}\u{fe0f}");
        assert_eq!(for_terminal("\u{845b}\u{e0100}"), "\u{845b}\u{e0100}");
    }

    #[test]
    fn table_cell_is_cut_and_says_how_much() {
        let long = "é".repeat(TABLE_CELL_CHARS + 5);
        let cell = for_table(&long);
        assert!(cell.starts_with(&"é".repeat(TABLE_CELL_CHARS)));
        assert!(cell.ends_with("é… (5 more characters)"), "{cell}");
        let one = "x".repeat(TABLE_CELL_CHARS + 1);
        assert!(for_table(&one).ends_with("x… (1 more character)"));
        let exact = "x".repeat(TABLE_CELL_CHARS);
        assert_eq!(for_table(&exact), exact);
    }

    #[test]
    fn table_cell_is_cut_before_it_is_escaped() {
        let long = "\x1b".repeat(TABLE_CELL_CHARS + 2);
        let cell = for_table(&long);
        assert_eq!(
            cell,
            format!("{}… (2 more characters)", "\\x1b".repeat(TABLE_CELL_CHARS))
        );
    }

    #[test]
    fn spreadsheet_formulas_are_defused() {
        assert_eq!(
            for_spreadsheet("=HYPERLINK(\"x\")".into()),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(for_spreadsheet("+1".into()), "'+1");
        assert_eq!(for_spreadsheet("-1".into()), "'-1");
        assert_eq!(for_spreadsheet("@SUM".into()), "'@SUM");
        assert_eq!(for_spreadsheet("\tx".into()), "'\tx");
        assert_eq!(for_spreadsheet("\rx".into()), "'\rx");
        assert_eq!(for_spreadsheet("/Dispatch.aspx".into()), "/Dispatch.aspx");
        assert_eq!(for_spreadsheet("a=b".into()), "a=b");
        assert_eq!(for_spreadsheet(String::new()), "");
    }

    #[test]
    fn a_lone_dash_was_guarded_as_a_formula() {
        // Standard input is named `-`: its `file` cell was `'-`.
        assert_eq!(for_spreadsheet("-".into()), "-");
        assert_eq!(for_spreadsheet("--".into()), "'--");
        assert_eq!(for_spreadsheet("-1".into()), "'-1");
        assert_eq!(for_spreadsheet(" -".into()), "' -");
        assert_eq!(for_spreadsheet("+".into()), "'+");
    }

    #[test]
    fn spreadsheet_formula_after_leading_whitespace_was_run() {
        assert_eq!(for_spreadsheet(" =1".into()), "' =1");
        assert_eq!(for_spreadsheet("   +1".into()), "'   +1");
        assert_eq!(for_spreadsheet("\n=1".into()), "'\n=1");
        assert_eq!(for_spreadsheet("\u{a0}=1".into()), "'\u{a0}=1");
        assert_eq!(for_spreadsheet("\u{200b}=1".into()), "'\u{200b}=1");
        assert_eq!(for_spreadsheet("  x".into()), "  x");
    }

    #[test]
    fn spreadsheet_fullwidth_formula_was_run() {
        for cell in ["＝1+1", "＋1", "－1", "＠SUM(A1)", "｜calc", "％x"] {
            assert_eq!(for_spreadsheet(cell.into()), format!("'{cell}"));
        }
        assert_eq!(for_spreadsheet("\u{fe66}1".into()), "'\u{fe66}1");
    }

    #[test]
    fn spreadsheet_dde_pipe_and_percent_were_run() {
        assert_eq!(for_spreadsheet("|calc'!A0".into()), "'|calc'!A0");
        assert_eq!(for_spreadsheet("%0A=1".into()), "'%0A=1");
    }

    #[test]
    fn spreadsheet_cell_carried_raw_controls() {
        assert_eq!(
            for_spreadsheet("a\x1b[2Jb\x07\0".into()),
            "a\\x1b[2Jb\\x07\\x00"
        );
        assert_eq!(for_spreadsheet("a\u{9b}b\x7f".into()), "a\\u{9b}b\\x7f");
        // Tab, CR and LF stay: the CSV writer quotes them.
        assert_eq!(for_spreadsheet("a\tb\r\nc".into()), "a\tb\r\nc");
        // An escaped control is text, and starts no formula.
        assert_eq!(for_spreadsheet("\x1b=1".into()), "\\x1b=1");
    }
}
