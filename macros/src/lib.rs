//! `#[export]`: the one macro that defines every C entry point of ferrossl.
//!
//! ```text
//! #[export]                  // failure value: the zero of the return type (NULL, 0, (), None)
//! #[export(fail = -1)]       // or an explicit one
//! #[no_mangle]
//! pub [unsafe] extern "C" fn NAME(ARGS) -> RET {
//!     BODY                    // evaluates to crate::core::error::Result<RET>
//! }
//! ```
//!
//! becomes a function with the same signature (so cbindgen, which reads the source, sees the C
//! prototype) whose body is
//! `crate::capi::boundary::call(c"NAME", FAIL, || -> Result<RET> { BODY })`:
//! the symbol name is written once, errors are queued under it, panics are caught, and the
//! failure value is returned for any error. The attribute refuses a function that is not
//! `#[no_mangle] extern "C"`, so nothing can be exported around it.
//!
//! Written with `proc_macro` alone: the transformation only splits the item at its body, which
//! does not need a Rust parser.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    match expand(attr, item) {
        Ok(ts) => ts,
        Err((span, msg)) => compile_error(span, &msg),
    }
}

type Failure = (Span, String);

fn expand(attr: TokenStream, item: TokenStream) -> Result<TokenStream, Failure> {
    let fail = failure_value(attr)?;
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let body = match tokens.pop() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g,
        other => {
            let span = other.map_or_else(Span::call_site, |t| t.span());
            return Err((span, "#[export] goes on a function with a body".into()));
        }
    };
    let text: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
    let Some(fn_at) = text.iter().position(|t| t == "fn") else {
        return Err((body.span(), "#[export] goes on a function".into()));
    };
    let name = match tokens.get(fn_at + 1) {
        Some(TokenTree::Ident(i)) => i.clone(),
        _ => return Err((body.span(), "#[export]: no function name".into())),
    };
    if !tokens[..fn_at].iter().any(is_no_mangle) {
        return Err((
            name.span(),
            "#[export] needs #[no_mangle] (cbindgen reads it)".into(),
        ));
    }
    if !text[..fn_at]
        .windows(2)
        .any(|w| w[0] == "extern" && w[1] == "\"C\"")
    {
        return Err((name.span(), "#[export] needs extern \"C\"".into()));
    }
    // The return type: everything after `->` up to the body (no `where` clauses on exports).
    let ret: Vec<TokenTree> = match text[fn_at..]
        .windows(2)
        .position(|w| w[0] == "-" && w[1] == ">")
    {
        Some(i) => tokens[fn_at + i + 2..].to_vec(),
        None => "()"
            .parse::<TokenStream>()
            .expect("unit")
            .into_iter()
            .collect(),
    };
    let ret: TokenStream = ret.into_iter().collect();
    let fail = fail.unwrap_or_else(|| {
        format!("<{ret} as crate::capi::boundary::Failure>::FAILURE")
            .parse()
            .expect("failure expression")
    });
    let cname = Literal::c_string(&std::ffi::CString::new(name.to_string()).expect("identifier"));
    // `crate::capi::boundary::call(c"NAME", FAIL, || -> Result<RET> BODY)`, keeping the body's
    // own tokens (and so its spans, for error messages).
    let mut args: TokenStream = TokenTree::Literal(cname).into();
    args.extend(parse(","));
    args.extend(fail);
    args.extend(parse(","));
    args.extend(parse(&format!("|| -> crate::core::error::Result<{ret}>")));
    args.extend([TokenTree::Group(body)]);
    let mut new_body = parse("crate::capi::boundary::call");
    new_body.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, args))]);
    let mut out: TokenStream = tokens.into_iter().collect();
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, new_body))]);
    Ok(out)
}

/// `fail = EXPR` from the attribute's arguments, if given.
fn failure_value(attr: TokenStream) -> Result<Option<TokenStream>, Failure> {
    let tokens: Vec<TokenTree> = attr.into_iter().collect();
    if tokens.is_empty() {
        return Ok(None);
    }
    match (&tokens[0], tokens.get(1)) {
        (TokenTree::Ident(i), Some(TokenTree::Punct(p)))
            if i.to_string() == "fail" && p.as_char() == '=' =>
        {
            Ok(Some(tokens[2..].iter().cloned().collect()))
        }
        (t, _) => Err((t.span(), "#[export] takes `fail = EXPR` or nothing".into())),
    }
}

fn parse(s: &str) -> TokenStream {
    s.parse().expect("fixed tokens")
}

fn is_no_mangle(t: &TokenTree) -> bool {
    matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket
        && g.stream()
            .to_string()
            .replace(' ', "")
            .trim_start_matches("unsafe(")
            .starts_with("no_mangle"))
}

fn compile_error(span: Span, msg: &str) -> TokenStream {
    let mut lit = Literal::string(msg);
    lit.set_span(span);
    let mut bang = Punct::new('!', Spacing::Alone);
    bang.set_span(span);
    [
        TokenTree::Ident(Ident::new("compile_error", span)),
        TokenTree::Punct(bang),
        TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            TokenTree::Literal(lit).into(),
        )),
        TokenTree::Punct(Punct::new(';', Spacing::Alone)),
    ]
    .into_iter()
    .collect()
}
