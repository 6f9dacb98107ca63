//! Downloads from `/temp/` and who made them.
