//! How a session is printed.
