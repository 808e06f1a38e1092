//! Agenda -> text: DUE.md (Markdown) and JSON. Pure and deterministic: the same agenda gives
//! the same bytes, with `\n` line endings and no clock time.

pub mod ics;
mod json;
mod markdown;
pub mod words;

pub use json::render_json;
pub use markdown::{HEADER, escape, render_due};

/// What DUE.md and `due` say when a vault yields no contact at all (SPEC 10).
pub const NO_CONTACTS: &str = "No contacts found. A Markdown file is a contact when its front \
matter has a `name`, or when `contacts.folders` or `contacts.match` in touchbase.toml say so: \
see \"Bring your own vault\" in touchbase's README. To see how a file is read, run `touchbase \
check --explain PATH`.";

/// "1 problem", "2 problems".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
