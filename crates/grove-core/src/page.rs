//! Pagination parameters shared by every list endpoint.

/// Default page size when `limit` is omitted.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size a client may ask for.
pub const MAX_LIMIT: u32 = 200;

/// A validated `limit` / `offset` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub offset: u64,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl Page {
    /// Validates raw values; the error names the field and the reason.
    pub fn new(limit: Option<i64>, offset: Option<i64>) -> Result<Self, crate::ApiError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT as i64);
        if !(1..=MAX_LIMIT as i64).contains(&limit) {
            return Err(crate::ApiError::invalid_field(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let offset = offset.unwrap_or(0);
        if offset < 0 {
            return Err(crate::ApiError::invalid_field(
                "offset",
                "must be 0 or more",
            ));
        }
        Ok(Self {
            limit: limit as u32,
            offset: offset as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced() {
        assert_eq!(Page::new(None, None).unwrap(), Page::default());
        assert_eq!(Page::new(Some(200), Some(3)).unwrap().limit, 200);
        assert_eq!(
            Page::new(Some(0), None).unwrap_err().details["field"],
            "limit"
        );
        assert_eq!(
            Page::new(Some(201), None).unwrap_err().details["field"],
            "limit"
        );
        assert_eq!(
            Page::new(None, Some(-1)).unwrap_err().details["field"],
            "offset"
        );
    }
}
