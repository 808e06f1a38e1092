//! `touchbase import FILE`: create contacts from a vCard file (2.1, 3.0, 4.0), a Google
//! Contacts CSV export or a LinkedIn `Connections.csv`. Existing contacts are never touched;
//! new ones are queued over the coming working days so that a big import does not bury the
//! agenda.

use std::collections::HashSet;
use std::io::IsTerminal as _;

use anyhow::{Context as _, Result, bail};
use chrono::{Datelike, NaiveDate, Weekday};

use super::{Context, Loaded};
use crate::cli::ImportArgs;
use crate::edit::{self, NewContact};
use crate::exit::Code;
use crate::parse::{self, Format};
use crate::term::clean;
use crate::vault::create_file;

/// More records than this get a progress bar (on a terminal).
const BAR_FROM: usize = 300;

/// One contact read from the file, before it is written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// 1-based line where the record starts in the file.
    pub line: usize,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    /// `YYYY-MM-DD` or `MM-DD`.
    pub birthday: Option<String>,
    pub anniversary: Option<String>,
    pub notes: Vec<String>,
    pub tags: Vec<String>,
    pub urls: Vec<String>,
    pub linkedin: Option<String>,
    pub met: Option<NaiveDate>,
}

/// What a file held: records, rows skipped for having no name, and bad records.
#[derive(Debug, Default)]
pub struct Read {
    pub format: &'static str,
    pub records: Vec<Record>,
    pub no_name: Vec<usize>,
    pub bad: Vec<(usize, String)>,
}

/// Read a file's contacts; the format is told by the content, whatever the extension.
pub fn read(text: &str) -> Result<Read, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text
        .lines()
        .any(|l| l.trim().eq_ignore_ascii_case("BEGIN:VCARD"))
    {
        return Ok(read_vcards(text));
    }
    // CSV: the header is the first line that names known columns (LinkedIn puts a `Notes:`
    // preamble before it).
    for (i, line) in text.lines().enumerate().take(20) {
        let l = line.to_ascii_lowercase();
        if l.contains("first name") && l.contains("connected on") {
            return read_csv(text, i, Kind::LinkedIn);
        }
        if l.contains("e-mail 1 - value")
            || l.contains("given name")
            || (l.contains("first name") && l.contains("last name") && l.contains("labels"))
        {
            return read_csv(text, i, Kind::Google);
        }
    }
    Err("not a vCard, Google Contacts CSV or LinkedIn Connections.csv file".to_string())
}

fn read_vcards(text: &str) -> Read {
    let mut out = Read {
        format: "vCard",
        ..Read::default()
    };
    let mut start = None;
    let mut block = String::new();
    for (i, line) in text.lines().enumerate() {
        // Only the line break goes: a folded line's trailing space is part of its value.
        let raw = line.trim_end_matches('\r');
        let t = raw.trim();
        if t.eq_ignore_ascii_case("BEGIN:VCARD") {
            if let Some(s) = start {
                out.bad.push((s, "a vCard without END:VCARD".to_string()));
            }
            start = Some(i + 1);
            block.clear();
        }
        if start.is_some() {
            // A quoted-printable soft line break (`=` at the end) just before END:VCARD is a
            // cut value: it must not join the END line to the value.
            if t.eq_ignore_ascii_case("END:VCARD") && block.ends_with("=\r\n") {
                block.truncate(block.len() - 3);
                block.push_str("\r\n");
            }
            block.push_str(raw);
            block.push_str("\r\n");
        }
        if t.eq_ignore_ascii_case("END:VCARD")
            && let Some(s) = start.take()
        {
            match vcard_record(&block, s) {
                Ok(r) => out.records.push(r),
                Err(e) => out.bad.push((s, e)),
            }
        }
    }
    if let Some(s) = start {
        out.bad.push((s, "a vCard without END:VCARD".to_string()));
    }
    out
}

fn vcard_record(block: &str, line: usize) -> Result<Record, String> {
    use calcard::vcard::{VCardProperty as P, VCardValue as V};
    let card = match calcard::Parser::new(block).entry() {
        calcard::Entry::VCard(c) => c,
        other => return Err(format!("cannot read this vCard ({other:?})")),
    };
    let texts = |values: &[V]| -> Vec<String> {
        values
            .iter()
            .filter_map(|v| match v {
                V::Text(t) => Some(t.trim().to_string()),
                V::Component(parts) => Some(parts.join(" ").trim().to_string()),
                _ => None,
            })
            .filter(|t| !t.is_empty())
            .collect()
    };
    let date = |values: &[V]| -> Option<String> {
        values.iter().find_map(|v| match v {
            V::PartialDateTime(d) => match (d.year, d.month, d.day) {
                (Some(y), Some(m), Some(day)) => Some(format!("{y:04}-{m:02}-{day:02}")),
                (None, Some(m), Some(day)) => Some(format!("{m:02}-{day:02}")),
                _ => None,
            },
            V::Text(t) => text_date(t),
            _ => None,
        })
    };
    let mut r = Record {
        line,
        ..Record::default()
    };
    let mut n_name = String::new();
    for e in &card.entries {
        match &e.name {
            P::Fn if r.name.is_empty() => r.name = texts(&e.values).join(" "),
            P::N => {
                // Family; Given; Additional; Prefix; Suffix.
                let parts: Vec<String> = e
                    .values
                    .iter()
                    .map(|v| match v {
                        V::Text(t) => t.trim().to_string(),
                        V::Component(p) => p.join(" ").trim().to_string(),
                        _ => String::new(),
                    })
                    .collect();
                let at = |i: usize| parts.get(i).cloned().unwrap_or_default();
                n_name = [at(3), at(1), at(2), at(0), at(4)]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            P::Email => r.emails.extend(texts(&e.values)),
            P::Tel => r.phones.extend(
                texts(&e.values)
                    .into_iter()
                    .map(|t| t.strip_prefix("tel:").map_or(t.clone(), str::to_string)),
            ),
            P::Org if r.company.is_none() => {
                r.company = e
                    .values
                    .iter()
                    .find_map(|v| match v {
                        V::Text(t) => Some(t.trim().to_string()),
                        V::Component(p) => p.first().map(|s| s.trim().to_string()),
                        _ => None,
                    })
                    .filter(|s| !s.is_empty());
            }
            P::Title if r.title.is_none() => r.title = texts(&e.values).into_iter().next(),
            // calcard reads `--04-12` (a 3.0 date without a year) as April alone: the raw
            // value is read again then.
            P::Bday => {
                r.birthday = r
                    .birthday
                    .take()
                    .or_else(|| date(&e.values))
                    .or_else(|| raw_value(block, "BDAY").and_then(|v| text_date(&v)));
            }
            P::Anniversary => {
                r.anniversary = r
                    .anniversary
                    .take()
                    .or_else(|| date(&e.values))
                    .or_else(|| raw_value(block, "ANNIVERSARY").and_then(|v| text_date(&v)));
            }
            P::Note => r.notes.extend(texts(&e.values)),
            P::Categories => {
                for t in texts(&e.values) {
                    r.tags.extend(
                        t.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_string),
                    );
                }
            }
            P::Url | P::Socialprofile => {
                urls(&mut r, texts(&e.values));
            }
            P::Other(name) if name.eq_ignore_ascii_case("X-SOCIALPROFILE") => {
                urls(&mut r, texts(&e.values));
            }
            P::Other(name) if name.eq_ignore_ascii_case("X-ANNIVERSARY") => {
                r.anniversary = r.anniversary.take().or_else(|| date(&e.values));
            }
            _ => {}
        }
    }
    if r.name.trim().is_empty() {
        r.name = n_name;
    }
    r.name = r.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if r.name.is_empty() {
        return Err("a vCard with no name (FN or N)".to_string());
    }
    Ok(r)
}

/// Web addresses: the first on linkedin.com is the LinkedIn profile, the others are kept.
fn urls(r: &mut Record, found: Vec<String>) {
    for u in found {
        if u.contains("linkedin.com/") && r.linkedin.is_none() {
            r.linkedin = Some(u);
        } else if !r.urls.contains(&u) {
            r.urls.push(u);
        }
    }
}

/// The value of the first `PROP` line of a card (a group prefix allowed), as written.
fn raw_value(block: &str, prop: &str) -> Option<String> {
    block.lines().find_map(|line| {
        let (head, value) = line.split_once(':')?;
        let name = head.split(';').next()?;
        let name = name.rsplit('.').next()?;
        name.eq_ignore_ascii_case(prop)
            .then(|| value.trim().to_string())
    })
}

/// `1985-04-12`, `19850412`, `--04-12`, `--0412` as a front-matter date.
fn text_date(t: &str) -> Option<String> {
    let t = t.trim();
    let t = t.split('T').next().unwrap_or(t);
    if let Some(md) = t.strip_prefix("--") {
        let md = md.replace('-', "");
        let (m, d) = (md.get(..2)?, md.get(2..4)?);
        let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
        NaiveDate::from_ymd_opt(2000, m, d)?;
        return Some(format!("{m:02}-{d:02}"));
    }
    let digits = t.replace('-', "");
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
        let date = NaiveDate::parse_from_str(&digits, "%Y%m%d").ok()?;
        return Some(date.to_string());
    }
    None
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Google,
    LinkedIn,
}

fn read_csv(text: &str, header_index: usize, kind: Kind) -> Result<Read, String> {
    let offset: usize = text
        .split_inclusive('\n')
        .take(header_index)
        .map(str::len)
        .sum();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(&text.as_bytes()[offset..]);
    let headers = reader
        .headers()
        .map_err(|e| format!("line {}: {e}", header_index + 1))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let mut out = Read {
        format: match kind {
            Kind::Google => "Google Contacts CSV",
            Kind::LinkedIn => "LinkedIn CSV",
        },
        ..Read::default()
    };
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize + header_index);
                out.bad.push((line, format!("cannot read this row: {e}")));
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line() as usize) + header_index;
        let get = |name: &str| -> Option<String> {
            col(name)
                .and_then(|i| row.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let mut r = Record {
            line,
            ..Record::default()
        };
        match kind {
            Kind::LinkedIn => {
                r.name = [get("First Name"), get("Last Name")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                r.linkedin = get("URL");
                r.emails.extend(get("Email Address"));
                r.company = get("Company");
                r.title = get("Position");
                if let Some(on) = get("Connected On") {
                    match NaiveDate::parse_from_str(&on, "%d %b %Y") {
                        Ok(d) => r.met = Some(d),
                        Err(_) => {
                            out.bad.push((
                                line,
                                format!("\"Connected On\" {on} is not a date like 15 Jun 2026"),
                            ));
                            continue;
                        }
                    }
                }
            }
            Kind::Google => {
                r.name = match get("Name") {
                    Some(n) => n,
                    None => [
                        get("Name Prefix"),
                        get("First Name").or_else(|| get("Given Name")),
                        get("Middle Name").or_else(|| get("Additional Name")),
                        get("Last Name").or_else(|| get("Family Name")),
                        get("Name Suffix"),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
                };
                for (i, h) in headers.iter().enumerate() {
                    let h = h.trim().to_ascii_lowercase();
                    let Some(v) = row.get(i).map(str::trim).filter(|v| !v.is_empty()) else {
                        continue;
                    };
                    let values = v.split(" ::: ").map(str::trim).filter(|s| !s.is_empty());
                    if h.starts_with("e-mail ") && h.ends_with(" - value") {
                        r.emails.extend(values.map(str::to_string));
                    } else if h.starts_with("phone ") && h.ends_with(" - value") {
                        r.phones.extend(values.map(str::to_string));
                    } else if h.starts_with("website ") && h.ends_with(" - value") {
                        for u in values {
                            if u.contains("linkedin.com/") && r.linkedin.is_none() {
                                r.linkedin = Some(u.to_string());
                            } else {
                                r.urls.push(u.to_string());
                            }
                        }
                    } else if h == "labels" || h == "group membership" {
                        r.tags.extend(
                            values
                                .map(|t| t.trim_start_matches("* ").trim())
                                .filter(|t| !t.replace(' ', "").eq_ignore_ascii_case("mycontacts"))
                                .map(str::to_string),
                        );
                    }
                }
                r.company = get("Organization Name").or_else(|| get("Organization 1 - Name"));
                r.title = get("Organization Title").or_else(|| get("Organization 1 - Title"));
                r.notes.extend(get("Notes"));
                if let Some(b) = get("Birthday") {
                    match text_date(&b) {
                        Some(d) => r.birthday = Some(d),
                        None => r.notes.push(format!("Birthday: {b}")),
                    }
                }
            }
        }
        r.name = r.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if r.name.is_empty() {
            out.no_name.push(line);
            continue;
        }
        out.records.push(r);
    }
    Ok(out)
}

/// The working day (Mon-Fri) `n` working days after `first` (itself moved to a working day).
pub fn working_day(first: NaiveDate, n: usize) -> NaiveDate {
    let is_work = |d: NaiveDate| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let mut d = first;
    while !is_work(d) {
        d = d.succ_opt().unwrap_or(d);
    }
    for _ in 0..n {
        d = d.succ_opt().unwrap_or(d);
        while !is_work(d) {
            d = d.succ_opt().unwrap_or(d);
        }
    }
    d
}

/// The text of a new contact file for a record.
fn contact_text(
    template: &str,
    r: &Record,
    stage: &str,
    snooze: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<String> {
    let new = NewContact {
        name: r.name.clone(),
        stage: Some(stage.to_string()),
        company: r.company.clone(),
        email: r.emails.first().cloned(),
        phone: r.phones.first().cloned(),
        met: Some(r.met.unwrap_or(today).to_string()),
        interests: Vec::new(),
    };
    let mut text = edit::fill_template(template, &new, today)?;
    let mut keys: Vec<(&str, String)> = Vec::new();
    keys.extend(r.title.clone().map(|t| ("title", t)));
    keys.extend(r.birthday.clone().map(|b| ("birthday", b)));
    keys.extend(r.linkedin.clone().map(|u| ("linkedin", u)));
    keys.extend(r.urls.first().cloned().map(|u| ("url", u)));
    keys.extend(snooze.map(|d| ("snooze", d.to_string())));
    for (key, value) in keys {
        text = edit::set_key(&text, key, &edit::one_line(&value))?.apply(&text);
    }
    let lists = [
        ("tags", &r.tags),
        (
            "other_emails",
            &r.emails.get(1..).unwrap_or_default().to_vec(),
        ),
        (
            "other_phones",
            &r.phones.get(1..).unwrap_or_default().to_vec(),
        ),
    ];
    for (key, items) in lists {
        if !items.is_empty() {
            text = edit::set_list(&text, key, items)?.apply(&text);
        }
    }
    let mut notes: Vec<String> = Vec::new();
    if let Some(a) = &r.anniversary {
        // `dates:` is a mapping, written by hand in YAML front matter.
        let split = parse::split_front_matter(&text)
            .ok()
            .flatten()
            .map(|s| (s.format, s.close_offset));
        match split {
            Some((Format::Yaml, at)) => {
                let eol = edit::line_ending(&text);
                text.insert_str(at, &format!("dates:{eol}  anniversary: {a}{eol}"));
            }
            _ => notes.push(format!("Anniversary: {a}")),
        }
    }
    notes.extend(r.urls.iter().skip(1).map(|u| format!("Web: {u}")));
    for n in &r.notes {
        notes.extend(n.lines().map(edit::safe_note));
    }
    if !notes.is_empty() {
        let eol = edit::line_ending(&text);
        if !text.ends_with(eol) {
            text.push_str(eol);
        }
        if !text.ends_with(&format!("{eol}{eol}")) {
            text.push_str(eol);
        }
        for n in notes.iter().filter(|n| !n.is_empty()) {
            text.push_str(n);
            text.push_str(eol);
            text.push_str(eol);
        }
    }
    Ok(text)
}

pub fn run(ctx: &Context, args: &ImportArgs) -> Result<Code> {
    let loaded = Loaded::open(ctx)?;
    let vault = &loaded.vault;
    let stage = args
        .stage
        .as_deref()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "lead".to_string());
    super::add::check_stage(vault, &stage)?;
    let shown_file = clean(&args.file.display().to_string()).to_string();
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {shown_file}"))?;
    let text = String::from_utf8_lossy(&bytes);
    let read = match read(&text) {
        Ok(r) => r,
        Err(e) => bail!("{shown_file}: {e}"),
    };
    let template = super::add::template(vault)?;

    // What is already there: emails, LinkedIn URLs, folded names.
    let mut emails: HashSet<String> = HashSet::new();
    let mut names: HashSet<String> = HashSet::new();
    let mut linkedins: HashSet<String> = HashSet::new();
    let mut taken: HashSet<String> = HashSet::new();
    let wants_linkedin = read.records.iter().any(|r| r.linkedin.is_some());
    for c in loaded.cache.contacts() {
        taken.insert(c.path.to_lowercase());
        emails.extend(c.email.iter().map(|e| e.trim().to_lowercase()));
        names.extend(
            std::iter::once(&c.name)
                .chain(&c.aliases)
                .map(|n| crate::lookup::fold(n)),
        );
        if wants_linkedin
            && let Ok(t) = crate::vault::read_text_inside(&vault.canon, &vault.canon.join(&c.path))
            && let Ok(Some(split)) = parse::split_front_matter(&t)
        {
            for line in split.content.lines() {
                if let Some(v) = line.strip_prefix("linkedin:") {
                    linkedins.insert(url_key(v.trim().trim_matches(['"', '\''])));
                }
            }
        }
    }

    // A progress bar for big imports on a terminal only: a few hundred files are written in a
    // blink, and a pipe or a log wants no bar.
    let bar = (read.records.len() > BAR_FROM && !ctx.quiet && std::io::stderr().is_terminal())
        .then(|| {
            indicatif::ProgressBar::new(read.records.len() as u64).with_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} contacts")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            )
        });
    let per_day = vault.config.per_day.unwrap_or(10).max(1);
    let folder = vault.config.add_folder.trim_end_matches('/').to_string();
    let mut created: Vec<(String, Option<NaiveDate>)> = Vec::new();
    let mut already = 0usize;
    let mut bad = read.bad.clone();
    for r in &read.records {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        let exists = r
            .emails
            .iter()
            .any(|e| emails.contains(&e.trim().to_lowercase()))
            || r.linkedin
                .as_ref()
                .is_some_and(|u| linkedins.contains(&url_key(u)))
            || names.contains(&crate::lookup::fold(&r.name));
        if exists {
            already += 1;
            continue;
        }
        let values = std::iter::once(&r.name)
            .chain(&r.emails)
            .chain(&r.phones)
            .chain(&r.company)
            .chain(&r.title)
            .map(|v| ("a field", v));
        if let Some(refusal) = super::control_characters(values) {
            bad.push((r.line, refusal));
            continue;
        }
        // A new contact's first follow-up is on its queue day (today with --all-now); one met
        // long ago (a LinkedIn connection) gets `snooze:` even for today, so that it is due
        // then, not "900 days overdue" at once.
        let day = if args.all_now {
            ctx.today
        } else {
            working_day(ctx.today, created.len() / per_day)
        };
        let met_long_ago = r.met.is_some_and(|m| m < ctx.today);
        let snooze = (day != ctx.today || met_long_ago).then_some(day);
        let contact_text = match contact_text(&template, r, &stage, snooze, ctx.today) {
            Ok(t) => t,
            Err(e) => {
                bad.push((r.line, format!("{e:#}")));
                continue;
            }
        };
        let stem = edit::file_stem(&r.name);
        let mut rel = format!("{folder}/{stem}.md");
        let mut n = 2;
        while taken.contains(&rel.to_lowercase())
            || std::fs::symlink_metadata(vault.canon.join(&rel)).is_ok()
        {
            rel = format!("{folder}/{stem}-{n}.md");
            n += 1;
        }
        let parsed = vault.config.parse(&rel, contact_text.as_bytes());
        match parsed.contact {
            Some(c) if c.name == r.name && parsed.problems.is_empty() => {}
            _ => {
                bad.push((
                    r.line,
                    format!(
                        "the new file would not read back as a contact named {}{}",
                        clean(&r.name),
                        parsed
                            .problems
                            .first()
                            .map(|p| format!(" ({})", p.kind))
                            .unwrap_or_default()
                    ),
                ));
                continue;
            }
        }
        if !args.dry_run {
            create_file(
                &vault.canon,
                &vault.canon.join(&rel),
                contact_text.as_bytes(),
            )?;
        }
        if !ctx.quiet {
            let verb = if args.dry_run {
                "would create"
            } else {
                "created"
            };
            let when = snooze.map_or_else(String::new, |d| format!(" (snoozed until {d})"));
            let line = format!("{verb} {}{when}", clean(&rel));
            match &bar {
                Some(bar) => bar.suspend(|| println!("{line}")),
                None => println!("{line}"),
            }
        }
        taken.insert(rel.to_lowercase());
        emails.extend(r.emails.iter().map(|e| e.trim().to_lowercase()));
        names.insert(crate::lookup::fold(&r.name));
        linkedins.extend(r.linkedin.as_deref().map(url_key));
        created.push((rel, snooze));
    }

    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    // The summary.
    let days = created
        .iter()
        .map(|(_, s)| s.unwrap_or(ctx.today))
        .collect::<HashSet<_>>()
        .len();
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let verb = if args.dry_run {
        "would be created"
    } else {
        "created"
    };
    let mut summary = format!(
        "{}: {} {verb}",
        read.format,
        plural(created.len(), "contact", "contacts")
    );
    if !created.is_empty() {
        if args.all_now || days <= 1 {
            summary.push_str("; first follow-ups today");
        } else {
            summary.push_str(&format!(
                "; first follow-ups spread over {days} working days ({per_day} a day)"
            ));
        }
    }
    summary.push_str(&format!("; {already} already there"));
    if !read.no_name.is_empty() {
        summary.push_str(&format!("; {} skipped (no name)", read.no_name.len()));
    }
    if !bad.is_empty() {
        summary.push_str(&format!("; {} bad", bad.len()));
    }
    println!("{summary}");
    bad.sort();
    for (line, why) in &bad {
        eprintln!("{shown_file}:{line}: {}", clean(why));
    }
    Ok(if bad.is_empty() {
        Code::Success
    } else {
        Code::Failure
    })
}

/// A LinkedIn URL as compared: no scheme, no `www.`, no trailing slash, lower case.
fn url_key(u: &str) -> String {
    let u = u.trim().to_lowercase();
    let u = u
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    u.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-11-27 is a Friday.
        assert_eq!(working_day(d("2026-11-27"), 0), d("2026-11-27"));
        assert_eq!(working_day(d("2026-11-27"), 1), d("2026-11-30"));
        assert_eq!(working_day(d("2026-11-28"), 0), d("2026-11-30"));
    }

    #[test]
    fn a_soft_line_break_at_the_end_of_a_card_does_not_swallow_it() {
        let got = read_vcards(
            "BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:Ann=\nEND:VCARD\n\
             BEGIN:VCARD\nVERSION:2.1\nFN:Bea Bell\nEND:VCARD\n",
        );
        let names: Vec<&str> = got.records.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Ann", "Bea Bell"], "{:?}", got.bad);
    }

    #[test]
    fn a_folded_line_keeps_the_space_at_its_end() {
        let got = read(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nNOTE:call on \r\n Monday\r\nEND:VCARD\r\n",
        )
        .unwrap();
        assert_eq!(got.records[0].notes, ["call on Monday"]);
    }

    #[test]
    fn dates_with_and_without_year() {
        assert_eq!(text_date("1985-04-12").as_deref(), Some("1985-04-12"));
        assert_eq!(text_date("19850412").as_deref(), Some("1985-04-12"));
        assert_eq!(text_date("--04-12").as_deref(), Some("04-12"));
        assert_eq!(text_date("--0412").as_deref(), Some("04-12"));
        assert_eq!(text_date("soon"), None);
    }
}
