//! The store behaves the same on SQLite and PostgreSQL: values round-trip exactly, conflicts are
//! classified, writers never trip over each other, and outbox items are claimed once.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use prospector_store::outbox::{self, NewItem};
use prospector_store::{Exec, Store, StoreError, query};
use prospector_testkit::{TestDb, on_both_backends};
use uuid::Uuid;

on_both_backends!(
    values_round_trip_exactly_including_typed_nulls,
    unique_violations_are_conflicts_and_roll_back_cleanly,
    concurrent_write_transactions_all_commit,
    outbox_items_are_claimed_by_one_worker_only,
    failed_outbox_items_back_off_and_give_up_after_max_attempts,
    migrating_twice_changes_nothing,
    held_writes_are_seen_by_the_next_statement_and_fail_the_transaction,
);

async fn scratch(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    let sql = match tx.backend() {
        prospector_store::Backend::Sqlite => {
            "CREATE TABLE scratch (id BLOB PRIMARY KEY, at TEXT, day TEXT, n INTEGER, x REAL, flag INTEGER, doc TEXT, label TEXT UNIQUE)"
        }
        prospector_store::Backend::Postgres => {
            "CREATE TABLE scratch (id UUID PRIMARY KEY, at TIMESTAMPTZ, day DATE, n BIGINT, x DOUBLE PRECISION, flag BOOLEAN, doc JSONB, label TEXT UNIQUE)"
        }
    };
    tx.execute(query(sql)).await.unwrap();
    tx.commit().await.unwrap();
}

async fn values_round_trip_exactly_including_typed_nulls(db: TestDb) {
    let store = db.store().await;
    scratch(&store).await;
    let id = Uuid::now_v7();
    let at = Utc.with_ymd_and_hms(2026, 11, 25, 13, 45, 7).unwrap() + Duration::microseconds(123_456);
    let day = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
    let doc = serde_json::json!({"stack": ["gitlab", "jenkins"], "developers": 120});
    let mut tx = store.begin().await.unwrap();
    tx.execute(
        query("INSERT INTO scratch (id, at, day, n, x, flag, doc, label) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(id)
            .bind(at)
            .bind(day)
            .bind(i64::MAX)
            .bind(0.1f64)
            .bind(true)
            .bind(doc.clone())
            .bind("Zoë's ünïcode ☎"),
    )
    .await
    .unwrap();
    let other = Uuid::now_v7();
    tx.execute(
        query("INSERT INTO scratch (id, at, day, n, x, flag, doc, label) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(other)
            .bind(None::<DateTime<Utc>>)
            .bind(None::<NaiveDate>)
            .bind(None::<i64>)
            .bind(None::<f64>)
            .bind(None::<bool>)
            .bind(None::<serde_json::Value>)
            .bind(None::<String>),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let row = store
        .reader()
        .fetch_one(query("SELECT * FROM scratch WHERE id = $1").bind(id))
        .await
        .unwrap();
    assert_eq!(row.get::<Uuid>("id").unwrap(), id);
    assert_eq!(row.get::<DateTime<Utc>>("at").unwrap(), at);
    assert_eq!(row.get::<NaiveDate>("day").unwrap(), day);
    assert_eq!(row.get::<i64>("n").unwrap(), i64::MAX);
    assert!((row.get::<f64>("x").unwrap() - 0.1).abs() < f64::EPSILON);
    assert!(row.get::<bool>("flag").unwrap());
    assert_eq!(row.get::<serde_json::Value>("doc").unwrap(), doc);
    assert_eq!(row.get::<String>("label").unwrap(), "Zoë's ünïcode ☎");

    let nulls = store
        .reader()
        .fetch_one(query("SELECT * FROM scratch WHERE id = $1").bind(other))
        .await
        .unwrap();
    assert_eq!(nulls.get::<Option<DateTime<Utc>>>("at").unwrap(), None);
    assert_eq!(nulls.get::<Option<serde_json::Value>>("doc").unwrap(), None);
    assert!(
        nulls.get::<String>("label").is_err(),
        "a NULL is not silently an empty string"
    );

    // Instants compare as instants in SQL on both backends.
    let later = store
        .reader()
        .fetch_all(query("SELECT id FROM scratch WHERE at > $1").bind(at - Duration::microseconds(1)))
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
}

async fn unique_violations_are_conflicts_and_roll_back_cleanly(db: TestDb) {
    let store = db.store().await;
    scratch(&store).await;
    let insert = |label: &'static str| {
        query("INSERT INTO scratch (id, label) VALUES ($1, $2)")
            .bind(Uuid::now_v7())
            .bind(label)
    };
    let mut tx = store.begin().await.unwrap();
    tx.execute(insert("taken")).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    tx.execute(insert("first of a pair")).await.unwrap();
    let err = tx.execute(insert("taken")).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    drop(tx); // rolled back: the first insert of the transaction is gone too
    let rows = store
        .reader()
        .fetch_all(query("SELECT label FROM scratch"))
        .await
        .unwrap();
    let labels: Vec<String> = rows.iter().map(|r| r.get("label").unwrap()).collect();
    assert_eq!(labels, ["taken"]);
    // And the writer is usable again.
    let mut tx = store.begin().await.unwrap();
    tx.execute(insert("after")).await.unwrap();
    tx.commit().await.unwrap();
}

async fn concurrent_write_transactions_all_commit(db: TestDb) {
    let store = db.store().await;
    scratch(&store).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            // Read, then write: the pattern that fails with "database is locked" under deferred BEGIN.
            let n: i64 = tx
                .fetch_one(query("SELECT COUNT(*) AS n FROM scratch"))
                .await
                .unwrap()
                .get("n")
                .unwrap();
            tx.execute(
                query("INSERT INTO scratch (id, n) VALUES ($1, $2)")
                    .bind(Uuid::now_v7())
                    .bind(n + i),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n: i64 = store
        .reader()
        .fetch_one(query("SELECT COUNT(*) AS n FROM scratch"))
        .await
        .unwrap()
        .get("n")
        .unwrap();
    assert_eq!(n, 40);
}

fn item(kind: &str, at: DateTime<Utc>) -> NewItem {
    NewItem {
        kind: kind.into(),
        payload: serde_json::json!({"k": kind}),
        available_at: at,
        dedupe_key: None,
        max_attempts: 3,
    }
}

async fn outbox_items_are_claimed_by_one_worker_only(db: TestDb) {
    let store = db.store().await;
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let mut tx = store.begin().await.unwrap();
    for i in 0..60 {
        outbox::enqueue(&mut tx, Uuid::now_v7(), &item(&format!("job{i}"), now), now)
            .await
            .unwrap();
    }
    // A dedupe key makes enqueueing idempotent.
    let keyed = NewItem {
        dedupe_key: Some("once".into()),
        ..item("keyed", now)
    };
    assert!(
        outbox::enqueue(&mut tx, Uuid::now_v7(), &keyed, now)
            .await
            .unwrap()
    );
    assert!(
        !outbox::enqueue(&mut tx, Uuid::now_v7(), &keyed, now)
            .await
            .unwrap()
    );
    // Not due yet: never claimed early.
    outbox::enqueue(
        &mut tx,
        Uuid::now_v7(),
        &item("later", now + Duration::hours(1)),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut workers = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let mut tx = store.begin().await.unwrap();
                let claimed = outbox::claim(&mut tx, &format!("w{w}"), now, Duration::minutes(5), 7)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                if claimed.is_empty() {
                    break;
                }
                mine.extend(claimed.into_iter().map(|c| c.id));
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 61, "every due item claimed");
    assert_eq!(unique.len(), 61, "no item claimed twice");

    // A lease that expires lets another worker retry the item.
    let mut tx = store.begin().await.unwrap();
    let again = outbox::claim(
        &mut tx,
        "late",
        now + Duration::minutes(6),
        Duration::minutes(5),
        100,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(again.len(), 61);
}

async fn failed_outbox_items_back_off_and_give_up_after_max_attempts(db: TestDb) {
    let store = db.store().await;
    let mut now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let mut tx = store.begin().await.unwrap();
    outbox::enqueue(&mut tx, Uuid::now_v7(), &item("flaky", now), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for attempt in 1..=3 {
        let mut tx = store.begin().await.unwrap();
        let claimed = outbox::claim(&mut tx, "w", now, Duration::minutes(5), 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        assert_eq!(claimed[0].attempts, attempt);
        outbox::fail(
            &mut tx,
            claimed[0].id,
            "smtp down",
            now + Duration::minutes(1),
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        assert!(
            outbox::claim(&mut tx, "w", now, Duration::minutes(5), 10)
                .await
                .unwrap()
                .is_empty(),
            "backs off"
        );
        tx.commit().await.unwrap();
        now += Duration::minutes(2);
    }
    let mut tx = store.begin().await.unwrap();
    assert!(
        outbox::claim(&mut tx, "w", now, Duration::minutes(5), 10)
            .await
            .unwrap()
            .is_empty(),
        "given up"
    );
    tx.commit().await.unwrap();
    let counts = outbox::counts(&mut store.reader()).await.unwrap();
    assert_eq!(counts, vec![("flaky".to_owned(), 0, 1, 0)]);
}

async fn migrating_twice_changes_nothing(db: TestDb) {
    let store = db.store().await;
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    let n: i64 = store
        .reader()
        .fetch_one(query("SELECT COUNT(*) AS n FROM users"))
        .await
        .unwrap()
        .get("n")
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn unsupported_urls_are_refused_with_a_clear_message() {
    let err = Store::connect("mysql://localhost/db", &Default::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unsupported database URL"), "{err}");
    let err = Store::connect(
        "postgres://app:hunter2@127.0.0.1:1/db",
        &prospector_store::StoreOptions {
            acquire_timeout: std::time::Duration::from_secs(2),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("cannot connect to PostgreSQL"), "{message}");
    assert!(
        !message.contains("hunter2"),
        "passwords never reach messages: {message}"
    );
}

/// Inserts whose results nobody reads may travel with the next statement (SQLite): the next read
/// sees them, the next count is its own, and a held insert that fails fails the transaction —
/// nothing of it is committed.
async fn held_writes_are_seen_by_the_next_statement_and_fail_the_transaction(db: TestDb) {
    let store = db.store().await;
    scratch(&store).await;
    let insert = |label: &str| {
        query("INSERT INTO scratch (id, n, label) VALUES ($1, $2, $3)")
            .bind(Uuid::now_v7())
            .bind(7i64)
            .bind(label.to_owned())
    };
    let mut tx = store.begin().await.unwrap();
    tx.write(insert("a")).await.unwrap();
    tx.write(insert("b")).await.unwrap();
    let seen = tx
        .fetch_all(query("SELECT label FROM scratch WHERE n = $1 ORDER BY label").bind(7i64))
        .await
        .unwrap();
    let labels: Vec<String> = seen.iter().map(|r| r.get("label").unwrap()).collect();
    assert_eq!(labels, ["a", "b"]);
    tx.write(insert("c")).await.unwrap();
    let changed = tx
        .execute(query("UPDATE scratch SET n = 8 WHERE label = $1").bind("a"))
        .await
        .unwrap();
    assert_eq!(changed, 1, "the count is the update's, not the held insert's too");
    tx.write(insert("d")).await.unwrap();
    tx.commit().await.unwrap();
    let count = |store: Store| async move {
        store
            .reader()
            .fetch_one(query("SELECT COUNT(*) AS n FROM scratch"))
            .await
            .unwrap()
            .get::<i64>("n")
            .unwrap()
    };
    assert_eq!(count(store.clone()).await, 4, "the last held write is committed");

    // An insert that breaks a constraint is reported — at once on PostgreSQL, by the commit where
    // SQLite held it — and nothing of the transaction is kept.
    let mut tx = store.begin().await.unwrap();
    tx.write(insert("e")).await.unwrap();
    let err = match tx.write(insert("a")).await {
        Err(e) => e,
        Ok(()) => tx.commit().await.unwrap_err(),
    };
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(count(store.clone()).await, 4);
}
