//! Problems: what is wrong with one file, where, and why. Typed data, displayed as
//! `path:line: reason`. A problem never stops a run; it is collected and reported.

use std::fmt;

/// Files larger than this are not read.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Kind {
    #[error("cannot read the file: {0}")]
    Read(String),
    #[error("symbolic link loop: not followed")]
    SymlinkLoop,
    #[error("file is larger than 4 MiB ({0} bytes): not read")]
    TooLarge(u64),
    #[error("invalid UTF-8: the file must be saved as UTF-8 text")]
    InvalidUtf8,
    #[error("UTF-16 text: save the file as UTF-8")]
    Utf16,
    #[error("git conflict markers: finish the merge, then save the file")]
    ConflictMarkers,
    #[error("front matter has no closing `{0}` line")]
    UnclosedFrontMatter(&'static str),
    #[error(
        "the front matter holds more than one YAML document (\"...\" or \"---\" inside it): keep one"
    )]
    MultipleDocuments,
    #[error("front matter must start on the first line of the file")]
    FrontMatterNotFirst,
    /// Over the YAML parser's limits, which keep a hostile file from hanging a run.
    #[error("front matter is too large to read: {0}")]
    TooComplex(&'static str),
    #[error("invalid YAML: {0}")]
    Yaml(String),
    #[error("invalid TOML: {0}")]
    Toml(String),
    #[error("front matter is not a mapping of keys to values")]
    NotAMapping,
    #[error("invalid `{key}` \"{value}\": {expected}")]
    Value {
        key: String,
        value: String,
        expected: &'static str,
    },
    #[error("invalid date \"{0}\" in a touch heading")]
    HeadingDate(String),
    #[error("invalid time \"{0}\" in a touch heading")]
    HeadingTime(String),
    #[error("invalid `Next:` line \"{0}\": expected `Next: YYYY-MM-DD [channel] [- text]`")]
    NextLine(String),
    #[error("touch dated in the future ({0}): not counted")]
    FutureTouch(String),
}

/// One problem in one file. `line` is 1-based; `None` where no line applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub line: Option<usize>,
    pub kind: Kind,
}

impl Problem {
    pub fn new(path: impl Into<String>, line: Option<usize>, kind: Kind) -> Self {
        Problem {
            path: path.into(),
            line,
            kind,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.kind),
            None => write!(f, "{}: {}", self.path, self.kind),
        }
    }
}

/// Problems sort by path, then line, so output is stable.
pub fn sort(problems: &mut [Problem]) {
    problems.sort_by_cached_key(|p| (p.path.clone(), p.line, p.kind.to_string()));
}
