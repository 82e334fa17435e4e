// std::fs under a preopened directory given as the first argument.
use std::io::{Read, Seek, SeekFrom, Write};

fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).expect("directory argument"));
    let dir = root.join("sub");
    std::fs::create_dir_all(&dir).unwrap();
    // Bigger than the glue's 64 KiB read cap, so reads come back short.
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.join("big.bin"), &big).unwrap();
    std::fs::write(dir.join("small.txt"), "hello file\n").unwrap();
    let back = std::fs::read(dir.join("big.bin")).unwrap();
    assert_eq!(back.len(), big.len());
    assert!(back == big, "big file round trip differs");
    println!("big ok {}", back.len());
    println!("small={:?}", std::fs::read_to_string(dir.join("small.txt")).unwrap());

    let mut f = std::fs::OpenOptions::new().read(true).write(true).open(dir.join("small.txt")).unwrap();
    f.seek(SeekFrom::Start(6)).unwrap();
    f.write_all(b"FILE").unwrap();
    f.seek(SeekFrom::Start(0)).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    println!("patched={s:?}");

    for i in 0..40 {
        std::fs::write(dir.join(format!("entry-{i:02}-{}", "x".repeat(i))), [i as u8]).unwrap();
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("entries={} first={} last={}", names.len(), names[0], names[names.len() - 1]);
    println!("len(big)={}", std::fs::metadata(dir.join("big.bin")).unwrap().len());
    let missing = std::fs::read(dir.join("missing")).unwrap_err();
    println!("missing={:?}", missing.kind());
    std::fs::remove_dir_all(&dir).unwrap();
    println!("exists after remove={}", dir.exists());
}
