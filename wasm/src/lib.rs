//! C ABI of nexxo-core for wasm32-unknown-unknown. Each export moves bytes in and out of linear
//! memory and forwards to `nexxo_core::api`; nothing here decides anything.
//!
//! Protocol: the host allocates input with `nexxo_alloc`, calls a function, which returns the length
//! of its UTF-8 answer; `nexxo_result_ptr` points at that answer until the next call.

use nexxo_core::api;
use nexxo_core::graph::ModuleGraph;
use std::cell::RefCell;

thread_local! {
    static RESULT: RefCell<Vec<u8>> = RefCell::new(Vec::new());
    static GRAPHS: RefCell<Vec<Option<ModuleGraph>>> = RefCell::new(Vec::new());
}

fn reply(text: String) -> usize {
    RESULT.with(|r| {
        let mut r = r.borrow_mut();
        *r = text.into_bytes();
        r.len()
    })
}

/// # Safety
/// `ptr..ptr+len` must be memory the host filled after `nexxo_alloc(len)`.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

unsafe fn text<'a>(ptr: *const u8, len: usize) -> std::borrow::Cow<'a, str> {
    String::from_utf8_lossy(bytes(ptr, len))
}

#[no_mangle]
pub extern "C" fn nexxo_alloc(len: usize) -> *mut u8 {
    let mut buf = Vec::<u8>::with_capacity(len.max(1));
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// # Safety
/// `ptr` and `len` must come from one `nexxo_alloc(len)` call.
#[no_mangle]
pub unsafe extern "C" fn nexxo_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
}

#[no_mangle]
pub extern "C" fn nexxo_result_ptr() -> *const u8 {
    RESULT.with(|r| r.borrow().as_ptr())
}

#[no_mangle]
pub extern "C" fn nexxo_version() -> usize {
    reply(api::VERSION.to_string())
}

/// # Safety
/// See `bytes`.
#[no_mangle]
pub unsafe extern "C" fn nexxo_hash(ptr: *const u8, len: usize) -> usize {
    reply(api::hash(bytes(ptr, len)))
}

/// # Safety
/// See `bytes`.
#[no_mangle]
pub unsafe extern "C" fn nexxo_scan(
    code: *const u8,
    code_len: usize,
    lang: *const u8,
    lang_len: usize,
) -> usize {
    reply(api::scan(&text(code, code_len), &text(lang, lang_len)))
}

/// # Safety
/// See `bytes`.
#[no_mangle]
pub unsafe extern "C" fn nexxo_cache_key(ptr: *const u8, len: usize) -> usize {
    reply(api::cache_key_json(&text(ptr, len)))
}

/// # Safety
/// See `bytes`.
#[no_mangle]
pub unsafe extern "C" fn nexxo_module_id(ptr: *const u8, len: usize) -> usize {
    reply(api::module_id_json(&text(ptr, len)))
}

/// # Safety
/// See `bytes`.
#[no_mangle]
pub unsafe extern "C" fn nexxo_relative_candidates(ptr: *const u8, len: usize) -> usize {
    reply(api::relative_candidates_json(&text(ptr, len)))
}

/// # Safety
/// See `bytes`.
#[no_mangle]
pub unsafe extern "C" fn nexxo_project_from_files(ptr: *const u8, len: usize) -> usize {
    reply(api::project_from_files(&text(ptr, len)))
}

#[no_mangle]
pub extern "C" fn nexxo_graph_new() -> u32 {
    GRAPHS.with(|g| {
        let mut g = g.borrow_mut();
        g.push(Some(ModuleGraph::new()));
        (g.len() - 1) as u32
    })
}

#[no_mangle]
pub extern "C" fn nexxo_graph_free(handle: u32) {
    GRAPHS.with(|g| {
        if let Some(slot) = g.borrow_mut().get_mut(handle as usize) {
            *slot = None;
        }
    })
}

/// # Safety
/// See `bytes`.
#[no_mangle]
pub unsafe extern "C" fn nexxo_graph_call(
    handle: u32,
    op: *const u8,
    op_len: usize,
    args: *const u8,
    args_len: usize,
) -> usize {
    let op = text(op, op_len);
    let args = text(args, args_len);
    let answer = GRAPHS.with(|g| match g.borrow_mut().get_mut(handle as usize) {
        Some(Some(graph)) => api::graph_call(graph, &op, &args),
        _ => r#"{"error":{"message":"graph was freed"}}"#.to_string(),
    });
    reply(answer)
}
