//! PLACEHOLDER: replaced by the drafts module from its branch.

use crate::config::Config;
use crate::model::{Channel, Contact};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DraftKind {
    FirstFollowUp,
    CheckIn,
    Promised,
    Personal,
    ThankYou,
    Referral,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub kind: DraftKind,
    pub subject: String,
    pub body: String,
}

pub fn draft(
    c: &Contact,
    _s: &crate::schedule::Status<'_>,
    _config: &Config,
    _channel: Option<Channel>,
) -> Draft {
    Draft {
        kind: DraftKind::CheckIn,
        subject: "Checking in".to_string(),
        body: format!("Hi {},\n\nHow are things?", c.name),
    }
}
