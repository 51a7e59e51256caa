# workerd serve config.capnp  (after `node build.mjs`): the handler on http://127.0.0.1:8787/
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # Registry fetches go out through this service; the handler itself only ever asks the
    # registry's origin.
    (name = "internet", network = (allow = ["public"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
    (name = "nexxo_core.wasm", wasm = embed "dist/nexxo_core.wasm"),
    (name = "esbuild.wasm", wasm = embed "dist/esbuild.wasm"),
    (name = "swc.wasm", wasm = embed "dist/swc.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  globalOutbound = "internet",
  bindings = [(name = "NEXXO_REGISTRY", text = "https://registry.npmjs.org/")],
);
