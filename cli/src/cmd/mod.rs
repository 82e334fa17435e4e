pub mod bindgen;
pub mod check;
pub mod componentize;
pub mod install;
pub mod run;
pub mod sysroot;
