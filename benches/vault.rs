//! Benchmark: `due` on a generated vault of 10,000 contacts (about 3 KB each, up to 25
//! touches), compared with ripgrep counting the same dated headings.
//!
//! `cargo bench --bench vault` generates the vault under `target/bench-vault` (once), then
//! reports, in-process: load + schedule + render (median of runs) and peak RSS; end-to-end:
//! the release binary's `due --stdout` and `rg -c` on the same folder (when `rg` is on PATH).
//! Options: `--contacts N` (default 10000), `--runs N` (default 15). `--front-matter` runs only
//! the wide-front-matter case: one file with 10,000 to 120,000 top-level keys. `--notes` runs
//! the "bring your own vault" case instead (SPEC 10): the same contacts plus 20,000 dated notes
//! (`--notes-count N`) that link to them, read with `[touches] notes = true`; it reports `due`,
//! and one rebuild after a note is edited, in-process and through the real `watch`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use touchbase::render::render_due;
use touchbase::vault::Vault;

/// The allocator the binary uses, so that in-process numbers match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A small deterministic generator, so every run measures the same vault.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "pricing", "proposal", "renewal", "office", "budget", "team", "contract", "quarter", "demo",
    "referral", "kids", "sailing", "golf", "follow", "meeting", "invoice", "timeline", "partner",
    "decision", "spring", "launch", "market", "report", "coffee", "feedback", "numbers", "deal",
];
const CHANNELS: &[&str] = &[
    "call",
    "email",
    "coffee",
    "lunch",
    "card",
    "text",
    "linkedin",
    "meeting",
    "voicemail",
    "gift",
];
const STAGES: &[&str] = &[
    "lead",
    "prospect",
    "prospect",
    "client",
    "client",
    "past-client",
    "partner",
    "lost",
];

fn sentence(r: &mut Lcg, words: usize) -> String {
    (0..words)
        .map(|_| r.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn contact(r: &mut Lcg, n: usize) -> String {
    let mut s = String::with_capacity(3200);
    let stage = r.pick(STAGES);
    let _ = write!(
        s,
        "---\nname: Contact {n}\ncompany: Company {}\nemail: c{n}@example.com\nphone: +1 555 {:04}\nstage: {stage}\n",
        n % 997,
        n % 10_000
    );
    if r.below(3) == 0 {
        let _ = writeln!(s, "birthday: {:02}-{:02}", 1 + r.below(12), 1 + r.below(28));
    }
    let _ = writeln!(s, "interests: [{}, {}]", r.pick(WORDS), r.pick(WORDS));
    let _ = writeln!(
        s,
        "tags: [{}]\n---\n# Contact {n}\n\n{}.\n",
        r.pick(WORDS),
        sentence(r, 30)
    );
    let touches = 1 + r.below(25) as i64;
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut day = r.below(300) as i64;
    let mut body = String::new();
    for _ in 0..touches {
        day += 1 + r.below(30) as i64;
        let date = start + chrono::Days::new(day as u64);
        if date > chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap() {
            break;
        }
        let _ = write!(
            body,
            "## {date} {} - {}\n{}.\n",
            r.pick(CHANNELS),
            sentence(r, 4),
            sentence(r, 12)
        );
        if r.below(4) == 0 {
            let _ = writeln!(body, "- {}\n- {}", sentence(r, 6), sentence(r, 5));
        }
        body.push('\n');
    }
    s.push_str(&body);
    while s.len() < 2800 {
        let _ = writeln!(s, "{}.", sentence(r, 14));
    }
    s
}

fn generate(dir: &Path, contacts: usize) {
    let marker = dir.join(format!(".generated-{contacts}"));
    if marker.exists() {
        return;
    }
    let _ = fs::remove_dir_all(dir);
    let mut r = Lcg(42);
    for n in 0..contacts {
        let folder = dir.join(format!("group-{:02}", n % 20));
        fs::create_dir_all(&folder).unwrap();
        fs::write(
            folder.join(format!("contact-{n:05}.md")),
            contact(&mut r, n),
        )
        .unwrap();
    }
    fs::write(marker, "").unwrap();
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_command(runs: usize, mut make: impl FnMut() -> Command) -> Option<Duration> {
    let mut times = Vec::new();
    for _ in 0..runs + 1 {
        let start = Instant::now();
        let status = make()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        times.push(start.elapsed());
        if !status.success() && status.code() != Some(1) {
            return None;
        }
    }
    times.remove(0); // warm-up
    Some(median(times))
}

fn peak_rss_kb() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Single-threaded cost of each phase, to see where time goes.
fn phases(dir: &Path) {
    let vault = Vault::open(dir).unwrap();
    let t = Instant::now();
    let (files, _) = vault.scan();
    let scan = t.elapsed();
    let t = Instant::now();
    let texts: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(rel, abs)| (rel.clone(), fs::read(abs).unwrap()))
        .collect();
    let read = t.elapsed();
    let channels = touchbase::model::Channels::default();
    let t = Instant::now();
    for (rel, bytes) in &texts {
        let _ = touchbase::parse::parse_contact(rel, bytes, &channels);
    }
    let parse = t.elapsed();
    let t = Instant::now();
    for (_, bytes) in &texts {
        let text = std::str::from_utf8(bytes).unwrap();
        let split = touchbase::parse::split_front_matter(text).unwrap().unwrap();
        for _ in pulldown_cmark::Parser::new(split.body).into_offset_iter() {}
    }
    let markdown = t.elapsed();
    let t = Instant::now();
    for (rel, bytes) in &texts {
        let text = std::str::from_utf8(bytes).unwrap();
        let split = touchbase::parse::split_front_matter(text).unwrap().unwrap();
        let mut problems = Vec::new();
        let _ = touchbase::parse::read_front_matter(
            &split,
            rel,
            &channels,
            &touchbase::parse::reading::Reading::default(),
            &mut problems,
        );
    }
    let yaml = t.elapsed();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "one thread: scan {:.1} ms, read {:.1} ms, parse {:.1} ms (front matter alone {:.1} ms, pulldown-cmark alone {:.1} ms)",
        ms(scan),
        ms(read),
        ms(parse),
        ms(yaml),
        ms(markdown)
    );
}

/// One incremental rebuild, as `watch` does it after a save: where the time goes.
fn incremental(dir: &Path) {
    let vault = Vault::open(dir).unwrap();
    let mut cache = touchbase::vault::Cache::default();
    vault.sync(&mut cache);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let rel = "group-05/contact-00005.md".to_string();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut rows = Vec::new();
    for round in 0..5 {
        let path = dir.join(&rel);
        let text = fs::read_to_string(&path).unwrap();
        let text = text.replacen(
            "\nname: Contact 5",
            &format!("\nname: Contact 5 r{round}"),
            1,
        );
        fs::write(&path, text).unwrap();
        let t = Instant::now();
        vault.refresh(&mut cache, std::slice::from_ref(&rel));
        let refresh = t.elapsed();
        let t = Instant::now();
        let agenda = vault.agenda_from(&mut cache, today);
        let schedule = t.elapsed();
        let t = Instant::now();
        let text = render_due(&agenda, vault.config.links);
        let render = t.elapsed();
        let t = Instant::now();
        vault.write_agenda(text.as_bytes()).unwrap();
        let write = t.elapsed();
        let t = Instant::now();
        vault.sync(&mut cache);
        let walk = t.elapsed();
        rows.push([refresh, schedule, render, write, walk]);
    }
    let med = |i: usize| ms(median(rows.iter().map(|r| r[i]).collect()));
    println!(
        "incremental rebuild: refresh {:.1} ms, schedule {:.1} ms, render {:.1} ms, write {:.1} ms; then the stat walk {:.1} ms",
        med(0),
        med(1),
        med(2),
        med(3),
        med(4)
    );
}

/// The real `watch` binary on `dir` (debounce 250 ms), once it says it is watching; its output
/// is drained in the background.
fn start_watch(dir: &Path, bin: &str, cache: &Path) -> std::process::Child {
    use std::io::BufRead;
    let mut child = Command::new(bin)
        .env("TOUCHBASE_CACHE_DIR", cache)
        .arg("--vault")
        .arg(dir)
        .args(["--today", "2026-11-24", "watch", "--debounce", "250ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut lines = stdout.lines();
    for line in lines.by_ref() {
        if line.unwrap().starts_with("watching") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    child
}

/// Save-to-DUE.md latency of the real `watch` binary when `rel` is saved with `text(round)`:
/// until DUE.md is written again (each round's text must change it: DUE.md is rewritten only
/// when its content changes).
fn watch_latency_with(
    dir: &Path,
    bin: &str,
    cache: &Path,
    rounds: usize,
    rel: &str,
    text: impl Fn(usize) -> String,
) {
    let mut child = start_watch(dir, bin, cache);
    let due = dir.join("DUE.md");
    let mut times = Vec::new();
    for round in 0..rounds {
        let before = fs::metadata(&due).and_then(|m| m.modified()).ok();
        let start = Instant::now();
        fs::write(dir.join(rel), text(round)).unwrap();
        loop {
            // A stat causes no file-system events (a read would, and hold back the debouncer).
            if fs::metadata(&due).and_then(|m| m.modified()).ok() != before {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "no rebuild");
            std::thread::sleep(Duration::from_millis(1));
        }
        times.push(start.elapsed());
        std::thread::sleep(Duration::from_millis(400));
    }
    let rss = fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        });
    let _ = child.kill();
    let _ = child.wait();
    let m = median(times.clone());
    println!(
        "watch: save of {rel} to new DUE.md median {:.1} ms ({:.1} ms beyond the 250 ms debounce), worst {:.1} ms, over {rounds} saves",
        m.as_secs_f64() * 1e3,
        m.saturating_sub(Duration::from_millis(250)).as_secs_f64() * 1e3,
        times.iter().max().unwrap().as_secs_f64() * 1e3
    );
    if let Some(kb) = rss {
        println!("watch: peak RSS {:.1} MB", kb as f64 / 1024.0);
    }
}

/// Save-to-DUE.md latency of the real `watch` binary when a contact is saved, and its peak RSS.
fn watch_latency(dir: &Path, bin: &str, cache: &Path, rounds: usize) {
    let rel = "group-07/contact-00007.md";
    let original = fs::read_to_string(dir.join(rel)).unwrap();
    watch_latency_with(dir, bin, cache, rounds, rel, |round| {
        original.replacen(
            "\nname: Contact 7\n",
            &format!("\nname: Contact 7 round {round}\n"),
            1,
        )
    });
    fs::write(dir.join(rel), original).unwrap();
}

/// One contact whose front matter holds many top-level keys: the parse must stay linear (a
/// search per key once made 100,000 keys take 12 s).
fn wide_front_matter() {
    let channels = touchbase::model::Channels::default();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    // 120,000 keys padded to just under 4 MiB: the file-size limit, and about the YAML node limit.
    for (keys, pad) in [(10_000, 0), (40_000, 0), (100_000, 0), (120_000, 12)] {
        let mut text = String::from("---\nname: Wide\n");
        for i in 0..keys {
            let _ = writeln!(text, "key{i}: value {i}{}", "x".repeat(pad));
        }
        text.push_str("---\n# Wide\n");
        let mut times = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            let parsed = touchbase::parse::parse_contact("wide.md", text.as_bytes(), &channels);
            times.push(start.elapsed());
            assert!(parsed.contact.is_some(), "{:?}", parsed.problems);
        }
        println!(
            "front matter with {keys} keys ({:.2} MB): parse median {:.1} ms",
            text.len() as f64 / 1e6,
            ms(median(times))
        );
    }
}

/// The vault's config: the playbook at full stretch (sequences, a day's work, a holiday, the
/// weekend rule), so that every rule of SPEC section 9 is in the measured path.
const CONFIG: &str = r#"
[agenda]
per_day = 25

[cadence]
skip_weekends = true

[sequence]
prospect = ["2d email - thanks for meeting", "1w call", "2w", "2w", "3w meeting", "1mo call"]
client = ["2d card - thank you", "2w call - check in", "3mo email - ask for a referral"]

[[holiday]]
date = "12-01"
label = "year-end cards"
stages = ["client", "past-client"]
"#;

/// Dated notes in the styles SPEC 10 reads: daily notes that link people in their body (with
/// links that must not count: an unchecked task, a quote, code), and meeting notes that name
/// them in `people:`.
fn note(r: &mut Lcg, contacts: usize, date: chrono::NaiveDate, k: usize) -> (String, String) {
    let who = |r: &mut Lcg| format!("Contact {}", r.below(contacts as u64));
    if k.is_multiple_of(3) {
        let people: Vec<String> = (0..1 + r.below(3))
            .map(|_| format!("\"[[{}]]\"", who(r)))
            .collect();
        let name = format!("Meetings/{date} {} {k}.md", r.pick(CHANNELS));
        let text = format!(
            "---\ndate: {date}\npeople: [{}]\n---\n# {}\n\n{}.\n- {}\n",
            people.join(", "),
            sentence(r, 4),
            sentence(r, 20),
            sentence(r, 8)
        );
        (name, text)
    } else {
        let name = format!("Daily/{date}-{k}.md");
        let mut text = format!("# {date}\n\n{}.\n", sentence(r, 15));
        for _ in 0..1 + r.below(3) {
            let _ = writeln!(
                text,
                "- {} with [[{}]]: {}",
                r.pick(CHANNELS),
                who(r),
                sentence(r, 6)
            );
        }
        let _ = writeln!(
            text,
            "- [ ] call [[{}]] about the {}",
            who(r),
            r.pick(WORDS)
        );
        let _ = writeln!(text, "> [[{}]] said: {}\n", who(r), sentence(r, 8));
        let _ = writeln!(text, "{}. `[[{}]]`", sentence(r, 12), who(r));
        (name, text)
    }
}

const NOTES_CONFIG: &str = r#"
[agenda]
per_day = 25

[touches]
notes = true
"#;

/// The vault of SPEC 10's benchmark: contacts plus dated notes that link them.
fn generate_notes(dir: &Path, contacts: usize, notes: usize) {
    let marker = dir.join(format!(".generated-{contacts}-{notes}"));
    if marker.exists() {
        return;
    }
    let _ = fs::remove_dir_all(dir);
    let mut r = Lcg(7);
    for n in 0..contacts {
        let folder = dir.join(format!("People/group-{:02}", n % 20));
        fs::create_dir_all(&folder).unwrap();
        fs::write(
            folder.join(format!("contact-{n:05}.md")),
            contact(&mut r, n),
        )
        .unwrap();
    }
    let first = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let days = (chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap() - first).num_days() + 1;
    for k in 0..notes {
        let date = first + chrono::Days::new((k as i64 % days) as u64);
        let (name, text) = note(&mut r, contacts, date, k);
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    fs::write(marker, "").unwrap();
}

/// SPEC 10's benchmark: `due` on contacts and notes, and one rebuild after a note is edited.
fn notes_bench(contacts: usize, runs: usize) {
    let notes = arg("--notes-count", 20_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-vault-notes");
    generate_notes(&dir, contacts, notes);
    fs::write(dir.join("touchbase.toml"), NOTES_CONFIG).unwrap();
    println!(
        "vault with notes: {contacts} contacts and {notes} dated notes that link them, in {}",
        dir.display()
    );
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let _ = fs::write("/proc/self/clear_refs", "5");
    let mut times = Vec::new();
    let mut touches = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let vault = Vault::open(&dir).unwrap();
        let mut cache = touchbase::vault::Cache::default();
        vault.sync(&mut cache);
        let agenda = vault.agenda_from(&mut cache, today);
        let text = render_due(&agenda, vault.config.link_style());
        times.push(start.elapsed());
        touches = cache
            .contacts()
            .flat_map(|c| &c.touches)
            .filter(|t| matches!(t.origin, touchbase::model::Origin::Note(_)))
            .count();
        std::hint::black_box(text);
    }
    println!(
        "in-process scan+parse+link+schedule+render: median {:.1} ms over {runs} runs ({touches} touches from notes)",
        ms(median(times))
    );
    if let Some(kb) = peak_rss_kb() {
        println!("peak RSS during those runs: {:.1} MB", kb as f64 / 1024.0);
    }
    let bin = env!("CARGO_BIN_EXE_touchbase");
    let cache_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-cache");
    let due = |no_cache: bool| {
        let dir = dir.clone();
        let cache_dir = cache_dir.clone();
        move || {
            let mut c = Command::new(bin);
            c.env("TOUCHBASE_CACHE_DIR", &cache_dir)
                .arg("--vault")
                .arg(&dir)
                .args(["--today", "2026-11-24", "due", "--stdout"]);
            if no_cache {
                c.arg("--no-cache");
            }
            c
        }
    };
    if let (Some(cold), Some(warm)) = (
        time_command(runs, due(true)),
        time_command(runs, due(false)),
    ) {
        println!(
            "end-to-end `due --stdout --no-cache`: median {:.1} ms; with the cache: median {:.1} ms",
            ms(cold),
            ms(warm)
        );
    }
    // One note edited: its link moves from one contact to another, as `watch` sees it.
    let vault = Vault::open(&dir).unwrap();
    let mut cache = touchbase::vault::Cache::default();
    vault.sync(&mut cache);
    let agenda = vault.agenda_from(&mut cache, today);
    // Each round links the note to another overdue contact: one fewer overdue, a new DUE.md.
    let overdue: Vec<String> = agenda
        .items
        .iter()
        .filter(|i| i.bucket == touchbase::schedule::Bucket::Overdue)
        .map(|i| i.name.clone())
        .collect();
    let rel = "Daily/2026-11-24-1385.md".to_string();
    let path = dir.join(&rel);
    let original = fs::read_to_string(&path).unwrap();
    let mut rows = Vec::new();
    for round in 0..7 {
        fs::write(
            &path,
            format!("{original}\nLunch with [[Contact {}]].\n", round * 11),
        )
        .unwrap();
        let t = Instant::now();
        vault.refresh(&mut cache, std::slice::from_ref(&rel));
        let refresh = t.elapsed();
        let t = Instant::now();
        let agenda = vault.agenda_from(&mut cache, today);
        let text = render_due(&agenda, vault.config.link_style());
        let rest = t.elapsed();
        std::hint::black_box(text);
        rows.push([refresh, rest]);
    }
    let med = |i: usize| ms(median(rows.iter().map(|r| r[i]).collect()));
    println!(
        "after a note edit: refresh (read, parse, re-link) {:.1} ms, schedule+render {:.1} ms",
        med(0),
        med(1)
    );
    fs::write(&path, &original).unwrap();
    watch_latency_with(&dir, bin, &cache_dir, runs.max(5), &rel, |round| {
        // One more overdue contact each round: the counts change, so DUE.md is written.
        let lunch: String = overdue[100..=100 + round]
            .iter()
            .map(|name| format!("Lunch with [[{name}]].\n"))
            .collect();
        format!("{original}\n{lunch}")
    });
    fs::write(&path, &original).unwrap();
}

fn main() {
    if std::env::args().any(|a| a == "--front-matter") {
        wide_front_matter();
        return;
    }
    if std::env::args().any(|a| a == "--notes") {
        notes_bench(arg("--contacts", 10_000), arg("--runs", 15));
        return;
    }
    let contacts = arg("--contacts", 10_000);
    let runs = arg("--runs", 15);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-vault");
    generate(&dir, contacts);
    fs::write(dir.join("touchbase.toml"), CONFIG).unwrap();
    let bytes: u64 = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().map_or(0, |m| m.len()))
        .sum();
    println!(
        "vault: {contacts} contacts, {:.1} MB, in {}",
        bytes as f64 / 1e6,
        dir.display()
    );

    let bin = env!("CARGO_BIN_EXE_touchbase");
    let cache = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-cache");
    if std::env::args().any(|a| a == "--watch-only") {
        incremental(&dir);
        watch_latency(&dir, bin, &cache, runs.max(5));
        return;
    }

    // Reset the peak-RSS counter so generation does not count (Linux: write 5 to clear_refs).
    let _ = fs::write("/proc/self/clear_refs", "5");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let mut times = Vec::new();
    let mut items = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let vault = Vault::open(&dir).unwrap();
        let agenda = vault.agenda(today);
        let text = render_due(&agenda, vault.config.links);
        times.push(start.elapsed());
        items = agenda.items.len();
        std::hint::black_box(text);
    }
    println!(
        "in-process scan+parse+schedule+render: median {:.1} ms over {runs} runs ({items} items due)",
        median(times).as_secs_f64() * 1e3
    );
    if let Some(kb) = peak_rss_kb() {
        println!("peak RSS during those runs: {:.1} MB", kb as f64 / 1024.0);
    }

    // End to end first: the later parts rewrite two contacts.
    let due = |no_cache: bool| {
        let cache = cache.clone();
        let dir = dir.clone();
        move || {
            let mut c = Command::new(bin);
            c.env("TOUCHBASE_CACHE_DIR", &cache)
                .arg("--vault")
                .arg(&dir)
                .args(["--today", "2026-11-24", "due", "--stdout"]);
            if no_cache {
                c.arg("--no-cache");
            }
            c
        }
    };
    let cold = time_command(runs, due(true));
    // The warm-up run fills the cache.
    let warm = time_command(runs, due(false));
    let rg = time_command(runs, || {
        let mut c = Command::new("rg");
        c.args(["-c", "^#{1,6} [0-9]{4}-"]).arg(&dir);
        c
    });
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let ratio = |t: Duration| {
        rg.map(|r| format!("; touchbase/rg = {:.2}", t.as_secs_f64() / r.as_secs_f64()))
            .unwrap_or_default()
    };
    match rg {
        Some(r) => println!(
            "end-to-end `rg -c '^#{{1,6}} [0-9]{{4}}-'`: median {:.1} ms",
            ms(r)
        ),
        None => println!("rg not found: install ripgrep to compare"),
    }
    match (cold, warm) {
        (Some(c), Some(w)) => {
            println!(
                "end-to-end `touchbase due --stdout --no-cache` (every file parsed): median {:.1} ms{}",
                ms(c),
                ratio(c)
            );
            println!(
                "end-to-end `touchbase due --stdout` (unchanged files from the cache): median {:.1} ms{}",
                ms(w),
                ratio(w)
            );
        }
        _ => println!("end-to-end: could not run {bin}"),
    }

    phases(&dir);
    wide_front_matter();
    incremental(&dir);
    watch_latency(&dir, bin, &cache, runs.max(5));
}
