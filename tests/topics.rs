//! Topics through MSK's own topic APIs (the real SDK against the fake MSK): the list,
//! paged by MSK and by the console, filtered; a topic's page with its decoded
//! configuration and partitions; and what the page says where MSK cannot list topics
//! (serverless, Kafka before 3.6, a missing permission).

use crate::support;

use std::collections::HashMap;

use fake_msk::{Cluster as Fake, Config as FakeConfig, FakeMsk, Op, Partition, Topic};
use serde_json::Value;
use support::{aws_source, TestApp};

async fn app_on(fake: &FakeMsk) -> TestApp {
    TestApp::spawn_with(
        vec![aws_source("prod", &fake.url(), &["eu-west-1", "us-east-1"])],
        |c| {
            c.no_topics = false;
        },
    )
    .await
}

/// The cluster's topics once the topic refresh has read (or tried to read) them.
async fn topics_of(app: &TestApp, id: &str, query: &str) -> Value {
    support::eventually(
        "the topic refresh to read the cluster's topics",
        support::PATIENCE,
        || async {
            let (status, v) = app
                .get_json(&format!("/api/clusters/{id}/topics{query}"))
                .await;
            if status == 200 && (v["checked_at"].is_string() || v["problem"].is_string()) {
                Ok(v)
            } else {
                Err(format!("{status}: {v}"))
            }
        },
    )
    .await
}

fn names(v: &Value) -> Vec<String> {
    v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn topics_are_listed_paged_filtered_and_described_from_msk() {
    let mut orders = Fake::provisioned("orders", "eu-west-1");
    // 120 topics: MSK pages them (20 a page here), the console 50 a page.
    orders.topics = (0..118)
        .map(|i| Topic::new(&format!("events.t{i:03}"), 3, 3))
        .collect();
    let mut lagging = Topic::new("payments.v2_x-1", 4, 3);
    lagging.partitions[2] = Partition {
        leader: 2,
        replicas: vec![1, 2, 3],
        isr: vec![2],
    };
    lagging.configs = vec![
        ("retention.ms".into(), "86400000".into()),
        ("cleanup.policy".into(), "delete".into()),
        ("x.note".into(), "one\nretention.ms=1".into()),
    ];
    orders.topics.push(lagging);
    let long = "l".repeat(249);
    let mut props = Topic::new(&long, 1, 1);
    props.configs_as_properties = true;
    props.configs = vec![("compression.type".into(), "zstd".into())];
    orders.topics.push(props);
    // A name Kafka would never allow, as a hostile answer could carry it: shown as text,
    // never as markup or a link.
    orders
        .topics
        .push(Topic::new("zz<script>alert(1)</script>/..", 1, 1));
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![orders],
        page_size: 20,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = app_on(&fake).await;
    let inv = app.refreshed(1).await;
    let id = inv.clusters[0].id.to_string();

    let first = topics_of(&app, &id, "").await;
    assert_eq!(first["total"], 121, "{first}");
    assert_eq!(first["pages"], 3);
    // Out-of-sync topics first.
    assert_eq!(names(&first)[0], "payments.v2_x-1");
    assert_eq!(first["topics"][0]["out_of_sync_replicas"], 2);
    assert_eq!(first["topics"].as_array().unwrap().len(), 50);
    let (_, third) = app
        .get_json(&format!("/api/clusters/{id}/topics?page=3"))
        .await;
    assert_eq!(third["topics"].as_array().unwrap().len(), 21, "{third}");
    let hostile = app.page(&format!("/clusters/{id}?topics=zz&tpage=1")).await;
    assert!(
        hostile.contains("zz&lt;script&gt;alert(1)&lt;/script&gt;/.."),
        "not shown as text"
    );
    assert!(
        !hostile.contains("<script>alert(1)"),
        "markup reached the page"
    );
    assert!(
        !hostile.contains("/topics/zz"),
        "a link for a name Kafka would not allow"
    );
    let (_, filtered) = app
        .get_json(&format!("/api/clusters/{id}/topics?q=T11"))
        .await;
    assert_eq!(
        names(&filtered),
        (110..118)
            .map(|i| format!("events.t{i:03}"))
            .collect::<Vec<_>>()
    );
    let (status, bad) = app
        .get_json(&format!("/api/clusters/{id}/topics?page=0"))
        .await;
    assert_eq!(status, 400, "{bad}");

    // One topic in full: the JSON configuration decoded, what differs from Kafka's
    // defaults marked, out-of-sync partitions first.
    let (status, t) = app
        .get_json(&format!("/api/clusters/{id}/topics/payments.v2_x-1"))
        .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["status"], "ACTIVE");
    assert_eq!(t["summary"]["partitions"], 4);
    assert_eq!(t["partitions"][0]["partition"], 2);
    assert_eq!(t["partitions"][0]["isr"], serde_json::json!([2]));
    let cfg = |key: &str| {
        t["configs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(cfg("retention.ms")["default"], "604800000");
    assert!(cfg("cleanup.policy").get("default").is_none());
    // The properties form (AWS's CLI example) reads too.
    let (status, p) = app
        .get_json(&format!("/api/clusters/{id}/topics/{long}"))
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["configs"][0]["key"], "compression.type");
    assert_eq!(p["configs"][0]["default"], "producer");

    // The pages: the topics section (filtered through the URL) and the topic's page,
    // where a value with a line break cannot forge a second line.
    let page = app.page(&format!("/clusters/{id}?topics=payments")).await;
    assert!(page.contains("id=\"topic-table\""), "no topic table");
    assert!(
        page.contains("href=\"/clusters/") && page.contains("/topics/payments.v2_x-1\""),
        "no link"
    );
    assert!(!page.contains("events.t000"), "the filter was not applied");
    let topic_page = app
        .page(&format!("/clusters/{id}/topics/payments.v2_x-1"))
        .await;
    assert!(
        topic_page.contains("retention.ms=86400000"),
        "config missing"
    );
    assert!(
        topic_page.contains("x.note=one\\nretention.ms=1"),
        "a value broke its line"
    );
    assert!(topic_page.contains("id=\"partition-table\""));

    // Names that are not there, or cannot be topic names: a 404 that says so, without
    // asking MSK for names the last listing did not hold.
    // Only a topic's page asks DescribeTopicPartitions (the listings and their rotation
    // through configurations do not), so its count says whether MSK was asked.
    let described = || async {
        let m = app.get("/metrics").await.text().await.unwrap();
        m.lines()
            .filter(|l| l.contains("operation=\"DescribeTopicPartitions\""))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    let calls = described().await;
    assert!(calls >= 2.0, "the two pages above asked MSK: {calls}");
    for name in ["missing", "%3Cb%3Ex%3C%3Eb", "a%20b", "x.y.missing"] {
        let (status, e) = app
            .get_json(&format!("/api/clusters/{id}/topics/{name}"))
            .await;
        assert_eq!(status, 404, "{name}: {e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains("topic"),
            "{e}"
        );
    }
    assert_eq!(
        described().await,
        calls,
        "a name MSK did not list was asked for"
    );
    let r = app.get(&format!("/clusters/{id}/topics/missing")).await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("has no topic"));
}

#[tokio::test]
async fn where_msk_cannot_list_topics_the_cluster_page_says_why() {
    let mut old = Fake::provisioned("legacy", "eu-west-1");
    old.kafka_version = "3.5.1".into();
    old.topics = vec![Topic::new("t", 1, 1)];
    // In a region of its own, where ListTopics is denied.
    let denied = Fake::provisioned("locked", "us-east-1");
    let serverless = Fake::serverless("events", "eu-west-1");
    // Topics listed, but their configurations may not be read (DescribeTopic denied).
    let mut configless = Fake::provisioned("configless", "eu-west-1");
    configless.topics = vec![Topic::new("t", 1, 1)];
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![old, denied, serverless, configless],
        failures: HashMap::from([
            (("us-east-1".to_string(), Op::ListTopics), 403),
            (("eu-west-1".to_string(), Op::DescribeTopic), 403),
        ]),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = app_on(&fake).await;
    let inv = app.refreshed(1).await;
    let id = |name: &str| {
        inv.clusters
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .id
            .to_string()
    };
    let problem = |v: &Value| v["problem"].as_str().unwrap_or("").to_string();
    let locked = topics_of(&app, &id("locked"), "").await;
    assert!(
        problem(&locked).contains("kafka-cluster:DescribeTopic"),
        "{locked}"
    );
    let legacy = topics_of(&app, &id("legacy"), "").await;
    assert!(problem(&legacy).contains("3.6"), "{legacy}");
    let configless = support::eventually(
        "the topic listing of configless, with why its configurations are not read",
        support::PATIENCE,
        || async {
            let (_, v) = app
                .get_json(&format!("/api/clusters/{}/topics", id("configless")))
                .await;
            if v["configs_problem"].is_string() {
                Ok(v)
            } else {
                Err(v.to_string())
            }
        },
    )
    .await;
    assert_eq!(names(&configless), ["t"]);
    assert!(
        configless["configs_problem"]
            .as_str()
            .unwrap()
            .contains("kafka-cluster:DescribeTopic"),
        "{configless}"
    );
    let events = topics_of(&app, &id("events"), "").await;
    assert!(problem(&events).contains("serverless"), "{events}");
    // The page works and says why.
    let page = app.page(&format!("/clusters/{}", id("events"))).await;
    assert!(
        page.contains("id=\"topics-problem\""),
        "no reason on the page"
    );
    assert!(
        page.contains("id=\"bootstrap"),
        "the rest of the page is missing"
    );
    // The fake answers a serverless cluster as MSK does.
    let (status, e) = app
        .get_json(&format!("/api/clusters/{}/topics/anything", id("events")))
        .await;
    assert_eq!(status, 404, "{e}");
}

#[tokio::test]
async fn the_history_records_topics_added_removed_resized_and_falling_out_of_sync() {
    let mut orders = Fake::provisioned("orders", "eu-west-1");
    orders.topics = vec![
        Topic::new("orders", 3, 3),
        Topic::new("payments", 3, 3),
        Topic::new("old", 1, 3),
    ];
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![orders],
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = app_on(&fake).await;
    let inv = app.refreshed(1).await;
    let id = inv.clusters[0].id.to_string();
    let history_with = |want: &'static str| {
        let app = &app;
        let id = id.clone();
        async move {
            support::eventually(
                &format!("the cluster's history to hold a change with `{want}`"),
                support::PATIENCE,
                || async {
                    let (_, h) = app.get_json(&format!("/api/clusters/{id}/history")).await;
                    let entries = h["entries"].as_array().cloned().unwrap_or_default();
                    entries
                        .iter()
                        .find(|e| e["summary"].as_str().unwrap_or("").contains(want))
                        .cloned()
                        .ok_or_else(|| {
                            format!(
                                "summaries so far: {:?}",
                                entries
                                    .iter()
                                    .map(|e| e["summary"].clone())
                                    .collect::<Vec<_>>()
                            )
                        })
                },
            )
            .await
        }
    };
    let first = history_with("3 topics").await;
    assert!(
        first["kinds"]
            .as_array()
            .unwrap()
            .contains(&"topics".into()),
        "{first}"
    );
    // A new topic, one gone, one resized, one out of sync: the next listing records
    // them, with their own kinds.
    fake.update(|c| {
        let t = &mut c.clusters[0].topics;
        t.retain(|t| t.name != "old");
        t.push(Topic::new("new", 6, 3));
        t[0].partitions.push(Partition {
            leader: 1,
            replicas: vec![1, 2, 3],
            isr: vec![1, 2, 3],
        });
        t[1].partitions[0].isr = vec![1];
        t[1].configs = vec![
            ("cleanup.policy".into(), "delete".into()),
            ("retention.ms".into(), "86400000".into()),
        ];
    });
    let r = app
        .client
        .post(format!("{}/api/refresh", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let change = history_with("Topic new added").await;
    let kinds = change["kinds"].as_array().unwrap();
    assert!(
        ["topics", "topic-replicas", "topic-config"]
            .iter()
            .all(|k| kinds.contains(&(*k).into())),
        "{change}"
    );
    let (_, diff) = app.get_json(&format!("/api/clusters/{id}/diff")).await;
    let text = diff.to_string();
    for want in [
        "Topic old",
        "Topic orders partitions",
        "replicas out of sync",
        // Configurations are read in rotation (20 topics a listing by default: all of
        // them here), and a changed setting is a line of its own.
        "Topic payments retention.ms",
    ] {
        assert!(text.contains(want), "{want}: {diff}");
    }
    // The timeline filters on the new kinds.
    let (status, filtered) = app
        .get_json(&format!("/api/changes?cluster={id}&kind=topic-replicas"))
        .await;
    assert_eq!(status, 200, "{filtered}");
    assert_eq!(
        filtered["entries"].as_array().unwrap().len(),
        1,
        "{filtered}"
    );
}
