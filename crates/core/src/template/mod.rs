//! Email templates: checked when saved, rendered per recipient, plus the unsubscribe headers every
//! automatic email carries and the templates the default cadence ships with.

pub mod defaults;
pub mod email_template;
pub mod unsubscribe;

pub use email_template::{EmailTemplate, KNOWN_VARIABLES, KnownVariable, RenderedEmail, TemplateContext};
pub use unsubscribe::UnsubscribeLink;
