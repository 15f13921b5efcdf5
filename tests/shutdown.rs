//! Stopping the server stops everything it started: the refresh loop, the recorder and
//! the pruner end with it, so an embedding process (or a test) is not left with work
//! running against a closed database.

use crate::support;

use std::time::Duration;

use msk_console::inventory::sources::Source;
use support::TestApp;

#[tokio::test]
async fn background_loops_stop_with_the_server() {
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("lab.toml");
    std::fs::write(
        &file,
        "source = \"lab\"\n\n[[cluster]]\nname = \"orders\"\nregion = \"lab-1\"\n\
         bootstrap = { plaintext = \"127.0.0.1:9092\" }\n",
    )
    .unwrap();
    let mut app = TestApp::spawn_with(vec![Source::File(file)], |c| {
        c.refresh_interval = Duration::from_millis(50);
    })
    .await;

    // Running: the loop refreshes every 50 ms and the recorder checks each refresh.
    app.refreshed(4).await;
    app.recorded(4).await;

    app.stop();
    // Not a pause and a look: the console counts its loops, and every one must end.
    support::eventually(
        "every background loop to end after the shutdown",
        support::PATIENCE,
        || async {
            let running = app.background.running();
            support::when(running == 0, ()).map_err(|_| format!("{running} loops still run"))
        },
    )
    .await;
    assert!(app.stopped.is_cancelled());
    // With no loop left, nothing can move the counters any more: they say what they said
    // when the last loop ended, however long one looks.
    let refreshes = app.inventory.inventory().refresh.generation;
    let recorded = *app.history.subscribe_recorded().borrow();
    assert!(refreshes >= 4 && recorded >= 4);
    assert_eq!(app.inventory.inventory().refresh.generation, refreshes);
    assert_eq!(*app.history.subscribe_recorded().borrow(), recorded);
}
