//! Rebuilds when a migration changes: `sqlx::migrate!` embeds the migrations at compile
//! time, and cargo does not see those files otherwise.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
