//! Hedge-policy lab (issue 6).
