//! Why the console could not start. Each reason prints as one line
//! (`msk-console: database sqlite://…: cannot open …`) and the process exits 1.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database {url}: {reason}")]
    Database { url: String, reason: String },
    #[error("sources file {}: {reason}", path.display())]
    Sources { path: PathBuf, reason: String },
    #[error("configuration: {0}")]
    Config(String),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("server: {0}")]
    Serve(String),
}
