//! Every kind of WIT value through `bindgen!` and the host's dynamic layer,
//! both ways, on wasm32 and wasm64: a C reactor (`kitchen/kitchen.c`, with
//! `wasit2 bindgen`'s glue) calls imports with records, enums, variants,
//! flags, options, results, tuples, resources, lists of strings and every
//! scalar (including the too-small report), and exports functions that take
//! lists of records, lists of strings and spilled parameters.
use std::collections::HashMap;

use wasit2_host::wasmtime::{Linker, Module, Store};
use wasit2_host::{Handle, WasiHostCtx};

use crate::interfaces::{build_in, setup, ARCHES};

wasit2_host::bindgen!({ path: "tests/acceptance/kitchen/kitchen.wit", world: "kitchen" });

use test::kitchen::{api, types};

type Many = (u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, char, bool);

#[derive(Default)]
struct State {
    wasi: Option<WasiHostCtx>,
    counters: HashMap<u32, u32>,
    next: u32,
    dropped: Vec<u32>,
    many: Option<Many>,
}

impl api::Host for State {
    fn describe(&mut self, p: api::Point, c: api::Color) -> String {
        format!("{}@({},{}) {c:?}", p.label, p.x, p.y)
    }
    fn names(&mut self) -> Vec<String> {
        vec!["alpha".into(), String::new(), "gamma δ".into()]
    }
    fn lookup(&mut self, key: String) -> Option<api::Point> {
        (key == "home").then(|| api::Point {
            x: 1,
            y: 2,
            label: "home sweet home".into(),
        })
    }
    fn check(&mut self, s: api::Shape, f: api::Perms) -> Result<u64, String> {
        let bits = f.read as u64 | (f.write as u64) << 1 | (f.exec as u64) << 2;
        match s {
            api::Shape::Circle(r) => Ok((r * 1000.0) as u64 + bits),
            api::Shape::Rect(p) => Ok((p.x * p.y) as u64 + p.label.len() as u64 + bits),
            api::Shape::Empty => Err("empty shape".into()),
        }
    }
    #[allow(clippy::too_many_arguments)]
    fn many(
        &mut self,
        a: u8,
        b: u16,
        c: u32,
        d: u64,
        e: i8,
        f: i16,
        g: i32,
        h: i64,
        i: f32,
        j: f64,
        k: char,
        l: bool,
    ) -> (u64, f64) {
        self.many = Some((a, b, c, d, e, f, g, h, i, j, k, l));
        (d + c as u64, i as f64 + j)
    }
}

impl types::Host for State {
    fn counter_new(&mut self, start: u32) -> Handle {
        self.next += 1;
        self.counters.insert(self.next, start);
        Handle(self.next)
    }
    fn counter_bump(&mut self, self_: Handle, by: u32) -> u32 {
        let v = self.counters.get_mut(&self_.0).expect("a live counter");
        *v += by;
        *v
    }
    fn counter_drop(&mut self, rep: Handle) {
        self.counters.remove(&rep.0);
        self.dropped.push(rep.0);
    }
}

#[test]
fn every_wit_kind_both_ways() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let src = wasit2_testkit::repo().join("host/tests/acceptance/kitchen");
    let engine = wasit2_host::engine().unwrap();
    for arch in ARCHES {
        let wasm = build_in(
            &src,
            dir.path(),
            "kitchen.wit",
            "kitchen",
            "kitchen",
            "kitchen",
            arch,
            true,
        );
        let module = Module::from_file(&engine, &wasm).unwrap();
        let mut linker = Linker::new(&engine);
        wasit2_host::add_to_linker(&mut linker, |s: &mut State| s.wasi.as_mut().unwrap()).unwrap();
        Kitchen::add_to_linker(&mut linker, |s: &mut State| s).unwrap();
        let state = State {
            wasi: Some(WasiHostCtx::new(wasit2_host::wasi_ctx_builder().build())),
            ..Default::default()
        };
        let mut store = Store::new(&engine, state);
        let k = Kitchen::instantiate(&mut store, &module, &linker).unwrap();

        let text = k.exercise(&mut store).unwrap();
        // list<string>: the array (3 string records), then the bytes.
        let names_need = if arch == "wasm32" {
            3 * 8 + 13
        } else {
            3 * 16 + 13
        };
        assert_eq!(
            text,
            format!(
                "describe: origin@(3,-4) Blue (18)\n\
                 describe in 3 bytes: needs 17, len 0\n\
                 names ({names_need} bytes): [alpha] [] [gamma δ]\n\
                 lookup home: 1 1,2 home sweet home\n\
                 lookup nowhere: 0\n\
                 check circle: err=0 ok=1505\n\
                 check rect: err=0 ok=61\n\
                 check empty: err=1 empty shape\n\
                 many: 1103511627776 -2.25\n\
                 counter: 15 16\n"
            ),
            "{arch}"
        );
        assert_eq!(
            store.data().many,
            Some((
                200,
                60000,
                4_000_000_000,
                1 << 40,
                -100,
                -30000,
                -2_000_000_000,
                -(1 << 40),
                0.25,
                -2.5,
                '\u{1F600}',
                true
            )),
            "{arch}"
        );
        assert_eq!(store.data().dropped, [1], "{arch}");
        assert!(store.data().counters.is_empty(), "{arch}");

        let points = vec![
            types::Point {
                x: 1,
                y: 2,
                label: "a".into(),
            },
            types::Point {
                x: -3,
                y: 4,
                label: "bcd".into(),
            },
        ];
        assert_eq!(
            k.sum(&mut store, points).unwrap(),
            -6, // each x * y plus the label's length: (2 + 1) + (-12 + 3)
            "{arch}"
        );
        assert_eq!(k.sum(&mut store, Vec::new()).unwrap(), 0, "{arch}");
        let parts = vec!["x".to_string(), "yy".into(), String::new(), "zzz ω".into()];
        assert_eq!(
            k.join(&mut store, parts, ", ").unwrap(),
            "x, yy, , zzz ω",
            "{arch}"
        );
        assert_eq!(k.join(&mut store, Vec::new(), "-").unwrap(), "", "{arch}");
        // 17 parameters flatten to 18 values: they go in memory the guest
        // allocated, as one pointer.
        let want = (1..=16u64).fold(0, |t, v| t * 3 + v) * 1000 + 5;
        assert_eq!(
            k.wide(&mut store, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, "hello")
                .unwrap(),
            want,
            "{arch}"
        );
        assert_eq!(
            k.rev(&mut store, vec![1, 2, 3, 255]).unwrap(),
            [255, 3, 2, 1],
            "{arch}"
        );
        assert_eq!(
            k.rev(&mut store, Vec::new()).unwrap(),
            Vec::<u8>::new(),
            "{arch}"
        );
        // Many calls: the guest frees the parameters' memory each time
        // (a leak would run the reactor out of memory well before this).
        let big = "z".repeat(1 << 20);
        for _ in 0..100 {
            assert_eq!(
                k.join(&mut store, vec![big.clone()], "").unwrap().len(),
                1 << 20
            );
        }
        let memory = k
            .instance()
            .get_memory(&mut store, &format!("cm{}p2_memory", &arch[4..]))
            .unwrap();
        assert!(
            memory.data_size(&store) < 32 << 20,
            "{arch}: memory grew to {} bytes over 100 calls of 2 MiB each",
            memory.data_size(&store)
        );
    }
}

/// A vendor interface may `use` WASI types: records become structs of the
/// generated `wasi::…` modules, resources handles; WASI itself gets no
/// trait (`wasit2_host::add_to_linker` serves it). `trappable: true`: an
/// `Err` from a method traps the guest.
mod wasi_use {
    wasit2_host::bindgen!({
        path: "tests/acceptance/kitchen/wasi-use.wit",
        world: "ext",
        trappable: true,
    });

    use test::wasi_use::clock_ext::{Datetime, Host, InputStream};
    use wasit2_host::wasmtime::{self, Linker, Module, Store};

    struct Clock {
        offline: bool,
    }

    impl Host for Clock {
        fn stamp(&mut self) -> wasmtime::Result<Datetime> {
            if self.offline {
                wasmtime::bail!("sensor offline");
            }
            Ok(Datetime {
                seconds: 1_700_000_000,
                nanoseconds: 2,
            })
        }
        fn open(&mut self, _name: String) -> wasmtime::Result<InputStream> {
            Ok(wasit2_host::Handle(7))
        }
        fn tags(&mut self) -> wasmtime::Result<Vec<String>> {
            Ok(Vec::new())
        }
    }

    #[test]
    fn registers_only_the_vendor_functions() {
        let engine = wasit2_host::engine().unwrap();
        let mut linker = Linker::<Clock>::new(&engine);
        Ext::add_to_linker(&mut linker, |c: &mut Clock| c).unwrap();
        let mut store = Store::new(&engine, Clock { offline: false });
        let mut names: Vec<String> = linker
            .iter(&mut store)
            .map(|(m, n, _)| format!("{m} {n}"))
            .collect();
        names.sort();
        // (`open` takes a string but returns none: the plain prefix.)
        assert_eq!(
            names,
            [
                "cm32p2|test:wasi-use/clock-ext@0.1 open",
                "cm32p2|test:wasi-use/clock-ext@0.1 stamp",
                "cm64p2|test:wasi-use/clock-ext@0.1 open",
                "cm64p2|test:wasi-use/clock-ext@0.1 stamp",
                "wasit2-cm32p2|test:wasi-use/clock-ext@0.1 tags",
                "wasit2-cm64p2|test:wasi-use/clock-ext@0.1 tags",
            ]
        );
    }

    #[test]
    fn an_error_from_a_trappable_method_traps() {
        let engine = wasit2_host::engine().unwrap();
        let module = Module::new(
            &engine,
            r#"(module
                 (import "cm32p2|test:wasi-use/clock-ext@0.1" "stamp" (func $stamp (param i32)))
                 (memory (export "cm32p2_memory") 1)
                 (func (export "go") (result i64)
                   (call $stamp (i32.const 16))
                   (i64.load (i32.const 16))))"#,
        )
        .unwrap();
        let mut linker = Linker::<Clock>::new(&engine);
        Ext::add_to_linker(&mut linker, |c: &mut Clock| c).unwrap();
        for offline in [false, true] {
            let mut store = Store::new(&engine, Clock { offline });
            let instance = linker.instantiate(&mut store, &module).unwrap();
            let go = instance
                .get_typed_func::<(), i64>(&mut store, "go")
                .unwrap();
            match go.call(&mut store, ()) {
                Ok(seconds) => assert!(!offline && seconds == 1_700_000_000),
                Err(e) => assert!(
                    offline && format!("{e:?}").contains("sensor offline"),
                    "{e:?}"
                ),
            }
        }
    }
}
