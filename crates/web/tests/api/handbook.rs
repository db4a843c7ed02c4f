//! The handbook over HTTP: XSS rendered inert, proposals from draft to merge by an owner, stale
//! bases answered with a three-way merge, restores, sections, search, git export and import.

use prospector_app::Actor;
use prospector_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestDb, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{app_with_admin, error_of, form_login};

on_both_backends!(
    xss_payloads_are_rendered_inert_in_pages_and_the_api,
    a_proposal_goes_from_draft_to_merged_by_an_owner_and_others_get_403,
    merging_onto_a_stale_base_is_409_with_the_three_way_merge,
    any_revision_is_restored_by_a_new_proposal,
    sections_are_served_as_fragments_and_json_and_pages_are_searchable,
    export_writes_one_git_commit_per_merged_revision,
    import_reports_files_that_are_not_utf8_and_imports_the_rest,
    the_demo_has_the_starting_handbook_owned_by_the_lead_and_stories,
    a_revision_page_shows_its_diff_against_the_previous_revision,
);

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

/// Proposes, approves and merges `body` as `slug` with `client` (an owner or admin).
async fn publish(client: &ApiClient, slug: &str, body: &str) -> Value {
    let r = client
        .post(
            "/api/v1/handbook/proposals",
            &json!({"slug": slug, "body": body, "message": format!("Write {slug}"), "submit": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = json_of(r).await["id"].as_str().unwrap().to_owned();
    let r = client
        .post(&format!("/api/v1/handbook/proposals/{id}/approve"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = client
        .post(&format!("/api/v1/handbook/proposals/{id}/merge"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    json_of(r).await
}

/// The first dangerous thing in the markup of `html` (tags and attributes; text may mention anything).
fn dangerous(html: &str) -> Option<String> {
    let lower = html.to_lowercase();
    for tag in [
        "<script",
        "<iframe",
        "<svg",
        "<object",
        "<embed",
        "<style",
        "<form action=\"javascript",
        "<math",
        "<base",
        "<meta http",
    ] {
        if lower.contains(tag) {
            return Some(tag.to_owned());
        }
    }
    let mut rest = lower.as_str();
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>').unwrap_or(after.len());
        let tag = &after[..end];
        for word in tag.split(|c: char| c.is_whitespace() || c == '/') {
            let name = word.split('=').next().unwrap_or("");
            if name.starts_with("on") && word.contains('=') {
                return Some(format!("event handler in <{tag}>"));
            }
        }
        for scheme in ["javascript:", "vbscript:", "data:text"] {
            if tag.contains(scheme) {
                return Some(format!("{scheme} in <{tag}>"));
            }
        }
        rest = &after[end..];
    }
    None
}

const XSS: [&str; 20] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<details open ontoggle=alert(1)>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<scr<script>ipt>alert(1)</script>",
    "[x](https://ok.example \"title\" onmouseover=alert(1))",
];

async fn xss_payloads_are_rendered_inert_in_pages_and_the_api(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let body = format!(
        "# Payloads\n\n{}\n\n| a |\n|---|\n| {} |\n",
        XSS.join("\n\n"),
        XSS[1]
    );
    publish(&admin, "payloads", &body).await;

    let page = json_of(admin.get("/api/v1/handbook/pages/payloads").send().await.unwrap()).await;
    let html = page["html"].as_str().unwrap();
    assert_eq!(dangerous(html), None, "API html: {html}");
    assert!(html.contains("Payloads"));

    let browser = app.browser();
    form_login(&app, &browser, "admin@example.com", TEST_PASSWORD).await;
    let r = browser.get(app.url("/handbook/payloads")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    let article_start = text.find("id=\"handbook-body\"").unwrap();
    let article = &text[article_start..text[article_start..].find("</article>").unwrap() + article_start];
    assert_eq!(dangerous(article), None, "page html: {article}");
    // The layout's own script tag is outside the article; the payloads never are.
    assert!(!text.contains("alert(1)</script>"));

    // Each payload on its own, through the section fragment too.
    for (i, payload) in XSS.iter().enumerate() {
        let slug = format!("xss-{i}");
        publish(&admin, &slug, &format!("# Case\n\n{payload}\n")).await;
        let fragment = browser
            .get(app.url(&format!("/handbook/{slug}/section/case")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(dangerous(&fragment), None, "payload {payload:?} → {fragment}");
    }
}

async fn a_proposal_goes_from_draft_to_merged_by_an_owner_and_others_get_403(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    app.app.seed_default_handbook(&Actor::cli()).await.unwrap();
    let (lead, lead_api) = app.api_client("lead@example.com", "team_lead").await;
    let (_, sam) = app.api_client("sam@example.com", "sdr").await;
    let (_, priya) = app.api_client("priya@example.com", "sdr").await;
    let r = admin
        .request(
            reqwest::Method::PUT,
            "/api/v1/handbook/pages/qualification/owners",
        )
        .json(&json!({"owner_ids": [lead.id.to_string()]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let page = json_of(
        sam.get("/api/v1/handbook/pages/qualification")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let base = page["revision_id"].as_str().unwrap().to_owned();
    let new_body = page["markdown"].as_str().unwrap().replace(
        "Two of the four are enough",
        "Two of the four (any two) are enough",
    );
    let r = sam
        .post(
            "/api/v1/handbook/proposals",
            &json!({"slug": "qualification", "body": new_body, "message": "Clarify soft-BANT", "base_revision_id": base}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let proposal = json_of(r).await;
    assert_eq!(proposal["status"], "draft");
    let id = proposal["id"].as_str().unwrap().to_owned();

    let r = sam
        .post(&format!("/api/v1/handbook/proposals/{id}/submit"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(r).await["status"], "in_review");
    let r = priya
        .post(
            &format!("/api/v1/handbook/proposals/{id}/comments"),
            &json!({"body": "Looks right to me"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    for who in [&sam, &priya] {
        let r = who
            .post(&format!("/api/v1/handbook/proposals/{id}/approve"), &json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let r = lead_api
        .post(&format!("/api/v1/handbook/proposals/{id}/approve"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(r).await["status"], "approved");
    let r = sam
        .post(&format!("/api/v1/handbook/proposals/{id}/merge"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(r).await["code"], "forbidden");

    app.clock.advance(chrono::Duration::minutes(5));
    let r = lead_api
        .post(&format!("/api/v1/handbook/proposals/{id}/merge"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let merged = json_of(r).await;
    assert_eq!(merged["proposal"]["status"], "merged");
    assert_eq!(merged["revision"]["number"], 2);
    assert_eq!(merged["revision"]["merger_name"], "Test team_lead");

    let page = json_of(
        sam.get("/api/v1/handbook/pages/qualification")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page["html"].as_str().unwrap().contains("(any two)"));
    let detail = json_of(
        sam.get(&format!("/api/v1/handbook/proposals/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(detail["comments"][0]["body"], "Looks right to me");
    assert!(
        detail["diff"][0]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["change"] == "added")
    );
    let history = json_of(
        sam.get("/api/v1/handbook/pages/qualification/revisions")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["message"], "Clarify soft-BANT");
    assert_eq!(items[0]["author_name"], "Test sdr");

    // The proposal page shows the diff and, for the owner, the merge controls are gone once merged.
    let browser = app.browser();
    form_login(&app, &browser, "lead@example.com", TEST_PASSWORD).await;
    let html = browser
        .get(app.url(&format!("/handbook/proposals/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("class=\"add\"") && html.contains("(any two)"),
        "{html}"
    );
    assert!(html.contains("name=\"csrf_token\""));
}

async fn merging_onto_a_stale_base_is_409_with_the_three_way_merge(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    publish(&admin, "calls", "# Calls\n\nOne.\n\nTwo.\n\nThree.\n").await;
    let page = json_of(admin.get("/api/v1/handbook/pages/calls").send().await.unwrap()).await;
    let base = page["revision_id"].as_str().unwrap().to_owned();
    let propose = |body: &str, message: &str| json!({"slug": "calls", "body": body, "message": message, "base_revision_id": base, "submit": true});
    let a = json_of(
        admin
            .post(
                "/api/v1/handbook/proposals",
                &propose("# Calls\n\nOne.\n\nTwo (current).\n\nThree.\n", "A"),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    let b = json_of(
        admin
            .post(
                "/api/v1/handbook/proposals",
                &propose("# Calls\n\nOne.\n\nTwo (proposed).\n\nThree.\n", "B"),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (a, b) = (
        a["id"].as_str().unwrap().to_owned(),
        b["id"].as_str().unwrap().to_owned(),
    );
    for id in [&a, &b] {
        admin
            .post(&format!("/api/v1/handbook/proposals/{id}/approve"), &json!({}))
            .send()
            .await
            .unwrap();
    }
    let r = admin
        .post(&format!("/api/v1/handbook/proposals/{a}/merge"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let current = json_of(r).await["revision"]["id"].as_str().unwrap().to_owned();

    let r = admin
        .post(&format!("/api/v1/handbook/proposals/{b}/merge"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body = json_of(r).await;
    assert_eq!(body["error"]["code"], "stale_base");
    assert_eq!(body["merge"]["current_revision_id"], current.as_str());
    assert_eq!(body["merge"]["base_revision_id"], base.as_str());
    assert_eq!(body["merge"]["merge"]["outcome"], "conflicts");
    let conflict = &body["merge"]["merge"]["conflicts"][0];
    assert_eq!(conflict["base"], "Two.\n");
    assert_eq!(conflict["current"], "Two (current).\n");
    assert_eq!(conflict["proposed"], "Two (proposed).\n");
    assert!(!body["merge"]["base_to_current"].as_array().unwrap().is_empty());

    // The page is unchanged; resolving and rebasing sends it back to review, then it merges.
    let page = json_of(admin.get("/api/v1/handbook/pages/calls").send().await.unwrap()).await;
    assert_eq!(page["revision_id"], current.as_str());
    let r = admin
        .patch(
            &format!("/api/v1/handbook/proposals/{b}"),
            &json!({"body": "# Calls\n\nOne.\n\nTwo (both).\n\nThree.\n", "base_revision_id": current}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(r).await["status"], "in_review");
    admin
        .post(&format!("/api/v1/handbook/proposals/{b}/approve"), &json!({}))
        .send()
        .await
        .unwrap();
    let r = admin
        .post(&format!("/api/v1/handbook/proposals/{b}/merge"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn any_revision_is_restored_by_a_new_proposal(db: TestDb) {
    let (_app, admin) = app_with_admin(db).await;
    publish(&admin, "cadence", "# Cadence\n\nEight steps.\n").await;
    publish(&admin, "cadence", "# Cadence\n\nNine steps.\n").await;
    let history = json_of(
        admin
            .get("/api/v1/handbook/pages/cadence/revisions")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let first = history["items"][1]["id"].as_str().unwrap().to_owned();
    let r = admin
        .post(
            &format!("/api/v1/handbook/pages/cadence/revisions/{first}/restore"),
            &json!({}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let proposal = json_of(r).await;
    assert_eq!(proposal["status"], "in_review");
    assert_eq!(proposal["restores_revision_id"], first.as_str());
    assert_eq!(proposal["body"], "# Cadence\n\nEight steps.\n");
    let id = proposal["id"].as_str().unwrap();
    admin
        .post(&format!("/api/v1/handbook/proposals/{id}/approve"), &json!({}))
        .send()
        .await
        .unwrap();
    let r = admin
        .post(&format!("/api/v1/handbook/proposals/{id}/merge"), &json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(r).await["revision"]["number"], 3);
    let page = json_of(admin.get("/api/v1/handbook/pages/cadence").send().await.unwrap()).await;
    assert!(page["html"].as_str().unwrap().contains("Eight steps."));
}

async fn sections_are_served_as_fragments_and_json_and_pages_are_searchable(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    app.app.seed_default_handbook(&Actor::cli()).await.unwrap();
    let r = admin
        .get("/api/v1/handbook/pages/lead-lifecycle/sections/disqualified")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let section = json_of(r).await;
    assert_eq!(section["heading"], "Disqualified");
    assert_eq!(section["url"], "/handbook/lead-lifecycle#disqualified");
    assert!(section["html"].as_str().unwrap().contains("Competitor"));
    assert!(
        !section["html"].as_str().unwrap().contains("Recycled leads"),
        "only the section"
    );
    let r = admin
        .get("/api/v1/handbook/pages/lead-lifecycle/sections/nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let page = json_of(
        admin
            .get("/api/v1/handbook/pages/qualification")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let toc: Vec<&str> = page["toc"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["anchor"].as_str().unwrap())
        .collect();
    assert!(toc.contains(&"soft-bant") && toc.contains(&"aift"), "{toc:?}");
    assert!(
        page["html"]
            .as_str()
            .unwrap()
            .contains("href=\"/handbook/ae-handoff#booking-the-meeting\"")
    );

    let hits = json_of(
        admin
            .get("/api/v1/handbook/search?q=VOICEMAIL")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let slugs: Vec<&str> = hits["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["slug"].as_str().unwrap())
        .collect();
    assert!(slugs.contains(&"outbound-cadence"), "{slugs:?}");
    let hits = app.app.search_handbook(&Actor::cli(), "100%", 10).await.unwrap();
    assert!(hits.is_empty(), "LIKE wildcards are literal: {hits:?}");

    let browser = app.browser();
    form_login(&app, &browser, "admin@example.com", TEST_PASSWORD).await;
    let fragment = browser
        .get(app.url("/handbook/qualification/section/soft-bant"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        fragment.starts_with("<section class=\"hb-section\""),
        "{fragment}"
    );
    assert!(fragment.contains("Budget") && !fragment.contains("Initiative"));
    let index = browser
        .get(app.url("/handbook?q=routing"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("Inbound SLA and routing") && index.contains("/handbook/qualification#soft-bant"));
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("prospector-{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn export_writes_one_git_commit_per_merged_revision(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, lead) = app.api_client("lead@example.com", "admin").await;
    publish(&lead, "calls", "# Calls\n\nOne.\n").await;
    app.clock.advance(chrono::Duration::hours(1));
    publish(&lead, "calls", "# Calls\n\nOne and two.\n").await;
    app.clock.advance(chrono::Duration::hours(1));
    publish(&lead, "routing", "---\ntitle: Routing\n---\n# Routing\n").await;

    let dir = temp_dir("export").join("repo");
    let summary = app.app.export_handbook_git(&Actor::cli(), &dir).await.unwrap();
    assert_eq!((summary.commits, summary.pages), (3, 2));
    let log = std::process::Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["log", "--reverse", "--format=%an|%ae|%at|%s"])
        .output()
        .unwrap();
    assert!(log.status.success(), "{}", String::from_utf8_lossy(&log.stderr));
    let log = String::from_utf8(log.stdout).unwrap();
    let start = prospector_testkit::default_start().timestamp();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(
        lines,
        [
            format!("Test admin|lead@example.com|{start}|Write calls"),
            format!("Test admin|lead@example.com|{}|Write calls", start + 3600),
            format!("Test admin|lead@example.com|{}|Write routing", start + 7200),
        ]
    );
    let calls = std::fs::read_to_string(dir.join("calls.md")).unwrap();
    assert_eq!(calls, "---\ntitle: \"Calls\"\n---\n\n# Calls\n\nOne and two.\n");
    assert_eq!(
        std::fs::read_to_string(dir.join("routing.md")).unwrap(),
        "---\ntitle: Routing\n---\n# Routing\n"
    );
    // A second export refuses to overwrite.
    assert!(app.app.export_handbook_git(&Actor::cli(), &dir).await.is_err());
    let _ = std::fs::remove_dir_all(dir.parent().unwrap());
}

async fn import_reports_files_that_are_not_utf8_and_imports_the_rest(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    let dir = temp_dir("import");
    std::fs::write(
        dir.join("objections.md"),
        "---\ntitle: Handling objections\nowner: dana\n---\n# Objections\n\nListen first.\n",
    )
    .unwrap();
    std::fs::write(dir.join("latin1.md"), b"# Caf\xe9\n\nna\xefve\n").unwrap();
    std::fs::write(dir.join("Bad Name.md"), "# Spaces\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "not markdown, ignored").unwrap();

    let report = app
        .app
        .import_handbook_dir(&Actor::cli(), &dir, false)
        .await
        .unwrap();
    let failed: Vec<&str> = report.failed.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(failed, ["Bad Name.md", "latin1.md"], "{report:?}");
    assert!(report.failed[1].reason.contains("UTF-8"));
    assert_eq!(report.imported.len(), 1);
    assert_eq!(report.imported[0].outcome, "proposed");
    let id = report.imported[0].proposal_id.unwrap();
    let proposal = json_of(
        admin
            .get(&format!("/api/v1/handbook/proposals/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(proposal["proposal"]["status"], "in_review");
    assert_eq!(proposal["proposal"]["title"], "Handling objections");
    assert!(
        proposal["proposal"]["body"]
            .as_str()
            .unwrap()
            .starts_with("---\ntitle: Handling objections\nowner: dana\n---\n")
    );
    let r = admin
        .get("/api/v1/handbook/pages/objections")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "a proposal is not a page yet");

    let report = app
        .app
        .import_handbook_dir(&Actor::cli(), &dir, true)
        .await
        .unwrap();
    assert_eq!(report.failed.len(), 2);
    assert_eq!(report.imported[0].outcome, "merged");
    let page = json_of(
        admin
            .get("/api/v1/handbook/pages/objections")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["title"], "Handling objections");
    assert!(
        page["markdown"].as_str().unwrap().contains("owner: dana"),
        "front matter kept"
    );
    assert!(
        !page["html"].as_str().unwrap().contains("owner"),
        "front matter not rendered"
    );
    let again = app
        .app
        .import_handbook_dir(&Actor::cli(), &dir, true)
        .await
        .unwrap();
    assert_eq!(again.imported[0].outcome, "unchanged");
    let _ = std::fs::remove_dir_all(&dir);
}

async fn the_demo_has_the_starting_handbook_owned_by_the_lead_and_stories(db: TestDb) {
    let app = TestApp::spawn(db).await;
    assert!(app.app.seed_demo().await.unwrap());
    let pages = app.app.list_handbook_pages(&Actor::cli()).await.unwrap();
    assert_eq!(pages.len(), 8);
    let view = app
        .app
        .handbook_page(&Actor::cli(), "hiring-process")
        .await
        .unwrap();
    assert_eq!(view.owners[0].name, "Dana Whitfield");
    let stories = app
        .app
        .list_stories(&Actor::cli(), &Default::default(), None, 100)
        .await
        .unwrap();
    assert_eq!(stories.len(), 3);
    assert!(stories.iter().any(|s| s.stage == "interviewed"));
}

async fn a_revision_page_shows_its_diff_against_the_previous_revision(db: TestDb) {
    let (app, admin) = app_with_admin(db).await;
    publish(&admin, "calls", "# Calls\n\nSay hello.\nAsk one question.\n").await;
    publish(&admin, "calls", "# Calls\n\nSay hello.\nAsk two questions.\n").await;
    let revisions = json_of(
        admin
            .get("/api/v1/handbook/pages/calls/revisions")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let items = revisions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let newest = items[0]["id"].as_str().unwrap().to_owned();
    let first = items[1]["id"].as_str().unwrap().to_owned();
    let browser = app.browser();
    form_login(&app, &browser, "admin@example.com", TEST_PASSWORD).await;
    let get = |path: String| {
        let b = browser.clone();
        let url = app.url(&path);
        async move {
            let r = b.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, history) = get("/handbook/calls/history".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(history.contains(&format!(r#"href="/handbook/calls/revisions/{newest}""#)));

    let (status, page) = get(format!("/handbook/calls/revisions/{newest}")).await;
    assert_eq!(status, StatusCode::OK);
    let diff = &page[page.find(r#"id="revision-diff""#).unwrap()..];
    assert!(diff.contains("Changes from revision 1"));
    assert!(diff.contains(r#"<tr class="del">"#) && diff.contains("<code>Ask one question.</code>"));
    assert!(diff.contains(r#"<tr class="add">"#) && diff.contains("<code>Ask two questions.</code>"));
    assert!(diff.contains("<code>Say hello.</code>"), "context lines");

    let (status, page) = get(format!("/handbook/calls/revisions/{first}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("The first text") && page.contains("<code>Ask one question.</code>"));
    assert!(!page.contains(r#"<tr class="del">"#));

    let (status, _) = get("/handbook/calls/revisions/00000000-0000-0000-0000-000000000000".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
