//! `touchbase add NAME`: create a contact file from a template, in the configured folder.

use anyhow::{Context as _, Result, bail};

use super::{Context, Loaded, say_due};
use crate::cli::AddArgs;
use crate::edit::{self, NewContact};
use crate::exit::Code;
use crate::term::clean;
use crate::vault::create_file;

pub fn run(ctx: &Context, args: &AddArgs) -> Result<Code> {
    let loaded = Loaded::open(ctx)?;
    let vault = &loaded.vault;
    let name = args.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(crate::exit::usage(
            "the name must be non-empty text".to_string(),
        ));
    }
    let values = [
        ("the name", Some(&args.name)),
        ("--stage", args.stage.as_ref()),
        ("--company", args.company.as_ref()),
        ("--email", args.email.as_ref()),
        ("--phone", args.phone.as_ref()),
        ("--met", args.met.as_ref()),
    ]
    .into_iter()
    .filter_map(|(what, v)| v.map(|v| (what, v)))
    .chain(args.interests.iter().map(|i| ("--interest", i)));
    if let Some(refusal) = super::control_characters(values) {
        eprintln!("touchbase: error: {refusal}");
        return Ok(Code::Usage);
    }
    let met = match &args.met {
        None => ctx.today.to_string(),
        Some(m) => match crate::typed::date_prefix(m, ctx.today) {
            Some((date, rest)) if date <= ctx.today => {
                format!("{date} {rest}").trim_end().to_string()
            }
            Some((date, _)) => {
                return Err(crate::exit::usage(format!(
                    "--met {date} is after today ({})",
                    ctx.today
                )));
            }
            None => {
                return Err(crate::exit::usage(format!(
                    "--met \"{m}\" must start with a date: \"DATE [where]\", DATE as {}",
                    crate::typed::FORMS
                )));
            }
        },
    };
    let stage = args
        .stage
        .as_ref()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    if let Some(s) = &stage {
        check_stage(vault, s)?;
    }

    // Where: the configured folder (`create_file` checks it is inside the vault), a safe file
    // name.
    let stem = edit::file_stem(&name);
    let rel = format!(
        "{}/{stem}.md",
        vault.config.add_folder.trim_end_matches('/')
    );
    let path = vault.canon.join(&rel);

    // Near-duplicates under the same folding as lookups (`Zoe OBrien` beside `Zoë O’Brien`):
    // a later `log zoe` would otherwise have two contacts to choose from.
    let folded = crate::lookup::fold(&name);
    for c in loaded.cache.contacts() {
        let same_name = std::iter::once(&c.name)
            .chain(&c.aliases)
            .any(|n| crate::lookup::fold(n) == folded);
        if same_name {
            eprintln!(
                "warning: {} already has the name {}",
                clean(&c.path),
                clean(&c.name)
            );
        }
        if let (Some(a), Some(b)) = (&c.email, &args.email)
            && a.eq_ignore_ascii_case(b.trim())
        {
            eprintln!(
                "warning: {} already has the email {}",
                clean(&c.path),
                clean(a)
            );
        }
    }

    let template = template(vault)?;
    let new = NewContact {
        name: name.clone(),
        stage,
        company: args.company.clone(),
        email: args.email.clone(),
        phone: args.phone.clone(),
        met: Some(met),
        interests: args.interests.clone(),
    };
    let text = edit::fill_template(&template, &new, ctx.today)
        .map_err(|e| anyhow::anyhow!("the template: {e}"))?;
    let parsed = vault.config.parse(&rel, text.as_bytes());
    let contact = match parsed.contact {
        Some(c) if c.name == name && parsed.problems.is_empty() => c,
        _ => bail!(
            "the new file would not read back as a contact named {name}{}: nothing was written",
            parsed
                .problems
                .first()
                .map(|p| format!(" ({})", p.kind))
                .unwrap_or_default()
        ),
    };
    if std::fs::symlink_metadata(&path).is_ok() {
        bail!(
            "{} already exists: touchbase does not overwrite files; choose another name or edit it",
            clean(&rel)
        );
    }
    create_file(&vault.canon, &path, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("{e:#}; choose another name or edit {}", clean(&rel)))?;
    if !ctx.quiet {
        println!("created {}", clean(&rel));
        say_due(&contact, ctx.today, &vault.config);
    }
    Ok(Code::Success)
}

/// SPEC 8: a stage typed on the command line that no config defines is a usage error, with the
/// closest stage when there is one (`leed`: did you mean `lead`?).
pub(crate) fn check_stage(vault: &crate::vault::Vault, s: &str) -> Result<()> {
    if vault.config.knows_stage(s) {
        return Ok(());
    }
    let stages = vault.config.stage_names();
    let closest = stages
        .iter()
        .map(|known| (strsim::osa_distance(s, known), known))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, known)| format!(" did you mean \"{known}\"?"))
        .unwrap_or_default();
    Err(crate::exit::usage(format!(
        "unknown stage \"{}\":{closest} The stages are {}; add one under [cadence.stages] in \
         touchbase.toml",
        clean(s),
        stages.join(", ")
    )))
}

/// The template new contacts are made from: the configured one, else the default.
pub(crate) fn template(vault: &crate::vault::Vault) -> Result<String> {
    Ok(match &vault.config.add_template {
        Some(t) => crate::vault::read_text_inside(&vault.canon, &vault.root.join(t))
            .with_context(|| format!("cannot read the template {t}"))?,
        None => edit::DEFAULT_TEMPLATE.to_string(),
    })
}
