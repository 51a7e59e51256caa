//! Planning a hot update: from the changed modules up the importer edges to the modules that accept
//! the change (boundaries), or to a full reload when an update would reach a module nobody accepts
//! for, or when it loops through a circular import.

use crate::graph::ModuleGraph;
use crate::json::Json;
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Boundary {
    /// The module that re-runs its accept handler.
    pub boundary: String,
    /// The module through which the update arrived (the boundary itself when it is self-accepting).
    pub accepted_via: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HmrPlan {
    /// Nothing imports the changed files (or they are not in the graph).
    Noop,
    Update {
        boundaries: Vec<Boundary>,
        /// Every module whose code is stale: changed modules and those between them and a boundary.
        invalidated: Vec<String>,
    },
    FullReload {
        reason: String,
        /// The module at which propagation gave up.
        module: String,
    },
}

impl HmrPlan {
    pub fn to_json(&self) -> Json {
        match self {
            HmrPlan::Noop => Json::obj([("type", Json::str("noop"))]),
            HmrPlan::Update {
                boundaries,
                invalidated,
            } => Json::obj([
                ("type", Json::str("update")),
                (
                    "boundaries",
                    Json::Arr(
                        boundaries
                            .iter()
                            .map(|b| {
                                Json::obj([
                                    ("boundary", Json::str(&b.boundary)),
                                    ("acceptedVia", Json::str(&b.accepted_via)),
                                ])
                            })
                            .collect(),
                    ),
                ),
                ("invalidated", Json::strs(invalidated)),
            ]),
            HmrPlan::FullReload { reason, module } => Json::obj([
                ("type", Json::str("full-reload")),
                ("reason", Json::str(reason)),
                ("module", Json::str(module)),
            ]),
        }
    }
}

pub fn plan_hmr(graph: &ModuleGraph, changed: &[String]) -> HmrPlan {
    let changed: BTreeSet<&String> = changed.iter().collect();
    let mut starts: BTreeSet<String> = BTreeSet::new();
    for id in &changed {
        if graph.get(id).is_some() {
            starts.insert((*id).clone());
        } else {
            // A deleted (or never-added) module: whoever still imports it must take the update.
            for other in graph.ids() {
                let m = graph.get(other).expect("id from the graph");
                if m.deps.contains(id) || m.dynamic_deps.contains(id) {
                    if m.accepted_deps.contains(id) {
                        continue;
                    }
                    starts.insert(other.clone());
                }
            }
        }
    }
    if starts.is_empty() {
        return HmrPlan::Noop;
    }

    let mut boundaries: BTreeSet<Boundary> = BTreeSet::new();
    let mut invalidated: BTreeSet<String> = changed.iter().map(|s| (*s).clone()).collect();
    // Modules whose propagation has finished (black) and the current path (gray), as in a DFS.
    let mut done: BTreeSet<String> = BTreeSet::new();
    for start in starts {
        if done.contains(&start) {
            continue;
        }
        let mut on_path: BTreeSet<String> = BTreeSet::new();
        // Each frame: a module and the index of the next importer to look at.
        let mut work: Vec<(String, usize, Vec<String>)> = Vec::new();
        if let Some(plan) = enter(
            graph,
            &start,
            &mut boundaries,
            &mut invalidated,
            &mut on_path,
            &mut work,
        ) {
            return plan;
        }
        while let Some(frame) = work.last_mut() {
            let node = frame.0.clone();
            if frame.1 >= frame.2.len() {
                on_path.remove(&node);
                done.insert(node);
                work.pop();
                continue;
            }
            let importer = frame.2[frame.1].clone();
            frame.1 += 1;
            let accepts = graph
                .get(&importer)
                .map_or(false, |m| m.accepted_deps.contains(&node));
            if accepts {
                boundaries.insert(Boundary {
                    boundary: importer.clone(),
                    accepted_via: node.clone(),
                });
                invalidated.insert(importer);
                continue;
            }
            if on_path.contains(&importer) {
                return HmrPlan::FullReload {
                    reason: "circular import".into(),
                    module: importer,
                };
            }
            if done.contains(&importer) {
                continue;
            }
            if let Some(plan) = enter(
                graph,
                &importer,
                &mut boundaries,
                &mut invalidated,
                &mut on_path,
                &mut work,
            ) {
                return plan;
            }
        }
    }
    HmrPlan::Update {
        boundaries: boundaries.into_iter().collect(),
        invalidated: invalidated.into_iter().collect(),
    }
}

/// Visits `id`: a self-accepting module is a boundary; a module nobody imports means a full reload;
/// otherwise its importers are queued.
fn enter(
    graph: &ModuleGraph,
    id: &str,
    boundaries: &mut BTreeSet<Boundary>,
    invalidated: &mut BTreeSet<String>,
    on_path: &mut BTreeSet<String>,
    work: &mut Vec<(String, usize, Vec<String>)>,
) -> Option<HmrPlan> {
    invalidated.insert(id.to_string());
    let module = graph.get(id)?;
    if module.self_accepting {
        boundaries.insert(Boundary {
            boundary: id.to_string(),
            accepted_via: id.to_string(),
        });
        return None;
    }
    let importers = graph.importers(id);
    if importers.is_empty() {
        return Some(HmrPlan::FullReload {
            reason: "no accepting module above".into(),
            module: id.to_string(),
        });
    }
    on_path.insert(id.to_string());
    work.push((id.to_string(), 0, importers));
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::m;
    use crate::graph::Module;

    fn app() -> ModuleGraph {
        // main -> app -> (button, style.css); app accepts itself (a React component with Fast Refresh)
        let mut g = ModuleGraph::new();
        g.set(
            "main.tsx",
            Module {
                is_entry: true,
                ..m(&["app.tsx"])
            },
        );
        g.set(
            "app.tsx",
            Module {
                self_accepting: true,
                ..m(&["button.tsx", "style.css", "util.ts"])
            },
        );
        g.set(
            "button.tsx",
            Module {
                self_accepting: true,
                ..m(&["util.ts"])
            },
        );
        g.set(
            "style.css",
            Module {
                self_accepting: true,
                ..m(&[])
            },
        );
        g.set("util.ts", m(&[]));
        g
    }

    fn plan(g: &ModuleGraph, changed: &[&str]) -> HmrPlan {
        plan_hmr(
            g,
            &changed.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    }

    fn b(boundary: &str, via: &str) -> Boundary {
        Boundary {
            boundary: boundary.into(),
            accepted_via: via.into(),
        }
    }

    #[test]
    fn leaf_edit_updates_at_nearest_boundaries() {
        match plan(&app(), &["util.ts"]) {
            HmrPlan::Update {
                boundaries,
                invalidated,
            } => {
                assert_eq!(
                    boundaries,
                    vec![b("app.tsx", "app.tsx"), b("button.tsx", "button.tsx")]
                );
                assert_eq!(invalidated, vec!["app.tsx", "button.tsx", "util.ts"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn root_edit_reloads() {
        assert_eq!(
            plan(&app(), &["main.tsx"]),
            HmrPlan::FullReload {
                reason: "no accepting module above".into(),
                module: "main.tsx".into()
            }
        );
    }

    #[test]
    fn css_edit_is_its_own_boundary() {
        assert_eq!(
            plan(&app(), &["style.css"]),
            HmrPlan::Update {
                boundaries: vec![b("style.css", "style.css")],
                invalidated: vec!["style.css".into()]
            }
        );
    }

    #[test]
    fn accepted_dependency_stops_at_the_importer() {
        let mut g = ModuleGraph::new();
        g.set(
            "main.js",
            Module {
                accepted_deps: vec!["dep.js".into()],
                ..m(&["dep.js"])
            },
        );
        g.set("dep.js", m(&[]));
        assert_eq!(
            plan(&g, &["dep.js"]),
            HmrPlan::Update {
                boundaries: vec![b("main.js", "dep.js")],
                invalidated: vec!["dep.js".into(), "main.js".into()]
            }
        );
    }

    #[test]
    fn circular_imports_update_or_reload_never_loop() {
        // a <-> b, b self-accepting: editing b is a plain update.
        let mut g = ModuleGraph::new();
        g.set(
            "main",
            Module {
                is_entry: true,
                ..m(&["a"])
            },
        );
        g.set("a", m(&["b"]));
        g.set(
            "b",
            Module {
                self_accepting: true,
                ..m(&["a"])
            },
        );
        assert!(matches!(plan(&g, &["b"]), HmrPlan::Update { .. }));
        // editing a: reaches b (self-accepting, boundary) and main (no importers): full reload.
        assert!(matches!(plan(&g, &["a"]), HmrPlan::FullReload { .. }));
        // a pure cycle nobody accepts: full reload for the circular import, found without looping.
        let mut c = ModuleGraph::new();
        c.set("x", m(&["y"]));
        c.set("y", m(&["x"]));
        assert_eq!(
            plan(&c, &["x"]),
            HmrPlan::FullReload {
                reason: "circular import".into(),
                module: "x".into()
            }
        );
    }

    #[test]
    fn deleted_file_updates_its_importers() {
        let mut g = app();
        g.remove("util.ts");
        match plan(&g, &["util.ts"]) {
            HmrPlan::Update { boundaries, .. } => assert_eq!(
                boundaries,
                vec![b("app.tsx", "app.tsx"), b("button.tsx", "button.tsx")]
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(plan(&g, &["never-existed.ts"]), HmrPlan::Noop);
    }

    #[test]
    fn new_import_is_seen_after_set() {
        let mut g = app();
        g.set("new.ts", m(&[]));
        assert!(matches!(plan(&g, &["new.ts"]), HmrPlan::FullReload { .. }));
        g.set(
            "button.tsx",
            Module {
                self_accepting: true,
                ..m(&["util.ts", "new.ts"])
            },
        );
        assert_eq!(
            plan(&g, &["new.ts"]),
            HmrPlan::Update {
                boundaries: vec![b("button.tsx", "button.tsx")],
                invalidated: vec!["button.tsx".into(), "new.ts".into()]
            }
        );
    }

    #[test]
    fn wide_diamonds_stay_linear() {
        // 2,000 layers of diamonds would be 2^2000 paths without the `done` set.
        let mut g = ModuleGraph::new();
        let layers = 2000;
        g.set(
            "top",
            Module {
                self_accepting: true,
                ..m(&["l0a", "l0b"])
            },
        );
        for i in 0..layers {
            let next: Vec<String> = if i + 1 < layers {
                vec![format!("l{}a", i + 1), format!("l{}b", i + 1)]
            } else {
                vec!["leaf".into()]
            };
            let deps: Vec<&str> = next.iter().map(|s| s.as_str()).collect();
            g.set(&format!("l{i}a"), m(&deps));
            g.set(&format!("l{i}b"), m(&deps));
        }
        g.set("leaf", m(&[]));
        match plan(&g, &["leaf"]) {
            HmrPlan::Update {
                boundaries,
                invalidated,
            } => {
                assert_eq!(boundaries, vec![b("top", "top")]);
                assert_eq!(invalidated.len(), 2 * layers + 2);
            }
            other => panic!("{other:?}"),
        }
    }
}
