//! Shared state handed to every handler.

use std::sync::Arc;

use grove_core::config::Config;
use grove_store::Store;

use crate::ratelimit::Limiters;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub limiters: Arc<Limiters>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        Self {
            limiters: Arc::new(Limiters::new(&config.rate_limits)),
            config: Arc::new(config),
            store,
        }
    }
}
