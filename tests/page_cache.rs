//! Rendered pages are kept until the inventory changes: a second request is served from
//! memory with its own nonce, an unchanged page answers `If-None-Match` with a 304, and
//! a refresh that changes the inventory shows at once.

use crate::support;

const INVENTORY: &str = r#"
[[cluster]]
name = "orders"
region = "eu-west-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = true }
bootstrap = { tls = "b-1.orders.example:9094" }
brokers = [ { id = 1, endpoints = ["b-1.orders.example"] } ]
"#;

fn nonce(csp: &str) -> String {
    let start = csp.find("'nonce-").expect("a nonce") + 7;
    csp[start..start + csp[start..].find('\'').unwrap()].to_string()
}

/// Renames the lab's cluster in its inventory file, asks for a refresh and waits for
/// refresh number `generation`.
async fn rename_and_refresh(
    app: &support::TestApp,
    dir: &std::path::Path,
    name: &str,
    generation: u64,
) {
    std::fs::write(
        dir.join("lab.toml"),
        INVENTORY.replace("\"orders\"", &format!("\"{name}\"")),
    )
    .unwrap();
    let r = app
        .client
        .post(format!("{}/api/refresh", app.url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    app.refreshed(generation).await;
}

#[tokio::test]
async fn pages_are_kept_until_the_inventory_moves_and_each_gets_its_own_nonce() {
    let (app, dir) = support::file_lab(INVENTORY, |_| {}).await;
    let get = |path: &'static str, etag: Option<String>| {
        let client = app.client.clone();
        let url = format!("{}{path}", app.url);
        async move {
            let mut req = client.get(url);
            if let Some(e) = etag {
                req = req.header("if-none-match", e);
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let csp = r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_string();
            let etag = r
                .headers()
                .get("etag")
                .map(|v| v.to_str().unwrap().to_string());
            (status, csp, etag, r.text().await.unwrap())
        }
    };
    let (s1, csp1, etag1, body1) = get("/", None).await;
    let (s2, csp2, etag2, body2) = get("/", None).await;
    assert_eq!((s1, s2), (200, 200));
    let (n1, n2) = (nonce(&csp1), nonce(&csp2));
    assert_ne!(n1, n2, "every response has its own nonce");
    assert!(body2.contains(&format!("nonce=\"{n2}\"")) && !body2.contains(&n1));
    assert_eq!(
        body1.replace(&n1, ""),
        body2.replace(&n2, ""),
        "the same page"
    );
    // The ETag is the page's digest and the response's nonce.
    let etag = etag1.expect("an ETag");
    let etag2 = etag2.expect("an ETag");
    assert!(etag.ends_with(&format!(".{n1}\"")), "{etag}");
    assert!(etag2.ends_with(&format!(".{n2}\"")), "{etag2}");
    assert_eq!(
        etag.replace(&n1, ""),
        etag2.replace(&n2, ""),
        "the same page"
    );

    // Unchanged: a 304 whose policy has the nonce of the copy the browser holds, for
    // either copy (a browser keeps the policy of a 304).
    for (tag, n) in [(&etag, &n1), (&etag2, &n2)] {
        let (s, csp, held, body) = get("/", Some(tag.clone())).await;
        assert_eq!(s, 304);
        assert!(body.is_empty());
        assert_eq!(nonce(&csp), *n, "{csp}");
        assert_eq!(held.as_ref(), Some(tag));
    }

    // The inventory changes: the next request renders anew.
    rename_and_refresh(&app, dir.path(), "payments", 2).await;
    let (s, _, etag3, body) = get("/", Some(etag.clone())).await;
    assert_eq!(s, 200, "a changed page is not a 304");
    assert!(
        body.contains("payments") && !body.contains(">orders<"),
        "{body}"
    );
    assert_ne!(etag3, Some(etag));

    // The inventory moves while many ask for the page at once: one of them renders it,
    // the others get the page as it was or as it is now, and never an error; once they
    // are answered, the page is the new one.
    rename_and_refresh(&app, dir.path(), "ledger", 3).await;
    let answers = futures::future::join_all((0..32).map(|_| get("/", None))).await;
    for (status, csp, _, body) in &answers {
        assert_eq!(*status, 200);
        let n = nonce(csp);
        assert!(body.contains(&format!("nonce=\"{n}\"")), "its own nonce");
        assert!(
            body.contains(">ledger<") || body.contains(">payments<"),
            "{body}"
        );
    }
    let (_, _, _, body) = get("/", None).await;
    assert!(
        body.contains(">ledger<") && !body.contains(">payments<"),
        "{body}"
    );
}

/// Building a console walks the app's routes, which once set a process-wide flag that
/// left any page rendered meanwhile, by any console, waiting for ever (leptos issue
/// #4773). Tests and embedders build many consoles in one process: every page one of
/// them renders while others start must still finish.
#[tokio::test]
async fn pages_render_while_other_consoles_start() {
    use std::time::Duration;
    let (app, _dir) = support::file_lab(
        "source = \"lab\"\n[[cluster]]\nname = \"orders\"\nregion = \"eu-west-1\"\nbootstrap = { tls = \"b-1.o.example:9094\" }\nbrokers = [ { id = 1, endpoints = [\"b-1.o.example\"] } ]\n",
        |c| c.request_timeout = Duration::from_secs(3600),
    )
    .await;
    let id = app.inventory.inventory().clusters[0].id.clone();
    let starting = support::server_runtime().spawn(async {
        for _ in 0..40 {
            let dir = tempfile::tempdir().unwrap();
            let c = support::test_config(dir.path());
            let built = msk_console::App::build_with(c, vec![], None).await.unwrap();
            built.background.stop().await;
        }
    });
    let client = reqwest::Client::new();
    for i in 0..400 {
        // History pages are not cached: each is a render of its own.
        let path = if i % 2 == 0 {
            "/history".to_string()
        } else {
            format!("/clusters/{id}/history")
        };
        let r = tokio::time::timeout(
            support::PATIENCE,
            client.get(format!("{}{path}", app.url)).send(),
        )
        .await
        .unwrap_or_else(|_| panic!("render {i} of {path} did not finish while consoles started"))
        .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let _ = r.bytes().await;
    }
    starting.await.unwrap();
}
