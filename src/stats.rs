//! `touchbase stats`: the user's own persistence figures (SPEC section 8) as one plain data
//! struct, and its terminal view (horizontal bar charts). Pure: the vault, the date and the
//! config come in; nothing is read or written here.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use crate::config::Config;
use crate::lookup::{fold, stem};
use crate::model::Contact;
use crate::render::plural;
use crate::schedule::{self, Outcome};

/// The touch-count buckets of the persistence funnel.
pub const BUCKETS: [&str; 7] = ["0", "1", "2", "3", "4", "5-12", "13+"];
/// Days of the channel mix window, today included.
pub const MIX_DAYS: i64 = 90;
/// Weeks of the weekly chart, the current week last.
pub const WEEKS: usize = 12;

/// Every figure `touchbase stats` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub today: NaiveDate,
    pub since: Option<NaiveDate>,
    pub funnel: Funnel,
    pub won: Won,
    pub channels: ChannelMix,
    pub weeks: Vec<Week>,
    pub promises: Promises,
    pub cards: CardFigures,
    pub referrals: Referrals,
}

/// One bar: a label, a count and its share of the chart's total in whole percent (the shares
/// of a chart add up to 100, or are all 0 when the total is 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bar {
    pub label: String,
    pub count: usize,
    pub percent: u32,
}

/// Open-stage contacts by touch count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Funnel {
    /// One bar per bucket of [`BUCKETS`], in that order.
    pub bars: Vec<Bar>,
    /// Open-stage contacts.
    pub total: usize,
    /// Open-stage contacts with 5 touches or more.
    pub five_or_more: usize,
    /// The line comparing the user to the 5-to-12 rule.
    pub verdict: String,
}

/// How many touches the clients took, up to the day they became clients.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Won {
    /// Clients with a known `stage_since`, by name.
    pub clients: Vec<WonClient>,
    /// Clients with no `stage_since`: how many touches it took is not known.
    pub unknown: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WonClient {
    pub name: String,
    pub since: NaiveDate,
    /// Touches (`met` included) dated on or before `since`.
    pub touches: usize,
}

/// Touches by channel in the window, most used first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelMix {
    /// The first day of the window (the last 90 days, or from `--since` when later).
    pub from: NaiveDate,
    pub bars: Vec<Bar>,
    pub total: usize,
    /// Contacts whose last two touches went by the same channel.
    pub repeated: usize,
    /// Contacts with two touches or more.
    pub with_two: usize,
}

/// Touches in one week (Monday to Sunday).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Week {
    pub monday: NaiveDate,
    pub bar: Bar,
}

/// What became of the next steps agreed (SPEC 9), each promise counted once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Promises {
    /// The next touch came on or before the date, by the promised channel.
    pub kept: usize,
    /// The next touch came after the date (by any channel).
    pub late: usize,
    /// The next touch came on time but by another channel.
    pub other_channel: usize,
    /// No touch since, and the date has passed.
    pub broken: usize,
    /// No touch since, and the date is today or later.
    pub open: usize,
}

/// Cards this year for the contacts whose stage has a yearly card target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardFigures {
    pub contacts: Vec<CardContact>,
    pub sent: usize,
    pub target: u64,
    /// Contacts below the pace that reaches their target by the year's end.
    pub behind: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardContact {
    pub name: String,
    pub sent: usize,
    pub target: u32,
    pub behind: bool,
}

/// Who referred whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Referrals {
    /// Referrers, most referred contacts first, then by name.
    pub referrers: Vec<Referrer>,
    /// Contacts with a `referred_by`.
    pub referred: usize,
    /// The top 20% of referrers (at least one, when there is any).
    pub top: usize,
    /// Referred contacts that came through the top referrers.
    pub through_top: usize,
    /// `through_top` as a whole percent of `referred`.
    pub top_percent: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Referrer {
    /// The contact's name when `referred_by` names one, else the name as written.
    pub name: String,
    /// False when no contact has that name, file name or alias.
    pub in_vault: bool,
    /// The contacts they referred, by name.
    pub referred: Vec<String>,
}

/// Whole percents of `counts` that add up to 100 (largest remainder; ties go to the earlier
/// count), or all 0 when the total is 0.
pub fn percents(counts: &[usize]) -> Vec<u32> {
    let total: usize = counts.iter().sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut out: Vec<u32> = counts.iter().map(|&n| (n * 100 / total) as u32).collect();
    let short = 100 - out.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i] * 100 % total));
    for &i in order.iter().take(short as usize) {
        out[i] += 1;
    }
    out
}

fn bars(labels: Vec<String>, counts: &[usize]) -> Vec<Bar> {
    labels
        .into_iter()
        .zip(counts)
        .zip(percents(counts))
        .map(|((label, &count), percent)| Bar {
            label,
            count,
            percent,
        })
        .collect()
}

fn bucket(touches: usize) -> usize {
    match touches {
        0..=4 => touches,
        5..=12 => 5,
        _ => 6,
    }
}

/// The contacts by folded name, file stem and alias: built once, so resolving every
/// `referred_by` of a large vault stays linear.
pub struct Names<'a> {
    contacts: Vec<&'a Contact>,
    by_key: std::collections::HashMap<String, Vec<usize>>,
}

impl<'a> Names<'a> {
    pub fn new(contacts: &[&'a Contact]) -> Names<'a> {
        let mut by_key: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, c) in contacts.iter().enumerate() {
            let mut keys: Vec<String> = vec![fold(&c.name), fold(stem(&c.path))];
            keys.extend(c.aliases.iter().map(|a| fold(a)));
            keys.sort();
            keys.dedup();
            for k in keys.into_iter().filter(|k| !k.is_empty()) {
                by_key.entry(k).or_default().push(i);
            }
        }
        Names {
            contacts: contacts.to_vec(),
            by_key,
        }
    }

    /// The contact `name` (a name, a file name without `.md`, or an alias; a wikilink's
    /// brackets and display text are dropped) names, when exactly one does.
    pub fn resolve(&self, name: &str) -> Option<&'a Contact> {
        let inner = name.trim().trim_start_matches("[[").trim_end_matches("]]");
        let target = inner.split('|').next().unwrap_or(inner);
        match self.by_key.get(&fold(target.trim()))?.as_slice() {
            [one] => Some(self.contacts[*one]),
            _ => None,
        }
    }
}

/// The contacts whose `referred_by` names `c`, by name (what `show` lists).
pub fn referrals_of<'a>(contacts: &[&'a Contact], c: &Contact) -> Vec<&'a Contact> {
    let names = Names::new(contacts);
    let mut out: Vec<&'a Contact> = contacts
        .iter()
        .copied()
        .filter(|r| {
            r.referred_by
                .as_deref()
                .and_then(|name| names.resolve(name))
                .is_some_and(|by| by.path == c.path)
        })
        .collect();
    out.sort_by_key(|a| fold(&a.name));
    out
}

/// Every figure of `touchbase stats` for `contacts` on `today`; `since` limits the touches (and
/// the weeks) to that date on.
pub fn stats(
    contacts: &[&Contact],
    today: NaiveDate,
    since: Option<NaiveDate>,
    config: &Config,
) -> Stats {
    let from = |d: NaiveDate| since.is_none_or(|s| d >= s);
    let timelines: Vec<Vec<crate::model::Touch>> = contacts
        .iter()
        .map(|c| {
            schedule::timeline(c, today)
                .into_iter()
                .filter(|t| from(t.date))
                .collect()
        })
        .collect();

    // The funnel: touches counted as the schedule counts them, `met` included.
    let mut counts = [0usize; 7];
    for (c, tl) in contacts.iter().zip(&timelines) {
        if config.is_open(&c.stage) {
            counts[bucket(tl.len())] += 1;
        }
    }
    let total: usize = counts.iter().sum();
    let five_or_more = counts[5] + counts[6];
    let verdict = if total == 0 {
        "No contacts in an open stage yet.".to_string()
    } else {
        format!(
            "{five_or_more} of {total} open contacts ({}%) have had 5 touches or more; 80% of \
             sales take 5 to 12.",
            percent(five_or_more, total)
        )
    };
    let funnel = Funnel {
        bars: bars(BUCKETS.iter().map(|b| b.to_string()).collect(), &counts),
        total,
        five_or_more,
        verdict,
    };

    // Where deals were won.
    let mut won = Won {
        clients: Vec::new(),
        unknown: 0,
    };
    for (c, tl) in contacts.iter().zip(&timelines) {
        if c.stage != "client" {
            continue;
        }
        match c.stage_since {
            Some(s) => won.clients.push(WonClient {
                name: c.name.clone(),
                since: s,
                touches: tl.iter().filter(|t| t.date <= s).count(),
            }),
            None => won.unknown += 1,
        }
    }
    won.clients.sort_by_key(|a| fold(&a.name));

    // The channel mix.
    let mix_from = (today - Duration::days(MIX_DAYS - 1)).max(since.unwrap_or(NaiveDate::MIN));
    let mut by_channel: BTreeMap<&'static str, usize> = BTreeMap::new();
    for tl in &timelines {
        for t in tl.iter().filter(|t| t.date >= mix_from) {
            *by_channel.entry(t.channel.as_str()).or_default() += 1;
        }
    }
    let mut mix: Vec<(&str, usize)> = by_channel.into_iter().collect();
    mix.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mix_counts: Vec<usize> = mix.iter().map(|m| m.1).collect();
    let with_two = timelines.iter().filter(|tl| tl.len() >= 2).count();
    let repeated = timelines
        .iter()
        .filter(|tl| matches!(tl.as_slice(), [.., a, b] if a.channel == b.channel))
        .count();
    let channels = ChannelMix {
        from: mix_from,
        bars: bars(mix.iter().map(|m| m.0.to_string()).collect(), &mix_counts),
        total: mix_counts.iter().sum(),
        repeated,
        with_two,
    };

    // Touches per week, the current week last; with `--since`, the weeks before it are left out.
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let mondays: Vec<NaiveDate> = (0..WEEKS as i64)
        .rev()
        .map(|k| this_monday - Duration::weeks(k))
        .filter(|m| since.is_none_or(|s| *m + Duration::days(6) >= s))
        .collect();
    let week_counts: Vec<usize> = mondays
        .iter()
        .map(|m| {
            let end = *m + Duration::days(6);
            timelines
                .iter()
                .flatten()
                .filter(|t| t.date >= *m && t.date <= end)
                .count()
        })
        .collect();
    let weeks = bars(
        mondays
            .iter()
            .map(|m| m.format("%d %b").to_string())
            .collect(),
        &week_counts,
    )
    .into_iter()
    .zip(&mondays)
    .map(|(bar, &monday)| Week { monday, bar })
    .collect();

    // Promises.
    let mut promises = Promises::default();
    for c in contacts {
        for p in schedule::promises(c, today) {
            if !from(p.step.date) {
                continue;
            }
            match p.outcome {
                Outcome::Kept(_) => promises.kept += 1,
                Outcome::Broken { late_days, .. } if late_days > 0 => promises.late += 1,
                Outcome::Broken { .. } => promises.other_channel += 1,
                Outcome::Pending if p.step.date < today => promises.broken += 1,
                Outcome::Pending => promises.open += 1,
            }
        }
    }

    // Cards this year.
    let mut card_contacts: Vec<CardContact> = contacts
        .iter()
        .filter_map(|c| {
            let cards = schedule::status(c, today, config).cards?;
            Some(CardContact {
                name: c.name.clone(),
                sent: cards.sent,
                target: cards.target,
                behind: cards.behind,
            })
        })
        .collect();
    card_contacts.sort_by_key(|a| fold(&a.name));
    let cards = CardFigures {
        sent: card_contacts.iter().map(|c| c.sent).sum(),
        target: card_contacts.iter().map(|c| u64::from(c.target)).sum(),
        behind: card_contacts.iter().filter(|c| c.behind).count(),
        contacts: card_contacts,
    };

    Stats {
        today,
        since,
        funnel,
        won,
        channels,
        weeks,
        promises,
        cards,
        referrals: referrals(contacts),
    }
}

fn percent(part: usize, whole: usize) -> u32 {
    (part * 100 + whole / 2).checked_div(whole).unwrap_or(0) as u32
}

fn referrals(contacts: &[&Contact]) -> Referrals {
    // Keyed by the referrer's file (in the vault) or folded name (not in it).
    let mut by: BTreeMap<String, Referrer> = BTreeMap::new();
    let mut referred = 0;
    let names = Names::new(contacts);
    for c in contacts {
        let Some(name) = c.referred_by.as_deref().filter(|n| !n.trim().is_empty()) else {
            continue;
        };
        referred += 1;
        let (key, shown, in_vault) = match names.resolve(name) {
            Some(r) => (format!("/{}", r.path), r.name.clone(), true),
            None => (fold(name), name.trim().to_string(), false),
        };
        by.entry(key)
            .or_insert_with(|| Referrer {
                name: shown,
                in_vault,
                referred: Vec::new(),
            })
            .referred
            .push(c.name.clone());
    }
    let mut referrers: Vec<Referrer> = by.into_values().collect();
    for r in &mut referrers {
        r.referred.sort_by_key(|n| fold(n));
    }
    referrers.sort_by(|a, b| {
        b.referred
            .len()
            .cmp(&a.referred.len())
            .then_with(|| fold(&a.name).cmp(&fold(&b.name)))
    });
    let top = referrers.len().div_ceil(5);
    let through_top = referrers.iter().take(top).map(|r| r.referred.len()).sum();
    Referrals {
        top,
        through_top,
        top_percent: percent(through_top, referred),
        referred,
        referrers,
    }
}

/// The widest bar, in character cells.
const BAR_WIDTH: usize = 30;
const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// A bar of `count` against `max`, in Unicode blocks (eighths of a cell), padded to
/// [`BAR_WIDTH`]. A count above 0 always shows at least an eighth.
fn blocks(count: usize, max: usize) -> String {
    let eighths = if max == 0 {
        0
    } else {
        (count * BAR_WIDTH * 8).div_ceil(max)
    };
    let mut out = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        out.push(EIGHTHS[eighths % 8]);
    }
    let cells = out.chars().count();
    out.extend(std::iter::repeat_n(' ', BAR_WIDTH - cells.min(BAR_WIDTH)));
    out
}

fn chart(out: &mut String, rows: &[&Bar], color: bool) {
    let max = rows.iter().map(|b| b.count).max().unwrap_or(0);
    let label_w = rows
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let count_w = rows
        .iter()
        .map(|b| b.count.to_string().len())
        .max()
        .unwrap_or(1);
    for b in rows {
        let bar = blocks(b.count, max);
        let bar = if color {
            format!("\x1b[36m{bar}\x1b[0m")
        } else {
            bar
        };
        out.push_str(
            format!(
                "  {:<label_w$}  {bar}  {:>count_w$}  {:>3}%",
                crate::term::clean(&b.label),
                b.count,
                b.percent
            )
            .trim_end(),
        );
        out.push('\n');
    }
}

fn heading(out: &mut String, text: &str, color: bool) {
    if color {
        out.push_str(&format!("\n\x1b[1m{text}\x1b[0m\n"));
    } else {
        out.push_str(&format!("\n{text}\n"));
    }
}

/// The terminal view: bar charts for the funnel, the channel mix and the weekly touches, the
/// other figures as text. `color` adds ANSI colour and bold; vault text goes through
/// [`crate::term::clean`].
pub fn render_terminal(s: &Stats, color: bool) -> String {
    let clean = |t: &str| crate::term::clean(t).into_owned();
    let mut out = match s.since {
        Some(d) => format!("touchbase stats, {} (touches since {d})\n", s.today),
        None => format!("touchbase stats, {}\n", s.today),
    };

    heading(
        &mut out,
        &format!(
            "Persistence: open contacts by touches so far ({})",
            s.funnel.total
        ),
        color,
    );
    chart(&mut out, &s.funnel.bars.iter().collect::<Vec<_>>(), color);
    out.push_str(&format!("  {}\n", s.funnel.verdict));

    heading(&mut out, "Where deals were won", color);
    if s.won.clients.is_empty() {
        out.push_str("  No client with a known stage_since.\n");
    }
    for w in &s.won.clients {
        out.push_str(&format!(
            "  {}: {} to client on {}\n",
            clean(&w.name),
            plural(w.touches, "touch", "touches"),
            w.since
        ));
    }
    if s.won.unknown > 0 {
        out.push_str(&format!(
            "  {} with no stage_since (not counted)\n",
            plural(s.won.unknown, "client", "clients")
        ));
    }

    heading(
        &mut out,
        &format!(
            "Channel mix since {} ({} touches)",
            s.channels.from, s.channels.total
        ),
        color,
    );
    chart(&mut out, &s.channels.bars.iter().collect::<Vec<_>>(), color);
    out.push_str(&format!(
        "  {} of {} contacts with two touches or more: the last two by the same channel\n",
        s.channels.repeated, s.channels.with_two
    ));

    heading(&mut out, "Touches per week (weeks from Monday)", color);
    chart(
        &mut out,
        &s.weeks.iter().map(|w| &w.bar).collect::<Vec<_>>(),
        color,
    );

    let p = &s.promises;
    heading(&mut out, "Promises (next steps agreed)", color);
    out.push_str(&format!(
        "  kept {}, late {}, by another channel {}, broken {}, open {}\n",
        p.kept, p.late, p.other_channel, p.broken, p.open
    ));

    heading(&mut out, "Cards this year", color);
    if s.cards.contacts.is_empty() {
        out.push_str("  No contact in a stage with a yearly card target.\n");
    }
    for c in &s.cards.contacts {
        out.push_str(&format!(
            "  {}: {} of {}{}\n",
            clean(&c.name),
            c.sent,
            c.target,
            if c.behind { " (behind)" } else { "" }
        ));
    }
    if !s.cards.contacts.is_empty() {
        out.push_str(&format!(
            "  {} sent of {} targeted; {} behind\n",
            s.cards.sent,
            s.cards.target,
            plural(s.cards.behind, "contact", "contacts")
        ));
    }

    let r = &s.referrals;
    heading(&mut out, "Referrals", color);
    if r.referrers.is_empty() {
        out.push_str("  No contact has a referred_by.\n");
    }
    for x in &r.referrers {
        let names: Vec<String> = x.referred.iter().map(|n| clean(n)).collect();
        out.push_str(&format!(
            "  {}{} ({}): {}\n",
            clean(&x.name),
            if x.in_vault {
                ""
            } else {
                " (not in the vault)"
            },
            x.referred.len(),
            names.join(", ")
        ));
    }
    if !r.referrers.is_empty() {
        out.push_str(&format!(
            "  The top 20% of referrers ({} of {}) brought {} of {} referred contacts ({}%)\n",
            r.top,
            r.referrers.len(),
            r.through_top,
            r.referred,
            r.top_percent
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The fixture vault `tests/fixtures/stats`, today Tue 24 Nov 2026. Open stages are `lead`
    // and `prospect`; `client` has a card target of 4 a year.
    //   Ann Lee    lead      no touch                               referred by [[carl-cruz]]
    //   Bob Roe    lead      met 11-20; next: 11-27 call           referred by Carl Cruz
    //   Cat Cho    prospect  email 11-02 (Next 11-09 email), email 11-09   by Dee Dunn
    //   Dan Day    prospect  call 10-05 (Next 10-12 call), call 10-15, email 11-16 (Next 11-30)
    //   Eve Ek     prospect  email 09-01 (Next 09-08 call), email 09-08, call 09-22, meeting 10-20
    //   Fay Fu     prospect  email 08-03, call 08-17, email 09-14, call 10-12, text 11-02,
    //                        call 11-23                            referred by Carl Cruz
    //   Gil Go     prospect  email 11-05 (Next 11-12 call)         referred by Dee (an alias)
    //   Carl Cruz  client since 06-01: call 03-02, meeting 04-06, email 05-04, meeting 06-01,
    //                        card 07-06, card 10-05
    //   Dee Dunn   client since 09-15: call 08-10 (Next 09-01 call), meeting 09-15, card 11-10
    //   Hal Ho     lost      email 10-01, email 10-08              referred by Nobody Known
    //   Ivy Iu     client (no stage_since): call 05-01, card 11-18 referred by [[Carl Cruz]]

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn fixture() -> (Vec<Contact>, Config) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stats");
        let config =
            Config::from_toml(&std::fs::read_to_string(root.join("touchbase.toml")).unwrap())
                .unwrap();
        let mut files: Vec<_> = std::fs::read_dir(root.join("people"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let contacts = files
            .iter()
            .map(|p| {
                let rel = format!("people/{}", p.file_name().unwrap().to_str().unwrap());
                let parsed = config.parse(&rel, &std::fs::read(p).unwrap());
                assert_eq!(parsed.problems, vec![], "{rel}");
                parsed.contact.unwrap()
            })
            .collect();
        (contacts, config)
    }

    fn run(since: Option<&str>) -> Stats {
        let (contacts, config) = fixture();
        let refs: Vec<&Contact> = contacts.iter().collect();
        stats(&refs, d("2026-11-24"), since.map(d), &config)
    }

    fn counts(bars: &[Bar]) -> Vec<(String, usize, u32)> {
        bars.iter()
            .map(|b| (b.label.clone(), b.count, b.percent))
            .collect()
    }

    fn row(label: &str, count: usize, percent: u32) -> (String, usize, u32) {
        (label.to_string(), count, percent)
    }

    #[test]
    fn percents_add_up_to_100_by_largest_remainder() {
        // 1/7 = 14.29%, 2/7 = 28.57%: floors 14*5 + 28 = 98; the two largest remainders (.57,
        // then the first .29) get the two missing points.
        assert_eq!(
            percents(&[1, 2, 1, 1, 1, 1, 0]),
            vec![15, 29, 14, 14, 14, 14, 0]
        );
        assert_eq!(percents(&[0, 0]), vec![0, 0]);
        assert_eq!(percents(&[]), Vec::<u32>::new());
    }

    #[test]
    fn funnel_counts_open_contacts_by_touches_met_included() {
        // Ann 0; Bob 1 (met); Gil 1; Cat 2; Dan 3; Eve 4; Fay 6 (5-12). Clients and Hal (lost)
        // are not open: 7 contacts.
        let s = run(None);
        assert_eq!(
            counts(&s.funnel.bars),
            vec![
                row("0", 1, 15),
                row("1", 2, 29),
                row("2", 1, 14),
                row("3", 1, 14),
                row("4", 1, 14),
                row("5-12", 1, 14),
                row("13+", 0, 0),
            ]
        );
        assert_eq!((s.funnel.total, s.funnel.five_or_more), (7, 1));
        // 1 of 7 = 14%.
        assert!(s.funnel.verdict.starts_with("1 of 7 open contacts (14%)"));
    }

    #[test]
    fn won_counts_touches_up_to_stage_since() {
        // Carl: 03-02, 04-06, 05-04, 06-01 on or before 06-01 = 4 (the cards come after);
        // Dee: 08-10, 09-15 = 2; Ivy has no stage_since.
        let s = run(None);
        assert_eq!(
            s.won.clients,
            vec![
                WonClient {
                    name: "Carl Cruz".into(),
                    since: d("2026-06-01"),
                    touches: 4
                },
                WonClient {
                    name: "Dee Dunn".into(),
                    since: d("2026-09-15"),
                    touches: 2
                },
            ]
        );
        assert_eq!(s.won.unknown, 1);
    }

    #[test]
    fn channel_mix_over_the_last_90_days() {
        // From 08-27 (today - 89 days). Email: Cat 2, Dan 1, Eve 2, Fay 1 (09-14), Gil 1, Hal 2
        // = 9. Call: Dan 2, Eve 1, Fay 2 = 5. Card: Carl 10-05, Dee, Ivy = 3. Meeting: Bob's
        // met, Eve, Dee = 3. Text: Fay = 1. Total 21: 42.9, 23.8, 14.3, 14.3, 4.8 -> 43, 24,
        // 14, 14, 5.
        let s = run(None);
        assert_eq!(s.channels.from, d("2026-08-27"));
        assert_eq!(
            counts(&s.channels.bars),
            vec![
                row("email", 9, 43),
                row("call", 5, 24),
                row("card", 3, 14),
                row("meeting", 3, 14),
                row("text", 1, 5),
            ]
        );
        assert_eq!(s.channels.total, 21);
        // Two touches or more: Cat, Dan, Eve, Fay, Carl, Dee, Hal, Ivy = 8; the last two by
        // one channel: Cat (email, email), Carl (card, card), Hal (email, email) = 3.
        assert_eq!((s.channels.repeated, s.channels.with_two), (3, 8));
    }

    #[test]
    fn touches_per_week_monday_to_sunday_current_week_last() {
        // Weeks from Mon 07 Sep to Mon 23 Nov: 09-08 | 09-14 09-15 | 09-22 | 10-01 |
        // 10-05 10-05 10-08 | 10-12 10-15 | 10-20 | - | 11-02 11-02 11-05 | 11-09 11-10 |
        // 11-16 11-18 11-20 (met) | 11-23. Total 20: 1 = 5%, 2 = 10%, 3 = 15%.
        let s = run(None);
        let got: Vec<(NaiveDate, usize, u32)> = s
            .weeks
            .iter()
            .map(|w| (w.monday, w.bar.count, w.bar.percent))
            .collect();
        let want: Vec<(NaiveDate, usize, u32)> = [1, 2, 1, 1, 3, 2, 1, 0, 3, 2, 3, 1]
            .iter()
            .enumerate()
            .map(|(k, &n)| (d("2026-09-07") + Duration::weeks(k as i64), n, n as u32 * 5))
            .collect();
        assert_eq!(got, want);
        assert_eq!(s.weeks[11].bar.label, "23 Nov");
    }

    #[test]
    fn promises_by_outcome() {
        // Cat 11-09 email kept on the day by email; Dan 10-12 call came 10-15 (late); Dee 09-01
        // call came 09-15 by meeting (late, counted once as late); Eve 09-08 call came on the
        // day by email (another channel); Gil 11-12 call: nothing since (broken); Dan 11-30
        // and Bob's front matter 11-27: open.
        let s = run(None);
        assert_eq!(
            s.promises,
            Promises {
                kept: 1,
                late: 2,
                other_channel: 1,
                broken: 1,
                open: 2
            }
        );
    }

    #[test]
    fn cards_this_year_against_the_target() {
        // Carl: 07-06, 10-05 = 2; pace from 06-01 (day 152) to 11-24 (day 328): 4 * 177 / 365
        // = 1, not behind. Dee: 1; pace from 09-15: 4 * 71 / 365 = 0. Ivy: 1; pace from
        // 1 January: 4 * 328 / 365 = 3, behind.
        let s = run(None);
        let got: Vec<(&str, usize, u32, bool)> = s
            .cards
            .contacts
            .iter()
            .map(|c| (c.name.as_str(), c.sent, c.target, c.behind))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Carl Cruz", 2, 4, false),
                ("Dee Dunn", 1, 4, false),
                ("Ivy Iu", 1, 4, true)
            ]
        );
        assert_eq!((s.cards.sent, s.cards.target, s.cards.behind), (4, 12, 1));
    }

    #[test]
    fn referrals_resolve_names_stems_and_aliases() {
        // Carl: Ann ([[carl-cruz]], a file name), Bob, Fay (name), Ivy ([[Carl Cruz]]) = 4;
        // Dee: Cat (name), Gil (alias "Dee") = 2; "Nobody Known" (no contact): Hal = 1.
        // 3 referrers: the top 20% is 1 (Carl), 4 of 7 referred contacts = 57%.
        let s = run(None);
        let got: Vec<(&str, bool, Vec<&str>)> = s
            .referrals
            .referrers
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.in_vault,
                    r.referred.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "Carl Cruz",
                    true,
                    vec!["Ann Lee", "Bob Roe", "Fay Fu", "Ivy Iu"]
                ),
                ("Dee Dunn", true, vec!["Cat Cho", "Gil Go"]),
                ("Nobody Known", false, vec!["Hal Ho"]),
            ]
        );
        let r = &s.referrals;
        assert_eq!(
            (r.referred, r.top, r.through_top, r.top_percent),
            (7, 1, 4, 57)
        );
    }

    #[test]
    fn referrals_of_a_contact_for_show() {
        let (contacts, _) = fixture();
        let refs: Vec<&Contact> = contacts.iter().collect();
        let dee = refs.iter().find(|c| c.name == "Dee Dunn").unwrap();
        let names: Vec<&str> = referrals_of(&refs, dee)
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, vec!["Cat Cho", "Gil Go"]);
    }

    #[test]
    fn since_limits_touches_weeks_and_promises() {
        // From Mon 09 Nov: touches 11-09 Cat, 11-10 Dee, 11-16 Dan, 11-18 Ivy, 11-20 Bob's met,
        // 11-23 Fay = 6. Funnel: Ann, Eve, Gil 0; Bob, Cat, Dan, Fay 1 -> 3 and 4 of 7.
        // Weeks: 09 Nov (2), 16 Nov (3), 23 Nov (1). Promises due from 11-09: Cat's kept,
        // Gil's broken, Dan's and Bob's open.
        let s = run(Some("2026-11-09"));
        let funnel: Vec<usize> = s.funnel.bars.iter().map(|b| b.count).collect();
        assert_eq!(funnel, vec![3, 4, 0, 0, 0, 0, 0]);
        assert_eq!(s.channels.from, d("2026-11-09"));
        assert_eq!(s.channels.total, 6);
        let weeks: Vec<(NaiveDate, usize)> =
            s.weeks.iter().map(|w| (w.monday, w.bar.count)).collect();
        assert_eq!(
            weeks,
            vec![
                (d("2026-11-09"), 2),
                (d("2026-11-16"), 3),
                (d("2026-11-23"), 1)
            ]
        );
        assert_eq!(
            s.promises,
            Promises {
                kept: 1,
                late: 0,
                other_channel: 0,
                broken: 1,
                open: 2
            }
        );
    }

    #[test]
    fn bars_scale_to_the_largest_and_never_hide_a_count() {
        assert_eq!(blocks(0, 5).trim_end(), "");
        assert_eq!(blocks(5, 5), "█".repeat(BAR_WIDTH));
        // 1 of 100 is 2.4 eighths of a cell, rounded up: one partial block.
        assert_eq!(blocks(1, 100).trim_end(), "▍");
        assert_eq!(blocks(3, 0).trim_end(), "");
    }

    #[test]
    fn colour_only_when_asked() {
        let s = run(None);
        assert!(!render_terminal(&s, false).contains('\x1b'));
        assert!(render_terminal(&s, true).contains("\x1b[36m"));
    }
}
