//! Who is acting, and how they got in. Every use case takes an `Actor`; permission checks and
//! the audit log read it.

use prospector_core::ids::{TokenId, UserId};
use prospector_core::role::{Permission, Role};
use prospector_store::users::User;

use crate::error::{AppError, AppResult};

/// How a user authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A browser session cookie.
    Session,
    /// An API token.
    Token(TokenId),
}

/// Who is acting.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A logged-in user.
    User {
        /// The user, as loaded for this request.
        user: Box<User>,
        /// How they authenticated.
        via: Via,
    },
    /// Someone at the server's command line: they own the database, so they may do anything.
    Cli,
    /// The application itself (scheduled work).
    System,
}

/// The actor of a use case: a principal plus where the request came from.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Who.
    pub principal: Principal,
    /// The HTTP request id, for the audit log.
    pub request_id: Option<String>,
    /// The client address.
    pub ip: Option<String>,
}

impl Actor {
    /// The command line.
    pub fn cli() -> Self {
        Self {
            principal: Principal::Cli,
            request_id: None,
            ip: None,
        }
    }

    /// The application itself.
    pub fn system() -> Self {
        Self {
            principal: Principal::System,
            request_id: None,
            ip: None,
        }
    }

    /// A logged-in user.
    pub fn user(user: User, via: Via) -> Self {
        Self {
            principal: Principal::User {
                user: Box::new(user),
                via,
            },
            request_id: None,
            ip: None,
        }
    }

    /// The same actor, tagged with a request id and address.
    #[must_use]
    pub fn with_request(mut self, request_id: Option<String>, ip: Option<String>) -> Self {
        self.request_id = request_id;
        self.ip = ip;
        self
    }

    /// The user acting, if a user is.
    pub fn as_user(&self) -> Option<&User> {
        match &self.principal {
            Principal::User { user, .. } => Some(user),
            Principal::Cli | Principal::System => None,
        }
    }

    /// The acting user's id.
    pub fn user_id(&self) -> Option<UserId> {
        self.as_user().map(|u| u.id)
    }

    /// The acting user's role; the command line and the system act as admins.
    pub fn role(&self) -> Role {
        self.as_user().map_or(Role::Admin, |u| u.role)
    }

    /// Refuses with 403 unless the actor has `permission`.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.role().may(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "your role ({}) does not allow this",
                self.role().label()
            )))
        }
    }

    /// How the actor is shown in the audit log.
    pub fn label(&self) -> String {
        match &self.principal {
            Principal::User { user, .. } => user.email.to_string(),
            Principal::Cli => "cli".into(),
            Principal::System => "system".into(),
        }
    }

    /// How the actor came in, for the audit log.
    pub fn via(&self) -> &'static str {
        match &self.principal {
            Principal::User {
                via: Via::Session, ..
            } => "session",
            Principal::User {
                via: Via::Token(_), ..
            } => "token",
            Principal::Cli => "cli",
            Principal::System => "system",
        }
    }
}
