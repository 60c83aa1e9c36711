//! A small HCL writer laid out as `terraform fmt` lays files out: two spaces per level, the
//! `=` of consecutive one-line arguments aligned, strings escaped for HCL's templates.

use std::fmt::Write;

/// An argument's value.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A quoted string (`${` and `%{` escaped: the text is never a template).
    Str(String),
    /// A number, a boolean, a reference or a type, written as is.
    Raw(String),
    /// A list, on one line.
    List(Vec<Expr>),
    /// A heredoc of these lines (escaped as a string is).
    Heredoc(String),
}

/// One line or block of a body.
#[derive(Debug, Clone)]
pub enum Item {
    /// `name = value`.
    Attr(&'static str, Expr),
    /// A nested block.
    Block(Block),
    /// A `#` comment (one line; line breaks in it become spaces).
    Comment(String),
    /// An empty line.
    Blank,
}

/// `kind "label" … { body }`.
#[derive(Debug, Clone)]
pub struct Block {
    /// The block type.
    pub kind: &'static str,
    /// Its labels, quoted.
    pub labels: Vec<String>,
    /// Its body.
    pub body: Vec<Item>,
}

impl Block {
    /// A block without labels.
    pub fn new(kind: &'static str, body: Vec<Item>) -> Block {
        Block {
            kind,
            labels: Vec::new(),
            body,
        }
    }
}

/// A file's items as text.
pub fn file(items: &[Item]) -> String {
    let mut out = String::new();
    body(&mut out, items, 0);
    out
}

fn body(out: &mut String, items: &[Item], depth: usize) {
    let indent = "  ".repeat(depth);
    for (i, item) in items.iter().enumerate() {
        match item {
            Item::Attr(name, value) => {
                let width = aligned_width(items, i);
                let _ = writeln!(out, "{indent}{name:<width$} = {}", expr(value, &indent));
            }
            Item::Block(b) => block(out, b, depth),
            Item::Comment(text) => {
                let _ = writeln!(out, "{indent}# {}", text.replace(['\n', '\r'], " "));
            }
            Item::Blank => out.push('\n'),
        }
    }
}

fn block(out: &mut String, b: &Block, depth: usize) {
    let indent = "  ".repeat(depth);
    let labels: String = b.labels.iter().map(|l| format!(" {}", string(l))).collect();
    let _ = writeln!(out, "{indent}{}{labels} {{", b.kind);
    body(out, &b.body, depth + 1);
    let _ = writeln!(out, "{indent}}}");
}

/// The widest name of the run of arguments item `i` is in: consecutive arguments, a heredoc
/// ending its run (its lines follow).
fn aligned_width(items: &[Item], i: usize) -> usize {
    let heredoc = |item: &Item| matches!(item, Item::Attr(_, Expr::Heredoc(_)));
    let attr = |item: &Item| matches!(item, Item::Attr(..));
    let mut start = i;
    while start > 0 && attr(&items[start - 1]) && !heredoc(&items[start - 1]) {
        start -= 1;
    }
    let mut end = i;
    while !heredoc(&items[end]) && end + 1 < items.len() && attr(&items[end + 1]) {
        end += 1;
    }
    items[start..=end]
        .iter()
        .map(|item| match item {
            Item::Attr(name, _) => name.len(),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

fn expr(e: &Expr, indent: &str) -> String {
    match e {
        Expr::Str(s) => string(s),
        Expr::Raw(r) => r.clone(),
        Expr::List(items) => {
            let items: Vec<String> = items.iter().map(|i| expr(i, indent)).collect();
            format!("[{}]", items.join(", "))
        }
        Expr::Heredoc(text) => {
            let lines: String = text
                .lines()
                .map(|l| format!("{indent}  {}\n", template_escaped(l)))
                .collect();
            format!("<<-EOT\n{lines}{indent}EOT")
        }
    }
}

/// A quoted HCL string.
pub fn string(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    format!("\"{}\"", template_escaped(&out))
}

/// `${` and `%{` as literal text in a template.
fn template_escaped(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}
