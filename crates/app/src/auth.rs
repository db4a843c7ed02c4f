//! Logging in and out, and recognising a session or an API token on each request.
//!
//! Repeated failed logins lock an account or an address for a while (429 with Retry-After), and
//! every failure answers with the same message whether or not the account exists.

use chrono::{DateTime, Duration, Utc};
use prospector_core::email::Email;
use prospector_store::auth::{self as store_auth, Throttle};
use prospector_store::users::{self, User};

use crate::audit::{self, Change};
use crate::secrets::{hash_secret, new_secret, verify_password};
use crate::{Actor, App, AppError, AppResult, Via};

/// The one message for every failed login, so nobody learns which accounts exist.
pub const LOGIN_FAILED: &str = "email or password is wrong";

/// When failed logins lock an account or an address.
#[derive(Debug, Clone)]
pub struct ThrottleSettings {
    /// Failures for one account within `window` that lock it.
    pub max_failures_per_account: i64,
    /// Failures from one address within `window` that lock it.
    pub max_failures_per_ip: i64,
    /// The counting window.
    pub window: Duration,
    /// How long a lock lasts.
    pub lockout: Duration,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            max_failures_per_account: 5,
            max_failures_per_ip: 20,
            window: Duration::minutes(15),
            lockout: Duration::minutes(15),
        }
    }
}

/// A session just created; `token` goes in the cookie and is never stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The secret for the cookie.
    pub token: String,
    /// Who logged in.
    pub user: User,
    /// When it expires unless used.
    pub expires_at: DateTime<Utc>,
}

/// Where a login attempt came from.
#[derive(Debug, Clone, Default)]
pub struct LoginContext {
    /// Client address.
    pub ip: Option<String>,
    /// Browser.
    pub user_agent: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
}

fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

impl App {
    /// Checks the credentials and opens a session.
    pub async fn login(&self, email: &str, password: &str, ctx: &LoginContext) -> AppResult<NewSession> {
        let now = self.now();
        let mut keys = vec![(
            account_key(email),
            self.settings().throttle.max_failures_per_account,
        )];
        if let Some(ip) = &ctx.ip {
            keys.push((ip_key(ip), self.settings().throttle.max_failures_per_ip));
        }
        let mut reader = self.store().reader();
        for (key, _) in &keys {
            if let Some(locked_until) = store_auth::throttle(&mut reader, key)
                .await?
                .and_then(|t| t.locked_until)
                && locked_until > now
            {
                let secs = (locked_until - now).num_seconds().max(1);
                return Err(AppError::TooManyRequests {
                    retry_after_secs: u64::try_from(secs).unwrap_or(1),
                });
            }
        }

        let found = match Email::parse(email) {
            Ok(parsed) => users::credentials_by_email(&mut reader, &parsed).await?,
            Err(_) => None,
        };
        let (user, hash) = match found {
            Some((user, hash)) if user.active => (Some(user), hash),
            _ => (None, None),
        };
        let password_ok = verify_password(password.to_owned(), hash).await;
        let actor = Actor::system().with_request(ctx.request_id.clone(), ctx.ip.clone());

        let mut tx = self.store().begin().await?;
        let Some(user) = user.filter(|_| password_ok) else {
            for (key, max) in &keys {
                self.count_failure(&mut tx, key, *max, now).await?;
            }
            audit::record::<(), _>(
                &mut tx,
                &actor,
                now,
                Change {
                    action: "auth.login_failed",
                    entity_type: "session",
                    entity_id: None,
                    before: None,
                    after: Some(&serde_json::json!({ "email": email.trim().to_lowercase() })),
                },
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated(LOGIN_FAILED.into()));
        };

        store_auth::clear_throttle(&mut tx, &account_key(email)).await?;
        let token = new_secret("ps_");
        let expires_at = now + self.settings().session_ttl;
        let session_id = prospector_core::ids::uuid_v7_at(now);
        store_auth::insert_session(
            &mut tx,
            session_id,
            &hash_secret(&token),
            user.id,
            now,
            expires_at,
            ctx.ip.as_deref(),
            ctx.user_agent.as_deref(),
        )
        .await?;
        let actor =
            Actor::user(user.clone(), Via::Session).with_request(ctx.request_id.clone(), ctx.ip.clone());
        audit::record::<(), _>(
            &mut tx,
            &actor,
            now,
            Change {
                action: "auth.login",
                entity_type: "session",
                entity_id: Some(session_id.to_string()),
                before: None,
                after: Some(&serde_json::json!({ "user_id": user.id })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(NewSession {
            token,
            user,
            expires_at,
        })
    }

    async fn count_failure(
        &self,
        tx: &mut prospector_store::WriteTx,
        key: &str,
        max: i64,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let settings = &self.settings().throttle;
        let current = store_auth::throttle(tx, key).await?;
        let mut state = match current {
            Some(t) if now - t.window_started_at < settings.window => t,
            _ => Throttle {
                failures: 0,
                window_started_at: now,
                locked_until: None,
            },
        };
        state.failures += 1;
        if state.failures >= max {
            state.locked_until = Some(now + settings.lockout);
            state.failures = 0;
            state.window_started_at = now;
        }
        store_auth::save_throttle(tx, key, &state).await?;
        Ok(())
    }

    /// Ends the session with this cookie token (a no-op for an unknown one).
    pub async fn logout(&self, token: &str, actor: &Actor) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let removed = store_auth::delete_session(&mut tx, &hash_secret(token)).await?;
        if removed > 0 {
            audit::record::<(), ()>(
                &mut tx,
                actor,
                self.now(),
                Change {
                    action: "auth.logout",
                    entity_type: "session",
                    entity_id: None,
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The user behind a session cookie, sliding its expiry forward when it is being used.
    pub async fn authenticate_session(&self, token: &str) -> AppResult<Actor> {
        let now = self.now();
        let hash = hash_secret(token);
        let mut reader = self.store().reader();
        let session = store_auth::session_by_hash(&mut reader, &hash, now)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("your session has ended; log in again".into()))?;
        let user = users::user_by_id(&mut reader, session.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| AppError::Unauthenticated("your session has ended; log in again".into()))?;
        // Refresh at most every few minutes: a write per page view would queue behind real work.
        if now - session.last_seen_at > Duration::minutes(5) {
            let mut tx = self.store().begin().await?;
            store_auth::touch_session(&mut tx, session.id, now, now + self.settings().session_ttl).await?;
            tx.commit().await?;
        }
        Ok(Actor::user(user, Via::Session))
    }

    /// The user behind an API token.
    pub async fn authenticate_token(&self, token: &str) -> AppResult<Actor> {
        let now = self.now();
        let mut reader = self.store().reader();
        let invalid = || AppError::Unauthenticated("the API token is missing, unknown or revoked".into());
        let api_token = store_auth::token_by_hash(&mut reader, &hash_secret(token))
            .await?
            .ok_or_else(invalid)?;
        let user = users::user_by_id(&mut reader, api_token.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or_else(invalid)?;
        if api_token
            .last_used_at
            .is_none_or(|t| now - t > Duration::seconds(60))
        {
            let mut tx = self.store().begin().await?;
            store_auth::touch_token(&mut tx, api_token.id, now).await?;
            tx.commit().await?;
        }
        Ok(Actor::user(user, Via::Token(api_token.id)))
    }
}
