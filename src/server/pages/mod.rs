//! Competition pages: landing and join, questions, result, ranking, organizer pages, QR code and poster,
//! rendered on the server with the site's theme; thin handlers over `server::flow` and `server::board`.

pub mod cookies;
pub mod qr;
pub mod render;
pub mod view;

pub use render::Templates;

use axum::Router;

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
