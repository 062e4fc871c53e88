//! Server: axum routes for the competition pages, JSON API and organizer pages, over `quiz` and `store`,
//! plus the built static site.

pub mod pages;

use std::path::PathBuf;

/// Options of `pufa serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub source: PathBuf,
    pub port: u16,
    pub bind: String,
    pub database_url: Option<String>,
    pub admin_token: Option<String>,
}

/// `pufa serve`: builds the site, opens the database (running migrations), and serves until Ctrl-C.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let _ = opts;
    todo!("server helper implements")
}
