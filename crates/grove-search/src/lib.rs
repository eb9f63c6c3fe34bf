//! Grove's retrieval engine: embedders, the lexical and vector indexes,
//! fusion and reranking.

pub mod embed;
