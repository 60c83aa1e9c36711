//! The fields of several compiled patterns at once (`Fields::of`), so an event is parsed once
//! for all of them. Kept apart so the projection (`fields.rs`) does not depend on evaluation
//! (`eval.rs`), which holds a projection.

use crate::eval::Compiled;
use crate::fields::Fields;

impl Fields {
    /// The paths the selectors of these patterns read.
    pub fn of(patterns: &[&Compiled]) -> Fields {
        let mut fields = Fields::default();
        for compiled in patterns {
            fields.add_pattern(compiled.pattern());
        }
        fields
    }
}
