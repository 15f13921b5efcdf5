//! CloudWatch, read through the real `aws-sdk-cloudwatch` from moto's server: clusters
//! without open monitoring (and serverless ones) judged on every page, alarm coverage,
//! the CloudFormation template (checked by cfn-lint), the history, hostile names, a
//! metric without datapoints, a missing permission and throttling.

use crate::support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::model::Inventory;
use fake_msk::{Cluster as Fake, Config as FakeConfig, FakeMsk};
use msk_console::inventory::sources::Source;
use serde_json::Value;
use support::moto::Moto;
use support::{aws_source, tools, TestApp};

const REGION: &str = "eu-west-1";
const HOSTILE_GROUP: &str = "<script>alert(1)</script>\r\nbilling";
const HOSTILE_ALARM: &str = "<b>disk</b>\r\nInjected: yes";

/// An AWS source on the fake MSK whose CloudWatch is `cloudwatch`.
fn source(msk: &str, cloudwatch: &str) -> Source {
    let mut s = aws_source("prod", msk, &[REGION]);
    if let Source::Aws(a) = &mut s {
        a.cloudwatch_endpoint_url = Some(cloudwatch.to_string());
    }
    s
}

/// orders: Standard brokers, open monitoring off; events: Express brokers, open
/// monitoring off; stream: serverless.
async fn fleet() -> FakeMsk {
    let mut orders = Fake::provisioned("orders", REGION);
    orders.jmx_exporter = false;
    orders.node_exporter = false;
    let mut events = Fake::provisioned("events", REGION);
    events.jmx_exporter = false;
    events.node_exporter = false;
    events.instance_type = "express.m7g.large".into();
    FakeMsk::start(FakeConfig {
        clusters: vec![orders, events, Fake::serverless("stream", REGION)],
        ..FakeConfig::default()
    })
    .await
    .unwrap()
}

/// What MSK would publish: orders has 4 under-replicated partitions on broker 2 and an
/// 85% full data volume on broker 3; events has its controller and CPU but no
/// UnderMinIsrPartitionCount datapoint; a consumer group is 7 minutes behind on stream.
async fn publish(moto: &Moto) {
    let orders = |broker: &'static str| [("Cluster Name", "orders"), ("Broker ID", broker)];
    moto.put(
        REGION,
        "ActiveControllerCount",
        &[("Cluster Name", "orders")],
        1.0,
        90,
    )
    .await;
    moto.put(
        REGION,
        "OfflinePartitionsCount",
        &[("Cluster Name", "orders")],
        0.0,
        90,
    )
    .await;
    moto.put(
        REGION,
        "GlobalPartitionCount",
        &[("Cluster Name", "orders")],
        120.0,
        90,
    )
    .await;
    for b in ["1", "2", "3"] {
        let urp = if b == "2" { 4.0 } else { 0.0 };
        let disk = if b == "3" { 85.0 } else { 40.0 };
        moto.put(REGION, "UnderReplicatedPartitions", &orders(b), urp, 90)
            .await;
        moto.put(REGION, "UnderMinIsrPartitionCount", &orders(b), 0.0, 90)
            .await;
        moto.put(REGION, "KafkaDataLogsDiskUsed", &orders(b), disk, 90)
            .await;
        moto.put(REGION, "CpuUser", &orders(b), 20.0, 90).await;
        moto.put(REGION, "CpuSystem", &orders(b), 5.0, 90).await;
        moto.put(REGION, "MemoryUsed", &orders(b), 3.0e9, 90).await;
        moto.put(REGION, "MemoryFree", &orders(b), 5.0e9, 90).await;
    }
    moto.put(
        REGION,
        "ActiveControllerCount",
        &[("Cluster Name", "events")],
        1.0,
        90,
    )
    .await;
    for b in ["1", "2", "3"] {
        let d = [("Cluster Name", "events"), ("Broker ID", b)];
        moto.put(REGION, "CpuUser", &d, 10.0, 90).await;
        moto.put(REGION, "CpuSystem", &d, 5.0, 90).await;
    }
    let lag = [
        ("Cluster Name", "stream"),
        ("Consumer Group", HOSTILE_GROUP),
        ("Topic", "payments"),
    ];
    moto.put(REGION, "MaxEstimatedTimeLag", &lag, 420.0, 90)
        .await;
    moto.put(REGION, "MaxOffsetLag", &lag, 9000.0, 90).await;
}

/// orders: the controller and offline partitions watched, min ISR and the disk on
/// broker 1 only (that disk alarm, under a hostile name, is firing); events: both its
/// key metrics watched (min ISR by an alarm without a broker: all of them); stream:
/// none.
async fn alarms(moto: &Moto) {
    let c = [("Cluster Name", "orders")];
    moto.alarm(REGION, "orders-controller", "ActiveControllerCount", &c)
        .await;
    moto.alarm(REGION, "orders-offline", "OfflinePartitionsCount", &c)
        .await;
    let b1 = [("Cluster Name", "orders"), ("Broker ID", "1")];
    moto.alarm(REGION, "orders-min-isr-1", "UnderMinIsrPartitionCount", &b1)
        .await;
    moto.alarm(REGION, HOSTILE_ALARM, "KafkaDataLogsDiskUsed", &b1)
        .await;
    moto.set_state(REGION, HOSTILE_ALARM, "ALARM").await;
    let e = [("Cluster Name", "events")];
    moto.alarm(REGION, "events-controller", "ActiveControllerCount", &e)
        .await;
    moto.alarm(REGION, "events-min-isr", "UnderMinIsrPartitionCount", &e)
        .await;
}

/// Waits until a CloudWatch sweep has read figures for every cluster named.
async fn read_for(app: &TestApp, names: &[&str]) -> Arc<Inventory> {
    app.inventory_when(
        &format!("a CloudWatch sweep with figures and alarms for {names:?}"),
        |inv| {
            names.iter().all(|n| {
                inv.clusters.iter().any(|c| {
                    &c.name == n
                        && inv.cloudwatch.get(&c.id).is_some_and(|r| {
                            r.metrics.as_ref().is_some_and(|m| m.has_data()) && r.alarms.is_some()
                        })
                })
            })
        },
    )
    .await
}

fn row<'a>(coverage: &'a Value, name: &str) -> &'a Value {
    coverage["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {coverage}"))
}

/// Runs cfn-lint on a template; the test fails with its findings.
fn cfn_lint(template: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alarms.yaml");
    std::fs::write(&path, template).unwrap();
    let lint = support::tools::python().parent().unwrap().join("cfn-lint");
    let out = tools::run(lint.to_str().unwrap(), &[path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "cfn-lint refused the template:\n{}\n{template}",
        tools::text(&out)
    );
}

#[tokio::test]
async fn clusters_without_open_monitoring_and_serverless_ones_are_judged_from_cloudwatch() {
    let moto = Moto::start().await;
    publish(&moto).await;
    alarms(&moto).await;
    let msk = fleet().await;
    let app = TestApp::spawn_with(vec![source(&msk.url(), &moto.url)], |c| {
        c.no_cloudwatch = false;
    })
    .await;
    app.refreshed(1).await;
    let inv = read_for(&app, &["orders", "events", "stream"]).await;
    let status = &inv.cloudwatch_sources[0];
    assert!(
        status.error.is_none() && status.notes.is_empty(),
        "{status:?}"
    );
    // Two regions' worth of series would be more: one region, a few calls.
    assert!(status.calls <= 6, "{} calls in one sweep", status.calls);
    let (orders, events, stream) = (
        app.id_of("orders").await,
        app.id_of("events").await,
        app.id_of("stream").await,
    );

    // The JSON API: health from CloudWatch, figure by figure, with its time.
    let (code, o) = app.get_json(&format!("/api/clusters/{orders}")).await;
    assert_eq!(code, 200, "{o}");
    let health = &o["health"];
    assert_eq!(health["state"], "warning", "{health}");
    let reasons = support::strs(&health["reasons"]);
    assert!(
        reasons.contains(&"4 under-replicated partitions on broker 2"),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("data volume /kafka/datalogs 85")
                && r.ends_with("full on broker 3")),
        "{reasons:?}"
    );
    assert_eq!(health["cluster_from"]["source"], "cloudwatch", "{health}");
    assert_eq!(health["brokers"][1]["kafka_from"]["source"], "cloudwatch");
    assert_eq!(
        o["cloudwatch"]["metrics"]["global_partitions"]["value"],
        120
    );

    // Express: the controller is known, the min ISR count has no datapoint: unknown,
    // never healthy, and the reason says which metric is missing.
    let (_, e) = app.get_json(&format!("/api/clusters/{events}")).await;
    assert_eq!(e["health"]["state"], "unknown", "{e}");
    assert!(
        support::strs(&e["health"]["reasons"])
            .iter()
            .any(|r| r.contains("open monitoring is off")
                && r.contains("no UnderMinIsrPartitionCount datapoint")),
        "{}",
        e["health"]
    );

    // Serverless: judged by its consumer lag.
    let (_, s) = app.get_json(&format!("/api/clusters/{stream}")).await;
    assert_eq!(s["health"]["state"], "warning", "{s}");
    assert_eq!(
        support::strs(&s["health"]["reasons"]),
        [format!("{HOSTILE_GROUP} is 7 min behind on payments")]
    );

    // The consumers, most behind first, with a point per CloudWatch read of the last
    // hour: a second read adds one, and the page draws them with the same in words.
    let (_, consumers) = app
        .get_json(&format!("/api/clusters/{stream}/consumers"))
        .await;
    assert_eq!(consumers[0]["group"], HOSTILE_GROUP, "{consumers}");
    assert_eq!(
        consumers[0]["recent"].as_array().map(Vec::len),
        Some(1),
        "{consumers}"
    );
    let two = support::eventually(
        "a second CloudWatch read to add a point to the lag sparkline",
        support::PATIENCE,
        || async {
            app.client
                .post(format!("{}/api/probe", app.url))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let (_, c) = app
                .get_json(&format!("/api/clusters/{stream}/consumers"))
                .await;
            match c[0]["recent"].as_array().map(Vec::len) {
                Some(n) if n >= 2 => Ok(c),
                other => Err(format!("points: {other:?}")),
            }
        },
    )
    .await;
    assert_eq!(two[0]["recent"][1]["seconds"], 420, "{two}");
    let page = app.page(&format!("/clusters/{stream}")).await;
    let svg = page
        .find("class=\"sparkline\"")
        .map(|i| &page[i..(i + 300).min(page.len())]);
    assert!(
        page.contains(
            "aria-label=\"Time lag over the last hour: 7 min then, 7 min now, at most 7 min\""
        ),
        "no sparkline: {svg:?}"
    );

    // The list: health, the alarm coverage in brief, and the filter for it.
    let list = app.page("/").await;
    assert!(
        list.contains("CloudWatch alarms: 2 of 4 · 1 in ALARM"),
        "{list}"
    );
    let (_, missing) = app.get_json("/api/clusters?q=alarms:missing").await;
    let mut names: Vec<&str> = missing["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["orders", "stream"], "{missing}");
    let (_, firing) = app.get_json("/api/clusters?q=alarms:firing").await;
    assert_eq!(firing["clusters"].as_array().unwrap().len(), 1, "{firing}");

    // The cluster page: where each figure came from, and how old it is.
    let page = app.page(&format!("/clusters/{orders}")).await;
    assert!(page.contains("from CloudWatch"), "{page}");
    assert!(page.contains("id=\"alarm-coverage\""), "{page}");
    let page = app.page(&format!("/clusters/{stream}")).await;
    assert!(page.contains("7 min behind on payments"), "{page}");
    assert!(
        !page.contains("<script>alert(1)"),
        "the group name is escaped"
    );
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );

    // Coverage: the column, the missing alarms named, the totals, the API.
    let (_, cov) = app.get_json("/api/coverage").await;
    assert_eq!(cov["totals"]["alarms_missing"], 2, "{}", cov["totals"]);
    assert_eq!(cov["totals"]["alarms_complete"], 1);
    assert_eq!(cov["totals"]["alarms_firing"], 1);
    assert_eq!(row(&cov, "stream")["health"]["state"], "warning");
    assert_eq!(row(&cov, "orders")["status"], "off");
    let key = row(&cov, "orders")["alarms"]["key"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(key[2]["metric"], "UnderMinIsrPartitionCount");
    assert_eq!(key[2]["missing_brokers"], serde_json::json!([2, 3]));
    let page = app.page("/coverage").await;
    assert!(page.contains("data-alarms=\"2 of 4\""), "{page}");
    assert!(
        page.contains("missing: UnderMinIsrPartitionCount (brokers 2, 3), KafkaDataLogsDiskUsed (brokers 2, 3)"),
        "{page}"
    );
    assert!(
        page.contains("&lt;b&gt;disk&lt;/b&gt;"),
        "the alarm name is escaped"
    );
    assert!(!page.contains("<b>disk</b>"));
    assert!(page.contains("from CloudWatch"));

    // The template of one cluster: only what is missing, and valid.
    let r = app
        .get(&format!("/clusters/{orders}/cloudwatch-alarms.yaml"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"orders-cloudwatch-alarms.yaml\""
    );
    let one = r.text().await.unwrap();
    for id in [
        "ordersUnderMinIsrPartitionCountBroker2:",
        "ordersUnderMinIsrPartitionCountBroker3:",
        "ordersKafkaDataLogsDiskUsedBroker2:",
        "ordersKafkaDataLogsDiskUsedBroker3:",
    ] {
        assert!(one.contains(id), "{id} in\n{one}");
    }
    assert!(!one.contains("Broker1"), "{one}");
    assert!(!one.contains("ActiveControllerCount"), "{one}");
    cfn_lint(&one);
    // Of the filtered clusters: the missing ones of orders and stream, hostile group
    // name and all.
    let many = app.get("/cloudwatch-alarms.yaml?q=alarms:missing").await;
    assert_eq!(many.status(), 200);
    let many = many.text().await.unwrap();
    assert!(
        many.contains("MetricName: \"MaxEstimatedTimeLag\""),
        "{many}"
    );
    assert!(
        many.contains("Value: \"<script>alert(1)</script>\\r\\nbilling\""),
        "{many}"
    );
    cfn_lint(&many);
    // Nothing missing: a 404 that says so.
    let r = app
        .get(&format!("/clusters/{events}/cloudwatch-alarms.yaml"))
        .await;
    assert_eq!(r.status(), 404);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("No CloudWatch alarms are missing"));

    // The history: orders recovers in CloudWatch; the next sweep records it.
    for b in ["2", "3"] {
        let d = [("Cluster Name", "orders"), ("Broker ID", b)];
        moto.put(REGION, "UnderReplicatedPartitions", &d, 0.0, 30)
            .await;
        moto.put(REGION, "KafkaDataLogsDiskUsed", &d, 40.0, 30)
            .await;
    }
    let r = app
        .client
        .post(format!("{}/api/probe", app.url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    support::eventually(
        "a health change of orders recorded from a CloudWatch sweep",
        support::PATIENCE,
        || async {
            let (_, changes) = app.get_json("/api/changes?kind=health").await;
            let found = changes["entries"].as_array().is_some_and(|e| {
                e.iter().any(|e| {
                    e["cluster_name"] == "orders"
                        && e["trigger"] == "cloudwatch"
                        && e["summary"]
                            .as_str()
                            .is_some_and(|s| s.contains("warning → healthy"))
                })
            });
            let (_, o) = app.get_json(&format!("/api/clusters/{orders}")).await;
            support::when(found, ()).map_err(|_| {
                format!(
                    "orders now {} (CloudWatch read at {}, sweep {}); changes {}",
                    o["health"]["state"],
                    o["cloudwatch"]["metrics"]["checked_at"],
                    app.inventory.inventory().cloudwatch_sweep.generation,
                    changes["entries"]
                )
            })
        },
    )
    .await;
}

/// A CloudWatch in front of moto that fails the calls a test names, as AWS would.
struct Gate {
    url: String,
    failures: Arc<Mutex<HashMap<String, (u16, &'static str)>>>,
}

impl Gate {
    async fn start(moto: &str) -> Gate {
        use axum::body::Bytes;
        use axum::http::{HeaderMap, StatusCode};
        let failures: Arc<Mutex<HashMap<String, (u16, &'static str)>>> = Default::default();
        let upstream = moto.to_string();
        let f = failures.clone();
        let client = reqwest::Client::new();
        let handler = move |headers: HeaderMap, body: Bytes| {
            let f = f.clone();
            let upstream = upstream.clone();
            let client = client.clone();
            async move {
                let text = String::from_utf8_lossy(&body).to_string();
                let action = url::form_urlencoded::parse(text.as_bytes())
                    .find(|(k, _)| k == "Action")
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default();
                let failure = f.lock().unwrap().get(&action).copied();
                if let Some((status, code)) = failure {
                    let xml = format!(
                        "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{code} for {action}</Message></Error><RequestId>gate</RequestId></ErrorResponse>"
                    );
                    return (
                        StatusCode::from_u16(status).unwrap(),
                        [("content-type", "text/xml".to_string())],
                        xml.into_bytes(),
                    );
                }
                let mut req = client.post(&upstream).body(body.to_vec());
                for (k, v) in &headers {
                    if k != "host" && k != "content-length" {
                        req = req.header(k, v);
                    }
                }
                let r = req.send().await.unwrap();
                let status = StatusCode::from_u16(r.status().as_u16()).unwrap();
                let ct = r
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("text/xml")
                    .to_string();
                (
                    status,
                    [("content-type", ct)],
                    r.bytes().await.unwrap().to_vec(),
                )
            }
        };
        let router = axum::Router::new().fallback(axum::routing::post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        support::server_runtime().spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Gate { url, failures }
    }

    fn fail(&self, action: &str, status: u16, code: &'static str) {
        self.failures
            .lock()
            .unwrap()
            .insert(action.to_string(), (status, code));
    }
}

#[tokio::test]
async fn a_missing_permission_is_a_note_and_throttling_keeps_the_last_figures() {
    let moto = Moto::start().await;
    publish(&moto).await;
    let gate = Gate::start(&moto.url).await;
    gate.fail("DescribeAlarms", 403, "AccessDenied");
    let msk = fleet().await;
    let app = TestApp::spawn_with(vec![source(&msk.url(), &gate.url)], |c| {
        c.no_cloudwatch = false;
    })
    .await;
    app.refreshed(1).await;
    let orders_id = app.id_of("orders").await;

    // No DescribeAlarms: a note, the alarms unknown, the metrics whole.
    let inv = app
        .inventory_when(
            "a CloudWatch sweep with metrics and a permission note",
            |inv| {
                inv.cloudwatch_sources.iter().any(|s| {
                    s.notes
                        .iter()
                        .any(|n| n.contains("cloudwatch:DescribeAlarms"))
                }) && inv
                    .cloudwatch
                    .values()
                    .any(|r| r.metrics.as_ref().is_some_and(|m| m.has_data()))
            },
        )
        .await;
    let status = &inv.cloudwatch_sources[0];
    assert!(
        status.error.is_none(),
        "a missing permission is no error: {status:?}"
    );
    assert!(inv.cloudwatch.values().all(|r| r.alarms.is_none()));
    let list = app.page("/").await;
    assert!(list.contains("cloudwatch-banner"), "{list}");
    assert!(
        list.contains(
            "No cloudwatch:DescribeAlarms permission in eu-west-1: alarm coverage is not known."
        ),
        "{list}"
    );
    let (_, o) = app.get_json(&format!("/api/clusters/{orders_id}")).await;
    assert_eq!(o["health"]["state"], "warning", "{o}");
    let first_read = o["cloudwatch"]["metrics"]["checked_at"].clone();

    // Throttled (the tests make one attempt per call): a banner that says so, and the
    // last figures stay, with their time.
    gate.fail("GetMetricData", 400, "Throttling");
    let before = inv.cloudwatch_sweep.generation;
    let r = app
        .client
        .post(format!("{}/api/probe", app.url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let inv = app
        .inventory_when("a throttled CloudWatch sweep", |inv| {
            inv.cloudwatch_sweep.generation > before
                && inv.cloudwatch_sources.iter().any(|s| s.error.is_some())
        })
        .await;
    let e = inv.cloudwatch_sources[0].error.clone().unwrap();
    assert_eq!(e.kind.to_string(), "throttled", "{e:?}");
    assert!(
        e.message
            .contains("CloudWatch throttled GetMetricData in eu-west-1"),
        "{e:?}"
    );
    assert!(e.hint.contains("--cloudwatch-interval"), "{e:?}");
    let (_, o) = app.get_json(&format!("/api/clusters/{orders_id}")).await;
    assert_eq!(o["cloudwatch"]["metrics"]["checked_at"], first_read, "{o}");
    assert_eq!(o["health"]["state"], "warning");
    let list = app.page("/").await;
    assert!(list.contains("CloudWatch figures are from"), "{list}");
}
