//! What a message shows of a value.

use super::{quoted, shorten_quotes, shortened, MAX_SHOWN};

#[test]
fn a_short_value_is_quoted_whole() {
    assert_eq!(quoted("us-east1").to_string(), "`us-east1`");
    assert_eq!(quoted("").to_string(), "``");
    let exactly = "x".repeat(MAX_SHOWN);
    assert_eq!(quoted(&exactly).to_string(), format!("`{exactly}`"));
}

#[test]
fn a_long_value_shows_its_start_and_end_and_its_length() {
    let value = format!("{}{}", "a".repeat(10_000_000), "-end");
    let shown = quoted(&value).to_string();
    assert_eq!(
        shown,
        format!(
            "`{}…{}-end` (10000004 characters)",
            "a".repeat(44),
            "a".repeat(11)
        )
    );
    assert_eq!(shortened(&value).chars().count(), MAX_SHOWN);
}

#[test]
fn line_breaks_and_control_characters_are_escaped_onto_one_line() {
    assert_eq!(quoted("a\nb\tc\u{7}").to_string(), "`a\\nb\\tc\\u{7}`");
    let lines = "line\n".repeat(100);
    let shown = quoted(&lines).to_string();
    assert!(!shown.contains('\n'), "{shown}");
    assert!(shown.ends_with("(500 characters)"), "{shown}");
}

#[test]
fn characters_are_counted_not_bytes() {
    let value = "é".repeat(61);
    let shown = quoted(&value).to_string();
    assert!(shown.ends_with("(61 characters)"), "{shown}");
    assert_eq!(
        quoted(&"é".repeat(60)).to_string(),
        format!("`{}`", "é".repeat(60))
    );
}

#[test]
fn another_library_s_message_has_each_quoted_value_shortened() {
    let long = "b".repeat(1000);
    let message = format!("invalid type: string \"{long}\", expected i64");
    assert_eq!(
        shorten_quotes(&message),
        format!(
            "invalid type: string \"{}\", expected i64",
            shortened(&long)
        )
    );
    let field = format!("unknown field `{long}`, expected one of `benchmark`, `controls`");
    assert_eq!(
        shorten_quotes(&field),
        format!(
            "unknown field `{}`, expected one of `benchmark`, `controls`",
            shortened(&long)
        )
    );
    let escaped = format!("string \"a\\\"{long}\" here");
    assert!(
        shorten_quotes(&escaped).ends_with("\" here"),
        "{}",
        shorten_quotes(&escaped)
    );
    assert_eq!(shorten_quotes("no quotes at all"), "no quotes at all");
    let unclosed = format!("found `{long}");
    assert_eq!(
        shorten_quotes(&unclosed),
        format!("found `{}", shortened(&long))
    );
}
