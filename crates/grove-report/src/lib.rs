//! Charts and reports, shared by jobs and agents: the Vega-Lite-subset SVG
//! renderer (`chart.rs`), charts chosen from a query result's shape and
//! checked against its columns (`choose.rs`), highlights computed from a
//! result (`highlights.rs`), and the documents a chat keeps for them
//! (`documents.rs`: tables, charts, reports).

pub mod chart;
pub mod choose;
pub mod documents;
pub mod highlights;
pub mod pdf;
pub mod shape;
