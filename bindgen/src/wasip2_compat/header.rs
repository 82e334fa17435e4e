//! Reads the function prototypes of wit-bindgen's `__generated_wasip2.h`.
//!
//! Every declaration there sits on one line: `[_Noreturn ][extern ]RET
//! NAME(PARAMS);`. Comments, types and macros are skipped.

/// One declared function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prototype {
    pub name: String,
    pub noreturn: bool,
    /// Return type text, e.g. `bool` or `streams_own_pollable_t`.
    pub ret: String,
    /// Parameter type texts, e.g. `wasip2_list_u8_t *`.
    pub params: Vec<String>,
}

impl Prototype {
    pub fn param_is_pointer(&self, i: usize) -> bool {
        self.params[i].trim_end().ends_with('*')
    }
}

/// All prototypes in header order. Lines that look like a declaration but
/// cannot be read are an error, so nothing is silently left undefined.
pub fn parse(header: &str) -> Result<Vec<Prototype>, String> {
    let mut out = Vec::new();
    let mut lines = header.lines().enumerate();
    while let Some((n, raw)) = lines.next() {
        let line = raw.trim();
        if line.is_empty()
            || line.starts_with("//")
            || line.starts_with("/*")
            || line.starts_with('*')
            || line.starts_with('#')
            || line.starts_with("typedef")
            || line.starts_with("extern \"C\"")
            || !line.contains('(')
        {
            continue;
        }
        // A declaration split over lines is joined up to its `;`.
        let mut decl = line.to_string();
        while !decl.ends_with(';') {
            let Some((_, next)) = lines.next() else {
                return Err(format!("line {}: unterminated declaration", n + 1));
            };
            decl.push(' ');
            decl.push_str(next.trim());
        }
        out.push(
            parse_line(&decl)
                .ok_or_else(|| format!("line {}: cannot read the declaration `{decl}`", n + 1))?,
        );
    }
    if out.is_empty() {
        return Err("no function declarations found".into());
    }
    Ok(out)
}

fn parse_line(line: &str) -> Option<Prototype> {
    let mut rest = line.strip_suffix(");")?;
    let mut noreturn = false;
    loop {
        if let Some(r) = rest.strip_prefix("_Noreturn ") {
            noreturn = true;
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("extern ") {
            rest = r.trim_start();
        } else {
            break;
        }
    }
    let (head, params) = rest.split_once('(')?;
    let (ret, name) = split_ident(head)?;
    let params = params.trim();
    let params = if params == "void" || params.is_empty() {
        Vec::new()
    } else {
        params
            .split(',')
            .map(|p| split_ident(p).map(|(t, _)| t))
            .collect::<Option<Vec<_>>>()?
    };
    Some(Prototype {
        name,
        noreturn,
        ret,
        params,
    })
}

/// Splits `TYPE NAME` (`const char*s`, `wasip2_list_u8_t *ret`) into the
/// type text and the trailing identifier.
fn split_ident(text: &str) -> Option<(String, String)> {
    let text = text.trim();
    let start = text
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let (ty, name) = text.split_at(start);
    let ty = ty.trim();
    if name.is_empty() || ty.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((ty.to_string(), name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_declarations() {
        let h = "// c\nextern bool streams_method_input_stream_read(streams_borrow_input_stream_t self, uint64_t len, wasip2_list_u8_t *ret, streams_stream_error_t *err);\n_Noreturn extern void exit_exit(exit_result_void_void_t *status);\nextern uint64_t random_get_random_u64(void);\nvoid wasip2_string_set(wasip2_string_t *ret, const char*s);\ntypedef struct { int x; } t;\n";
        let p = parse(h).unwrap();
        let split = parse("extern void f(int32_t a,\n    uint64_t b);\n").unwrap();
        assert_eq!(split[0].params, ["int32_t", "uint64_t"]);
        assert!(parse("extern void f(int a,\n").is_err());
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].name, "streams_method_input_stream_read");
        assert_eq!(p[0].ret, "bool");
        assert_eq!(
            p[0].params,
            [
                "streams_borrow_input_stream_t",
                "uint64_t",
                "wasip2_list_u8_t *",
                "streams_stream_error_t *"
            ]
        );
        assert!(p[1].noreturn);
        assert!(p[2].params.is_empty());
        assert_eq!(p[3].params[1], "const char*");
        assert!(p[3].param_is_pointer(1));
    }
}
