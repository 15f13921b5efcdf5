//! The msk-console server binary: parse the configuration, set up logging, run.

use clap::Parser;

/// mimalloc instead of the system allocator: a cached page costs a dozen small
/// allocations, and glibc's malloc and free took 14% of its CPU (see README,
/// Benchmarks).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let config = msk_console::Config::parse();
    if let Err(e) = msk_console::logging::init(&config.log, config.log_format) {
        eprintln!("msk-console: {e}");
        std::process::exit(2);
    }
    if let Some(command) = &config.command {
        match msk_console::run_command(&config, command).await {
            Ok(out) => {
                print!("{out}");
                return;
            }
            Err(e) => {
                eprintln!("msk-console: {e}");
                std::process::exit(1);
            }
        }
    }
    if let Err(e) = msk_console::run(config).await {
        eprintln!("msk-console: {e}");
        std::process::exit(1);
    }
}
