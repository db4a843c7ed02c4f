//! One-time messages across a redirect (post/redirect/get), so reloading a page after a form never
//! repeats the form. The message rides in a short-lived HttpOnly cookie that the next page view clears.

use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use serde::{Deserialize, Serialize};

const FLASH_COOKIE: &str = "prospector_flash";

/// What the next page shows once.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Flash {
    /// A confirmation such as "Added Dana (dana@example.com)."
    pub notice: Option<String>,
    /// A secret shown exactly once (a new API token).
    pub secret: Option<String>,
}

/// `jar` with the flash set for the next page.
pub fn set(jar: CookieJar, flash: &Flash, secure: bool) -> CookieJar {
    let json = serde_json::to_vec(flash).unwrap_or_default();
    let mut cookie = Cookie::new(
        FLASH_COOKIE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json),
    );
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Strict);
    cookie.set_secure(secure);
    cookie.set_path("/");
    cookie.set_max_age(cookie::time::Duration::seconds(120));
    jar.add(cookie)
}

/// Post/redirect/get: to `to`, where `notice` is shown once.
pub fn redirect_with_notice(jar: CookieJar, secure: bool, to: &str, notice: String) -> Response {
    let flash = Flash {
        notice: Some(notice),
        secret: None,
    };
    (set(jar, &flash, secure), Redirect::to(to)).into_response()
}

/// The flash, if any, and `jar` with it cleared.
pub fn take(jar: CookieJar) -> (CookieJar, Flash) {
    let Some(value) = jar.get(FLASH_COOKIE).map(|c| c.value().to_owned()) else {
        return (jar, Flash::default());
    };
    let flash = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let mut removal = Cookie::from(FLASH_COOKIE);
    removal.set_path("/");
    (jar.remove(removal), flash)
}
