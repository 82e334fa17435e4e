pub mod bindgen;
pub mod check;
pub mod compile;
pub mod componentize;
pub mod install;
pub mod run;
pub mod sysroot;
