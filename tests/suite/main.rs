//! The integration tests, one binary (issue 16): one module per area, sharing `common`. One binary links the
//! crate and its dependencies once instead of once per file. Run one area with `cargo test --test suite api_flow`.

mod common;

mod api_admin;
mod api_board;
mod api_drafts;
mod api_errors;
mod api_export_xlsx;
mod api_flow;
mod api_integrity;
mod api_json_errors;
mod api_sweep;
mod board_names;
mod board_public;
mod browser;
mod browser_live;
mod content_front_matter;
mod content_load;
mod content_markdown;
mod content_shortcodes;
mod content_text;
mod content_video;
mod kill;
mod ops_migrate;
mod ops_transfer;
mod pages_board;
mod pages_flow;
mod pages_security;
mod pages_signin;
mod quiz_draw;
mod quiz_grade;
mod quiz_load;
mod serve_abuse;
mod serve_live;
mod serve_no_build;
mod serve_token;
mod site_build;
mod site_errors;
mod site_incremental;
mod site_migrate;
mod site_pictures;
mod site_search;
mod site_share;
mod store_migrations;
mod store_writer;
