//! Server-rendered competition pages (the pages helper's module).

use axum::Router;

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
