//! The `wildcard` matcher's patterns: `*` is any run of characters (none included), `\*` a
//! star and `\\` a backslash; two stars in a row are refused, as EventBridge refuses them.

/// A wildcard pattern, as the literal text between its stars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    /// What the pattern was written as.
    pub text: String,
    /// The literal runs between stars: one more than there are stars.
    segments: Vec<String>,
}

impl Wildcard {
    /// Parses a wildcard pattern; the error is EventBridge's reason.
    pub fn parse(text: &str) -> Result<Wildcard, String> {
        let mut segments = vec![String::new()];
        let mut chars = text.chars().enumerate().peekable();
        let mut last_was_star = false;
        while let Some((position, c)) = chars.next() {
            match c {
                '*' if last_was_star => {
                    return Err(format!("Consecutive wildcard characters at pos {position}"));
                }
                '*' => segments.push(String::new()),
                '\\' => match chars.next() {
                    Some((_, escaped @ ('*' | '\\'))) => last_segment(&mut segments).push(escaped),
                    _ => return Err(format!("Invalid escape character at pos {position}")),
                },
                other => last_segment(&mut segments).push(other),
            }
            last_was_star = c == '*';
        }
        Ok(Wildcard {
            text: text.to_string(),
            segments,
        })
    }

    /// Whether `value` matches: it starts with the first run, ends with the last, and holds
    /// the others in order between them.
    pub fn matches(&self, value: &str) -> bool {
        let (first, rest) = self.segments.split_first().expect("at least one segment");
        let Some((last, middle)) = rest.split_last() else {
            return value == first;
        };
        let Some(mut remaining) = value.strip_prefix(first.as_str()) else {
            return false;
        };
        for segment in middle {
            match remaining.find(segment.as_str()) {
                Some(at) => remaining = &remaining[at + segment.len()..],
                None => return false,
            }
        }
        remaining.ends_with(last.as_str())
    }
}

fn last_segment(segments: &mut [String]) -> &mut String {
    segments.last_mut().expect("at least one segment")
}
