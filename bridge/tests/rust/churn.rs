// Many list-returning calls in a loop: the glue's arenas must be reused or
// handed to the caller (who frees them), never leaked per call.
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).expect("directory argument"));
    let dir = root.join("churn");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..5 {
        std::fs::write(dir.join(format!("f{i}")), format!("content {i}")).unwrap();
    }
    let start = core::arch::wasm32::memory_size(0);
    let mut total = 0;
    for _ in 0..3000 {
        total += std::fs::read(dir.join("f3")).unwrap().len();
        total += std::fs::read_dir(&dir).unwrap().count();
        total += std::env::args().count();
    }
    let grown = core::arch::wasm32::memory_size(0) - start;
    println!("total={total}");
    // 64 KiB pages; a leak of even 100 bytes per call would need > 10 pages.
    println!("memory grew by {} pages: {}", grown, if grown <= 4 { "ok" } else { "LEAK" });
    std::fs::remove_dir_all(&dir).unwrap();
}
