//! Host-world checks (work in progress).
