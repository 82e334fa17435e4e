//! The generated C compiles with real clang-22 for wasm32 and wasm64 (layout
//! `_Static_assert`s included), and a linked program imports exactly what the
//! ABI crate computed, with exactly its core signatures.

mod common;

use common::*;
use wasit2_abi::{Arch, Wit};
use wasit2_bindgen::{generate_c, BindgenError, Options};

fn check_world(wit: &Wit, world: &str, name: &str) {
    let (l32, l64) = lowerings(wit, world);
    let b = generate_c(&l32, &l64, &Options::default()).unwrap();
    assert_eq!(b.header_name, format!("{name}.h"));
    for (arch, l) in [(Arch::Wasm32, &l32), (Arch::Wasm64, &l64)] {
        let dir = tempfile::tempdir().unwrap();
        let wasm = build_all_wrappers(&b, arch, dir.path());
        assert_imports_match(&wasm, l);
    }
}

#[test]
fn command_world_compiles_and_imports_match_the_abi() {
    check_world(
        &Wit::wasi().unwrap(),
        "wasi:cli/command@0.2.12",
        "wasit2_command",
    );
}

#[test]
fn custom_world_compiles_and_imports_match_the_abi() {
    check_world(&shapes_wit(), "shapes", "wasit2_shapes");
}

#[test]
fn command_header_matches_the_golden_file() {
    let wit = Wit::wasi().unwrap();
    let (l32, l64) = lowerings(&wit, "wasi:cli/command@0.2.12");
    let b = generate_c(&l32, &l64, &Options::default()).unwrap();
    let path = manifest_dir().join("tests/expected/wasit2_command.h");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &b.header).unwrap();
    }
    let want = std::fs::read_to_string(&path).expect("golden header missing: run with BLESS=1");
    assert!(
        want == b.header,
        "generated header differs from {}; rerun with BLESS=1 if intended",
        path.display()
    );
}

#[test]
fn generation_is_deterministic() {
    let wit = shapes_wit();
    let (l32, l64) = lowerings(&wit, "shapes");
    let a = generate_c(&l32, &l64, &Options::default()).unwrap();
    let b = generate_c(&l32, &l64, &Options::default()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn names_follow_the_convention() {
    let wit = shapes_wit();
    let (l32, l64) = lowerings(&wit, "shapes");
    let b = generate_c(
        &l32,
        &l64,
        &Options {
            base_name: Some("shapes_api".into()),
        },
    )
    .unwrap();
    assert_eq!(b.header_name, "shapes_api.h");
    assert!(b.source.contains("#include \"shapes_api.h\""));
    for f in [
        "acme_shapes_types_constructor_canvas",
        "acme_shapes_types_method_canvas_draw",
        "acme_shapes_types_static_canvas_merge",
        "acme_shapes_types_method_canvas_default",
        "acme_shapes_types_canvas_drop",
        "acme_shapes_types_many",
        "shapes_tick",
        "shapes_hello",
        "acme_shapes_exported_widget_new",
        "acme_shapes_exported_widget_rep",
        "acme_shapes_exported_widget_drop",
    ] {
        assert!(
            b.functions.iter().any(|g| g == f),
            "missing {f} in {:?}",
            b.functions
        );
    }
    for needle in [
        "typedef int32_t acme_shapes_types_canvas_t;",
        "typedef int32_t acme_shapes_types_borrow_canvas_t;",
        "typedef uint16_t acme_shapes_types_caps_t;",
        "#define ACME_SHAPES_TYPES_COLOR_BLUE 2",
        "#define ACME_SHAPES_TYPES_CAPS_BEVEL (1U << 8)",
        "#define ACME_SHAPES_TYPES_SHAPE_POLYGON 1",
        "typedef struct acme_shapes_types_result_list_shape_error_t {",
        "typedef struct acme_shapes_types_list_list_u8_t {",
        "typedef struct acme_shapes_types_tuple2_point_f32_t {",
        "typedef wasi_io_streams_output_stream_t acme_shapes_types_output_stream_t;",
        "size_t acme_shapes_types_method_canvas_shapes(acme_shapes_types_borrow_canvas_t self, acme_shapes_types_result_list_shape_error_t *ret, void *arena, size_t arena_len)",
        "uint32_t acme_shapes_types_keyword(uint32_t int_, float float_, bool default_)",
        "size_t shapes_hello(wasit2_string_t name, wasit2_string_t *ret, void *arena, size_t arena_len)",
    ] {
        assert!(b.header.contains(needle), "header lacks `{needle}`");
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    let wit = Wit::wasi().unwrap();
    let (l32, l64) = lowerings(&wit, "wasi:cli/command@0.2.12");
    let bad = Options {
        base_name: Some("9-lives".into()),
    };
    assert!(matches!(
        generate_c(&l32, &l64, &bad),
        Err(BindgenError::BadBaseName(_))
    ));
    // Arches swapped.
    assert!(matches!(
        generate_c(&l64, &l32, &Options::default()),
        Err(BindgenError::MismatchedLowerings(_))
    ));
    // Two different worlds.
    let (p32, _) = lowerings(&wit, "wasit2:targets/wasip1");
    assert!(matches!(
        generate_c(&p32, &l64, &Options::default()),
        Err(BindgenError::MismatchedLowerings(_))
    ));
}

#[test]
fn plugin_bindings_match_the_golden_files() {
    // The export glue of tests/interfaces/plugin.wit: prototype, core
    // export, `_post`, `cm32p2_params_alloc`, and the world carrier.
    let mut wit = Wit::wasi().unwrap();
    wit.push_path(&manifest_dir().join("../tests/interfaces/plugin.wit"))
        .unwrap();
    let (l32, l64) = lowerings(&wit, "plugin");
    let b = generate_c(
        &l32,
        &l64,
        &Options {
            base_name: Some("acme_plugin".into()),
        },
    )
    .unwrap();
    assert_eq!(b.exports.len(), 1);
    assert_eq!(
        b.exports[0].prototype(),
        "void acme_plugin_handler_handle(wasit2_string_t input, wasit2_string_t *ret)"
    );
    for (file, text) in [("acme_plugin.h", &b.header), ("acme_plugin.c", &b.source)] {
        let path = manifest_dir().join("tests/expected").join(file);
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&path, text).unwrap();
        }
        let want = std::fs::read_to_string(&path).expect("golden file missing: run with BLESS=1");
        assert!(
            want == *text,
            "generated {file} differs from {}; rerun with BLESS=1 if intended",
            path.display()
        );
    }
}
