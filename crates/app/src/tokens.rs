//! API tokens: shown once, stored as a hash, revocable, with their last use recorded.

use prospector_core::email::Email;
use prospector_core::error::required_text;
use prospector_core::ids::{TokenId, UserId};
use prospector_core::role::Permission;
use prospector_store::auth::{self as store_auth, ApiToken};
use prospector_store::users;

use crate::audit::{self, Change};
use crate::secrets::{hash_secret, new_secret};
use crate::{Actor, App, AppError, AppResult};

/// A token just made: `secret` is shown to its owner once and never again.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    /// The stored token.
    pub token: ApiToken,
    /// The secret to send as `Authorization: Bearer …`.
    pub secret: String,
}

impl App {
    /// Creates a token for `for_user` (default: the actor). Creating one for someone else needs
    /// admin rights.
    pub async fn create_token(
        &self,
        actor: &Actor,
        for_user: Option<&Email>,
        name: &str,
    ) -> AppResult<CreatedToken> {
        let name = required_text("name", name, 100)?;
        let mut reader = self.store().reader();
        let owner = match for_user {
            Some(email) => users::user_by_email(&mut reader, email)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("user {email}")))?,
            None => actor
                .as_user()
                .cloned()
                .ok_or_else(|| AppError::Invalid(prospector_core::Invalid::required("email")))?,
        };
        if actor.user_id() == Some(owner.id) {
            actor.require(Permission::ManageOwnTokens)?;
        } else {
            actor.require(Permission::ManageAllTokens)?;
        }
        if !owner.active {
            return Err(AppError::conflict(
                "user_inactive",
                "email",
                format!("{} is deactivated", owner.email),
            ));
        }
        let now = self.now();
        let secret = new_secret("pt_");
        let token = ApiToken {
            id: TokenId::new_at(now),
            user_id: owner.id,
            name,
            prefix: secret.chars().take(10).collect(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = self.store().begin().await?;
        store_auth::insert_token(&mut tx, &token, &hash_secret(&secret), actor.user_id()).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            now,
            Change {
                action: "token.create",
                entity_type: "api_token",
                entity_id: Some(token.id.to_string()),
                before: None,
                after: Some(&token),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedToken { token, secret })
    }

    /// The actor's own tokens, or everyone's for admins asking for `all`.
    pub async fn list_tokens(&self, actor: &Actor, all: bool) -> AppResult<Vec<ApiToken>> {
        let owner: Option<UserId> = if all {
            actor.require(Permission::ManageAllTokens)?;
            None
        } else {
            Some(
                actor
                    .user_id()
                    .ok_or_else(|| AppError::Forbidden("only users have tokens".into()))?,
            )
        };
        Ok(store_auth::list_tokens(&mut self.store().reader(), owner).await?)
    }

    /// Revokes a token: one's own, or anyone's for admins.
    pub async fn revoke_token(&self, actor: &Actor, id: TokenId) -> AppResult<ApiToken> {
        let now = self.now();
        let mut tx = self.store().begin().await?;
        let before = store_auth::token_by_id(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound("token".into()))?;
        if actor.user_id() == Some(before.user_id) {
            actor.require(Permission::ManageOwnTokens)?;
        } else if !actor.role().may(Permission::ManageAllTokens) {
            // Someone else's token is none of this actor's business: don't confirm it exists.
            return Err(AppError::NotFound("token".into()));
        }
        if before.revoked_at.is_some() {
            return Err(AppError::conflict(
                "already_revoked",
                "id",
                "the token was already revoked",
            ));
        }
        store_auth::revoke_token(&mut tx, id, now).await?;
        let after = ApiToken {
            revoked_at: Some(now),
            ..before.clone()
        };
        audit::record(
            &mut tx,
            actor,
            now,
            Change {
                action: "token.revoke",
                entity_type: "api_token",
                entity_id: Some(id.to_string()),
                before: Some(&before),
                after: Some(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
