//! Printing generated Rust: the do-not-edit line, prettyplease's layout, and
//! comments, which quote! drops. An emitter writes `__comment!("text");` where a
//! `// text` line belongs (clippy reads `// SAFETY:` comments, which no
//! attribute can stand for), and [`file`] turns each such line back into the
//! comment.

use proc_macro2::TokenStream;
use quote::quote;

use super::GENERATED_LINE;

/// The placeholders that become `// SAFETY: text` lines (text without `"`),
/// wrapped at [`WIDTH`].
pub fn safety(text: &str) -> TokenStream {
    let mut lines = vec![String::from("SAFETY:")];
    for word in text.split_whitespace() {
        let line = lines.last_mut().filter(|l| l.len() + 1 + word.len() <= WIDTH);
        match line {
            Some(l) => {
                l.push(' ');
                l.push_str(word);
            }
            None => lines.push(word.to_string()),
        }
    }
    quote! { #( __comment!(#lines); )* }
}

/// Characters of a comment line, so that prettyplease keeps each placeholder on one line.
const WIDTH: usize = 52;

/// The file at `path` (for errors) from `tokens`, as the committed text.
pub fn file(path: &str, tokens: TokenStream) -> Result<String, String> {
    Ok(format!("// {GENERATED_LINE}\n{}", items(path, tokens)?))
}

/// Items printed without the do-not-edit line (a macro's body), comments restored.
pub fn items(path: &str, tokens: TokenStream) -> Result<String, String> {
    let parsed: syn::File = syn::parse2(tokens).map_err(|e| format!("{path}: {e}"))?;
    let text = restore(&prettyplease::unparse(&parsed));
    match text.lines().find(|l| l.contains("__comment!")) {
        Some(line) => Err(format!("{path}: a comment placeholder prettyplease broke over lines (indent it less): {line}")),
        None => Ok(text),
    }
}

/// `#[macro_export] macro_rules! name { ($backend:ty) => { exports } }` with
/// doc `doc`, around exports printed by [`items`] with `__crate` and
/// `__Backend` standing for `$crate` and `$backend` (quote! cannot write `$`
/// paths that syn parses as items).
pub fn exports_macro(name: &str, doc: &str, exports: &str) -> String {
    let doc: String = doc.lines().map(|l| format!("/// {l}\n")).collect();
    let body: String = exports
        .replace("__crate", "$crate")
        .replace("__Backend", "$backend")
        .lines()
        .map(|l| if l.is_empty() { "\n".to_string() } else { format!("        {l}\n") })
        .collect();
    format!("{doc}#[macro_export]\nmacro_rules! {name} {{\n    ($backend:ty) => {{\n{body}    }};\n}}\n")
}

/// Each placeholder line as its comment, at the same indentation.
fn restore(printed: &str) -> String {
    let mut out = String::with_capacity(printed.len());
    for line in printed.lines() {
        let body = line.trim_start();
        match body.strip_prefix("__comment!(\"").and_then(|r| r.strip_suffix("\");")) {
            Some(text) => out.push_str(&format!("{}// {text}", &line[..line.len() - body.len()])),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_comments() {
        let note = safety("the caller's contract.");
        let text = items("t.rs", quote! { fn f() { #note g(); } }).unwrap();
        assert_eq!(text, "fn f() {\n    // SAFETY: the caller's contract.\n    g();\n}\n");
        let long = safety(&"word ".repeat(20));
        let text = items("t.rs", quote! { fn f() { #long g(); } }).unwrap();
        assert!(text.lines().all(|l| !l.contains("__comment")), "{text}");
    }
}
