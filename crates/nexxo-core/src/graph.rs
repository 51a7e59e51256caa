//! The module graph: modules keyed by their id, their dependencies in source order, and the reverse
//! edges (importers). Every query answers in a deterministic order (sorted ids, or source order where
//! evaluation order matters) and every traversal is iterative, so a 10,000-module chain or a
//! 5,000-module cycle costs heap, not stack.

use crate::hash::{hash_hex, Hasher};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Module {
    /// Content hash of the module's source.
    pub hash: String,
    /// Resolved ids of static dependencies, in source order (this is evaluation order).
    pub deps: Vec<String>,
    /// Resolved ids of dynamic `import()` targets: edges for HMR, not for evaluation order.
    pub dynamic_deps: Vec<String>,
    pub self_accepting: bool,
    /// Resolved ids whose updates this module accepts through `import.meta.hot.accept(dep)`.
    pub accepted_deps: Vec<String>,
    pub is_entry: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ModuleGraph {
    modules: BTreeMap<String, Module>,
    importers: BTreeMap<String, BTreeSet<String>>,
}

/// A deterministic module id: the path relative to `root`, with `/` separators and no `.`/`..`
/// segments. Paths outside the root keep their normalized absolute form, so ids never collide.
pub fn module_id(root: &str, path: &str) -> String {
    let path = normalize(&path.replace('\\', "/"));
    let root = normalize(&root.replace('\\', "/"));
    let root = root.trim_end_matches('/');
    if !root.is_empty() {
        if let Some(rest) = path.strip_prefix(root) {
            if let Some(rel) = rest.strip_prefix('/') {
                return rel.to_string();
            }
        }
    }
    path
}

/// Resolves `.` and `..` segments lexically; a leading `/` is kept, `..` never climbs above it.
pub fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().map_or(false, |p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

impl ModuleGraph {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.modules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Module> {
        self.modules.get(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.modules.keys()
    }

    fn edges(m: &Module) -> impl Iterator<Item = &String> {
        m.deps.iter().chain(m.dynamic_deps.iter())
    }

    /// Adds or replaces a module; importer edges follow its new dependency list. The modules that
    /// the new list left without any importer (and, in turn, theirs; entries never) leave the graph
    /// and are answered, sorted: what pages prune (a dropped CSS import takes its style away).
    pub fn set(&mut self, id: &str, module: Module) -> Vec<String> {
        let mut dropped = Vec::new();
        if let Some(old) = self.modules.remove(id) {
            for dep in Self::edges(&old) {
                if let Some(set) = self.importers.get_mut(dep) {
                    set.remove(id);
                }
                if !Self::edges(&module).any(|d| d == dep) {
                    dropped.push(dep.clone());
                }
            }
        }
        for dep in Self::edges(&module) {
            self.importers
                .entry(dep.clone())
                .or_default()
                .insert(id.to_string());
        }
        self.modules.insert(id.to_string(), module);
        self.prune_orphans(dropped)
    }

    /// Takes out of the graph each of `candidates` that is a known module, no entry, and imported by
    /// nothing; its own dependencies become candidates in turn.
    fn prune_orphans(&mut self, mut candidates: Vec<String>) -> Vec<String> {
        let mut pruned = Vec::new();
        while let Some(id) = candidates.pop() {
            let unimported = self.importers.get(&id).map_or(true, |set| set.is_empty());
            if !unimported || self.modules.get(&id).map_or(true, |m| m.is_entry) {
                continue;
            }
            let old = self.modules.remove(&id).expect("checked above");
            for dep in Self::edges(&old) {
                if let Some(set) = self.importers.get_mut(dep) {
                    set.remove(&id);
                }
                candidates.push(dep.clone());
            }
            pruned.push(id);
        }
        pruned.sort();
        pruned
    }

    /// Removes a module. Modules that import it keep their edge (now dangling), so a later
    /// `plan_hmr` of the removed id still reaches them.
    pub fn remove(&mut self, id: &str) -> bool {
        match self.modules.remove(id) {
            Some(old) => {
                for dep in Self::edges(&old) {
                    if let Some(set) = self.importers.get_mut(dep) {
                        set.remove(id);
                    }
                }
                true
            }
            None => false,
        }
    }

    /// Modules that import `id` (statically or dynamically), sorted.
    pub fn importers(&self, id: &str) -> Vec<String> {
        self.importers
            .get(id)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Strongly connected components with more than one module, or a module importing itself.
    /// Each cycle is sorted; the list is sorted by first member.
    pub fn cycles(&self) -> Vec<Vec<String>> {
        let ids: Vec<&String> = self.modules.keys().collect();
        let index_of: BTreeMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let adj: Vec<Vec<usize>> = ids
            .iter()
            .map(|id| {
                self.modules[*id]
                    .deps
                    .iter()
                    .filter_map(|d| index_of.get(d.as_str()).copied())
                    .collect()
            })
            .collect();
        let n = ids.len();
        // Iterative Tarjan.
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0usize; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<usize> = Vec::new();
        let mut next_index = 0;
        let mut out: Vec<Vec<String>> = Vec::new();
        for root in 0..n {
            if index[root] != usize::MAX {
                continue;
            }
            let mut work: Vec<(usize, usize)> = vec![(root, 0)];
            while let Some(&mut (v, ref mut child)) = work.last_mut() {
                if *child == 0 && index[v] == usize::MAX {
                    index[v] = next_index;
                    low[v] = next_index;
                    next_index += 1;
                    stack.push(v);
                    on_stack[v] = true;
                }
                if *child < adj[v].len() {
                    let w = adj[v][*child];
                    *child += 1;
                    if index[w] == usize::MAX {
                        work.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    loop {
                        let w = stack.pop().expect("tarjan stack holds the component");
                        on_stack[w] = false;
                        comp.push(ids[w].clone());
                        if w == v {
                            break;
                        }
                    }
                    if comp.len() > 1 || adj[v].contains(&v) {
                        comp.sort();
                        out.push(comp);
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// Evaluation order as Node's ESM loader would run it: depth-first from each entry (entries in
    /// sorted order; without entries, modules nothing imports), dependencies in source order,
    /// a module after its dependencies, each once; modules reachable from no root follow in id order.
    pub fn topo_order(&self) -> Vec<String> {
        self.evaluation().0
    }

    /// The deepest the evaluation walk above goes: the recursion depth a recursive linker reaches
    /// on this graph (a linear chain of n modules gives n). Engines that recurse overflow on it.
    pub fn max_depth(&self) -> usize {
        self.evaluation().1
    }

    fn evaluation(&self) -> (Vec<String>, usize) {
        let mut roots: Vec<&String> = self
            .modules
            .iter()
            .filter(|(_, m)| m.is_entry)
            .map(|(id, _)| id)
            .collect();
        if roots.is_empty() {
            roots = self
                .modules
                .keys()
                .filter(|id| self.importers.get(*id).map_or(true, |s| s.is_empty()))
                .collect();
        }
        let mut visited: BTreeSet<&str> = BTreeSet::new();
        let mut order = Vec::with_capacity(self.modules.len());
        let mut depth = 0;
        let all: Vec<&String> = self.modules.keys().collect();
        for root in roots.into_iter().chain(all) {
            if !visited.insert(root.as_str()) {
                continue;
            }
            let mut work: Vec<(&str, usize)> = vec![(root.as_str(), 0)];
            depth = depth.max(1);
            while let Some(&mut (id, ref mut child)) = work.last_mut() {
                let deps = &self.modules[id].deps;
                if *child < deps.len() {
                    let dep = deps[*child].as_str();
                    *child += 1;
                    if self.modules.contains_key(dep) && visited.insert(dep) {
                        work.push((dep, 0));
                        depth = depth.max(work.len());
                    }
                } else {
                    order.push(id.to_string());
                    work.pop();
                }
            }
        }
        (order, depth)
    }

    /// A hash of the whole graph (ids, content hashes, edges, HMR flags) independent of insertion order.
    pub fn graph_hash(&self) -> String {
        let mut h = Hasher::new();
        for (id, m) in &self.modules {
            h.update(id.as_bytes())
                .update(b"\0")
                .update(m.hash.as_bytes())
                .update(b"\0");
            for list in [&m.deps, &m.dynamic_deps, &m.accepted_deps] {
                for d in list {
                    h.update(d.as_bytes()).update(b"\x01");
                }
                h.update(b"\0");
            }
            h.update(&[m.self_accepting as u8, m.is_entry as u8])
                .update(b"\n");
        }
        crate::hash::to_hex(&h.finalize())
    }
}

/// A short stable id for a module id, for URLs and chunk names.
pub fn short_id(id: &str) -> String {
    hash_hex(id.as_bytes())[..12].to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A module with these static dependencies and nothing else (shared by the graph and HMR tests).
    pub(crate) fn m(deps: &[&str]) -> Module {
        Module {
            deps: deps.iter().map(|s| s.to_string()).collect(),
            ..Module::default()
        }
    }

    #[test]
    fn ids_are_relative_and_normalized() {
        assert_eq!(module_id("/p/app", "/p/app/src/../src/./a.ts"), "src/a.ts");
        assert_eq!(module_id("/p/app/", "/p/app/a.ts"), "a.ts");
        assert_eq!(
            module_id("/p/app", "/p/application/a.ts"),
            "/p/application/a.ts"
        );
        assert_eq!(module_id("C:\\p", "C:\\p\\src\\a.ts"), "src/a.ts");
        assert_eq!(normalize("/../../etc/passwd"), "/etc/passwd");
        assert_eq!(normalize("a/../../b"), "../b");
    }

    #[test]
    fn importers_follow_updates_and_removals() {
        let mut g = ModuleGraph::new();
        g.set("main", m(&["a", "b"]));
        g.set("a", m(&["b"]));
        g.set("b", m(&[]));
        assert_eq!(g.importers("b"), vec!["a", "main"]);
        g.set("a", m(&[]));
        assert_eq!(g.importers("b"), vec!["main"]);
        assert!(g.remove("main"));
        assert!(g.importers("b").is_empty());
        assert!(!g.remove("missing"));
    }

    #[test]
    fn a_dropped_import_prunes_what_nothing_else_imports() {
        let mut g = ModuleGraph::new();
        let entry = |deps: &[&str]| Module {
            is_entry: true,
            ..m(deps)
        };
        assert!(g.set("main", entry(&["app", "shared"])).is_empty());
        g.set("app", m(&["style.css", "shared", "widget"]));
        g.set("widget", m(&["widget.css"]));
        g.set("widget.css", m(&[]));
        g.set("style.css", m(&[]));
        g.set("shared", m(&[]));
        // `shared` is still imported by main; `widget` goes, and its CSS with it.
        assert_eq!(
            g.set("app", m(&["style.css"])),
            vec!["widget", "widget.css"]
        );
        assert!(g.get("widget").is_none() && g.get("widget.css").is_none());
        assert!(g.get("shared").is_some());
        // An entry is never pruned; a dropped edge to a module never set prunes nothing.
        g.set("lazy", m(&["main", "never-set"]));
        assert!(g.set("lazy", m(&[])).is_empty());
        assert!(g.get("main").is_some());
    }

    #[test]
    fn cycles_and_topological_order() {
        let mut g = ModuleGraph::new();
        g.set(
            "main",
            Module {
                is_entry: true,
                ..m(&["a", "c"])
            },
        );
        g.set("a", m(&["b"]));
        g.set("b", m(&["a", "d"]));
        g.set("c", m(&["c"]));
        g.set("d", m(&[]));
        assert_eq!(
            g.cycles(),
            vec![
                vec!["a".to_string(), "b".to_string()],
                vec!["c".to_string()]
            ]
        );
        // Node ESM: main -> a -> b -> (a visiting) -> d; b; a; c; main
        assert_eq!(g.topo_order(), vec!["d", "b", "a", "c", "main"]);
        assert_eq!(g.max_depth(), 4, "main -> a -> b -> d");
    }

    #[test]
    fn graph_hash_ignores_insertion_order_and_sees_edits() {
        let mut g1 = ModuleGraph::new();
        g1.set("a", m(&["b"]));
        g1.set("b", m(&[]));
        let mut g2 = ModuleGraph::new();
        g2.set("b", m(&[]));
        g2.set("a", m(&["b"]));
        assert_eq!(g1.graph_hash(), g2.graph_hash());
        g2.set(
            "b",
            Module {
                hash: "x".into(),
                ..m(&[])
            },
        );
        assert_ne!(g1.graph_hash(), g2.graph_hash());
    }

    #[test]
    fn long_chain_and_big_cycle_are_iterative() {
        let n = 10_000;
        let mut g = ModuleGraph::new();
        for i in 0..n {
            let deps = if i + 1 < n {
                vec![format!("m{:05}", i + 1)]
            } else {
                vec!["m00000".to_string()]
            };
            g.set(
                &format!("m{i:05}"),
                Module {
                    deps,
                    is_entry: i == 0,
                    ..Module::default()
                },
            );
        }
        assert_eq!(g.cycles().len(), 1);
        assert_eq!(g.cycles()[0].len(), n);
        let order = g.topo_order();
        assert_eq!(order.len(), n);
        assert_eq!(g.max_depth(), n);
        assert_eq!(order[0], format!("m{:05}", n - 1));
        assert_eq!(order[n - 1], "m00000");
    }
}
