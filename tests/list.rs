//! The cluster list at scale: one page of rows at a time, filtered and sorted on the
//! server, the same with and without JavaScript (these requests run no JavaScript), and
//! small enough at 2,000 clusters.

use crate::support;

/// An inventory file of `n` clusters in 20 sources' worth of regions; cluster `i` has
/// `3 + i % 7` brokers.
fn inventory(n: usize) -> String {
    let regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2"];
    let mut s = String::from("source = \"fleet\"\n");
    for i in 0..n {
        let region = regions[i % regions.len()];
        let brokers = 3 + i % 7;
        let hosts: Vec<String> = (1..=brokers)
            .map(|b| format!("b-{b}.c{i}.kafka.{region}.amazonaws.com"))
            .collect();
        s.push_str(&format!(
            "\n[[cluster]]\nname = \"c-{i:04}\"\nregion = \"{region}\"\nkind = \"provisioned\"\n\
             kafka_version = \"3.{}.0\"\nauth = {{ iam = true }}\n\
             monitoring = {{ jmx_exporter = true, node_exporter = true }}\n\
             bootstrap = {{ sasl-iam = \"{}\" }}\nbrokers = [ {} ]\n",
            5 + i % 3,
            hosts
                .iter()
                .map(|h| format!("{h}:9098"))
                .collect::<Vec<_>>()
                .join(","),
            hosts
                .iter()
                .enumerate()
                .map(|(b, h)| format!("{{ id = {}, endpoints = [\"{h}\"] }}", b + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    s
}

/// The cluster names in the table of a list page, in order.
fn rows(html: &str) -> Vec<String> {
    let table = html
        .split("<tbody>")
        .nth(1)
        .and_then(|t| t.split("</tbody>").next())
        .unwrap_or("");
    table
        .split("<tr data-cluster=")
        .skip(1)
        .filter_map(|r| {
            let a = r.split("<a href=\"/clusters/").nth(1)?;
            let name = a.split('>').nth(1)?.split('<').next()?;
            Some(name.to_string())
        })
        .collect()
}

#[tokio::test]
async fn the_list_pages_filters_and_sorts_on_the_server() {
    let (app, _dir) = support::file_lab(&inventory(250), |_| {}).await;

    let first = app.page("/").await;
    let names = rows(&first);
    assert_eq!(names.len(), 100, "one page of rows");
    assert_eq!(names[0], "c-0000");
    assert_eq!(names[99], "c-0099");
    assert!(first.contains("1–100 of 250 clusters"), "{first}");
    assert!(first.contains("Page 1 of 3"));
    assert!(first.contains(r#"href="/?page=2" rel="next""#), "{first}");
    assert!(!first.contains("rel=\"prev\""));

    let last = app.page("/?page=3").await;
    assert_eq!(rows(&last).len(), 50);
    assert!(last.contains("201–250 of 250 clusters"));
    assert!(last.contains(r#"href="/?page=2" rel="prev""#));
    // A page past the end is the last page; a nonsense page is the first.
    assert_eq!(rows(&app.page("/?page=99").await), rows(&last));
    assert_eq!(rows(&app.page("/?page=-4").await), names);

    // Filter and sort together; the header links keep the filter and go to page 1.
    let page = app.page("/?q=eu-west-1&sort=brokers&dir=desc").await;
    let names = rows(&page);
    assert_eq!(names.len(), 63, "every 4th of 250 clusters is in eu-west-1");
    assert!(page.contains("63 of 250 clusters"), "{page}");
    // 9 brokers first (i % 7 == 6), names descending too.
    assert_eq!(names[0], "c-0244");
    assert!(page.contains(r#"href="/?q=eu-west-1&amp;sort=brokers&amp;dir=asc""#));
    // The no-JavaScript form carries the sort along with the filter.
    assert!(page.contains(r#"name="sort" value="brokers""#));

    // A hostile filter is text: escaped in the box and the links, never markup.
    let hostile = app
        .page("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%0D%0A%E2%80%A8x&sort=%3Cb%3E&page=%0A")
        .await;
    assert!(!hostile.contains("<script>alert(1)"), "{hostile}");
    assert!(hostile.contains("No cluster matches the filter."));

    // Nothing matches: a clear line, not an empty table.
    let none = app.page("/?q=no-such-cluster").await;
    assert!(none.contains("No cluster matches the filter."));
    assert!(none.contains("0 of 250 clusters"));
}

#[tokio::test]
async fn two_thousand_clusters_make_a_list_page_under_200_kb() {
    let (app, _dir) = support::file_lab(&inventory(2_000), |_| {}).await;
    let page = app.page("/").await;
    assert_eq!(rows(&page).len(), 100);
    assert!(page.contains("1–100 of 2000 clusters"));
    assert!(
        page.len() < 200_000,
        "the first page of 2,000 clusters is {} bytes",
        page.len()
    );
    let filtered = app.page("/?q=us-west-2&page=4").await;
    assert_eq!(rows(&filtered).len(), 100);
    assert!(filtered.contains("301–400 of 500 matching of 2000 clusters"));
}

/// One selection for every door that lists many clusters: the JSON list, the targets
/// and the list page's filter words pick the same clusters.
#[tokio::test]
async fn the_json_list_takes_the_same_selection_as_the_targets_and_the_page() {
    let (app, _dir) = support::file_lab(&inventory(40), |_| {}).await;
    let names = |v: &serde_json::Value| -> Vec<String> {
        let mut n: Vec<String> = v["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        n.sort();
        n
    };
    let (status, all) = app.get_json("/api/clusters").await;
    assert_eq!(status, 200);
    assert_eq!(names(&all).len(), 40);
    let (status, eu) = app.get_json("/api/clusters?q=eu-west-1&brief=true").await;
    assert_eq!(status, 200, "{eu}");
    let eu = names(&eu);
    assert_eq!(eu.len(), 10, "{eu:?}");
    let (_, region) = app.get_json("/api/clusters?region=eu-west-1").await;
    assert_eq!(names(&region), eu);
    // The targets of the same filter name the same clusters.
    let targets: serde_json::Value = app
        .get("/targets.json?q=eu-west-1")
        .await
        .json()
        .await
        .unwrap();
    let mut in_targets: Vec<String> = targets
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["labels"]["cluster"].as_str().unwrap().to_string())
        .collect();
    in_targets.sort();
    in_targets.dedup();
    assert_eq!(in_targets, eu);
    // And so does the page.
    let mut on_page = rows(&app.page("/?q=eu-west-1").await);
    on_page.sort();
    assert_eq!(on_page, eu);
    // A bad selection is refused as every door refuses it.
    let (status, e) = app
        .get_json(&format!("/api/clusters?q={}", "x ".repeat(20)))
        .await;
    assert_eq!(status, 400, "{e}");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("more than 16 words"));
}
