//! Runs the logging-embedder example's code path and checks its log.
#[path = "../../examples/logging.rs"]
mod logging;

#[test]
fn logging_embedder_logs_every_call_and_replaces_one_interface() {
    let (code, out, log) = logging::run_logged(&logging::demo_module()).unwrap();
    assert_eq!(out, "hi\n");
    assert_eq!(code, 0, "42 % 2: the replaced random value was used");
    assert_eq!(
        log,
        [
            "call wasi:cli/stdout@0.2.get-stdout()",
            "  get-stdout -> handle(1)",
            "call wasi:io/streams@0.2.[method]output-stream.blocking-write-and-flush(handle(1), bytes[104, 105, 10])",
            "  [method]output-stream.blocking-write-and-flush -> case0",
            "call wasi:random/random@0.2.get-random-u64()",
            "replaced get-random-u64",
            "  get-random-u64 -> 42",
        ]
    );
}
