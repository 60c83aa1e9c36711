//! The visible form of characters that text from AWS or a configuration file may hold but a
//! document must not carry as they are: each format (`csv`, `junit`, `markdown`) decides which
//! characters it replaces, and this module says what they look like instead.

/// Appends the visible form of `c`: the Unicode control picture of a C0 control or DEL (`␀`,
/// `␛`, `␡`), else its code point in angle brackets (`⟨U+0085⟩`).
pub fn push_visible(out: &mut String, c: char) {
    let picture = match u32::from(c) {
        code @ 0..=0x1f => char::from_u32(0x2400 + code),
        0x7f => Some('\u{2421}'),
        _ => None,
    };
    match picture {
        Some(p) => out.push(p),
        None => out.push_str(&format!("\u{27e8}U+{:04X}\u{27e9}", u32::from(c))),
    }
}

/// Writes `text` to `out`: each line break (CR LF, CR or LF) as `line_break` writes it, every
/// other control character (Unicode `Cc`: C0, DEL, C1, tab included) in its visible form, and
/// the rest as `other` writes it.
pub fn each_char(
    text: &str,
    out: &mut String,
    mut line_break: impl FnMut(&mut String),
    mut other: impl FnMut(&mut String, char),
) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                line_break(out);
            }
            '\n' => line_break(out),
            c if c.is_control() => push_visible(out, c),
            c => other(out, c),
        }
    }
}
