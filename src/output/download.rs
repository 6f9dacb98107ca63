//! How a download is printed.
