//! End-to-end tests in a real headless Chromium: what a person sees and clicks.
//!
//! Needs Debian's `chromium` and `chromium-driver`; without them each test is skipped with a loud
//! message, except under `CI=true` where that is a failure. The app runs on SQLite here; the API
//! suite covers both backends.

mod calendars;
mod dashboards;
mod driver;
mod hiring_approval;
mod imports;
mod inbound;
mod lead_list_width;
mod phone;
mod records;
mod session;
mod stories_nominate;
mod today;
mod today_paging;
