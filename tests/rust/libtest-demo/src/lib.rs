//! One test of each outcome libtest knows.

pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[cfg(test)]
mod tests {
    use super::add;

    #[test]
    fn a_passes() {
        assert_eq!(add(1, 2), 3);
    }

    #[test]
    fn b_fails_with_err() -> Result<(), String> {
        Err(format!("{} is not 4", add(1, 2)))
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn c_should_panic() {
        panic!("boom");
    }

    #[test]
    #[ignore = "slow"]
    fn d_ignored() {
        println!("ran the ignored test");
    }

    /// Under panic=abort (rustup's wasm32-wasip2 std) a failed assertion
    /// stops the whole test binary.
    #[test]
    fn e_panics() {
        assert_eq!(add(1, 2), 4, "arithmetic");
    }

    #[test]
    fn f_after_the_panic() {
        assert_eq!(add(2, 2), 4);
    }
}
