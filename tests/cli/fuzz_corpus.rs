//! The committed fuzz corpora (`fuzz/corpus/<target>/`, and the reproducers in
//! `fuzz/regressions/<target>/`) replayed on stable through the fuzz targets' own checks, which
//! this includes from `fuzz/src/lib.rs`: CI re-checks every input the fuzzer kept, without a
//! nightly compiler.

#[path = "../../fuzz/src/lib.rs"]
mod checks;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

/// Every file of the target's corpus, and of its reproducers of bugs found, through `check`;
/// fails naming each input that breaks it.
fn replay(target: &str, check: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = fuzz.join("corpus").join(target);
    let mut files: Vec<_> = fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!files.is_empty(), "no corpus in {}", corpus.display());
    if let Ok(found) = fs::read_dir(fuzz.join("regressions").join(target)) {
        files.extend(found.map(|e| e.unwrap().path()));
    }
    files.sort();
    let mut failed = Vec::new();
    for file in &files {
        let data = fs::read(file).unwrap();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&data))) {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("")
                .to_string();
            failed.push(format!("{}: {why}", file.display()));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} inputs failed:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

#[test]
fn parse_contact_corpus_keeps_the_parse_invariants() {
    replay("parse_contact", checks::check_parse_contact);
}

#[test]
fn config_corpus_keeps_the_config_invariants() {
    replay("config", checks::check_config);
}

#[test]
fn log_edit_corpus_keeps_every_original_byte() {
    replay("log_edit", checks::check_log_edit);
}
