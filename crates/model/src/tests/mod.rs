//! Unit tests of the model, by topic (the inline test modules of other files move here as
//! those files change).

mod drill;
