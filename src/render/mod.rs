//! Agenda -> text: DUE.md (Markdown) and JSON. Pure and deterministic: the same agenda gives
//! the same bytes, with `\n` line endings and no clock time.

pub mod ics;
mod json;
mod markdown;
pub mod words;

pub use json::render_json;
pub use markdown::{HEADER, escape, render_due};

/// "1 problem", "2 problems".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
