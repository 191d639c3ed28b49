// Everything one lint run shares: the snapshot, the inventory, the configuration, who holds which role, which
// workloads hold which ServiceAccount token, and the findings so far.
import { Snapshot, IndexedBinding, SUBJECT_KIND_OTHER, SUBJECT_KIND_USER, SUBJECT_KIND_GROUP } from "../index/snapshot";
import { ID_UNKNOWN } from "../index/vocab";
import { Inventory, ObjectMeta, ServiceAccount, Workload, TRI_TRUE, TRI_FALSE } from "../model/inventory";
import { Role, SUBJECT_USER, SUBJECT_GROUP, SUBJECT_SERVICE_ACCOUNT, SERVICE_ACCOUNT_USERNAME_PREFIX } from "../model/policy";
import { LintConfig } from "./config";
import { Holders } from "./holders";
import { Finding, SubjectRef } from "./finding";
import { isDefaultRole, isDefaultBinding } from "./bootstrap";
import { hasFullWildcard } from "./role-hits";
import { SCOPE_CLUSTER, SCOPE_NAMESPACE } from "./severity";

export const ALL_SERVICE_ACCOUNTS = "system:serviceaccounts";
export const AUTHENTICATED = "system:authenticated";

function subjectKey(kind: u8, id: i32): i64 {
  return (<i64>kind << 32) | <i64>(<u32>id);
}

export class LintContext {
  holders: Holders;
  findings: Finding[] = [];
  private sas: Map<string, ServiceAccount> = new Map();
  private knownNamespaces: Set<string> = new Set();
  private tokenHolders: Map<string, i32[]> = new Map(); // "ns/sa" -> workloads holding its token
  private workloadKeys: Set<string> = new Set();
  private bySubject: Map<i64, i32[]> = new Map(); // (subject kind, vocabulary id) -> bindings
  private defaultRoles: Map<i32, bool> = new Map();
  exemptRoles: Map<i32, bool> = new Map(); // memo of roles.ts exempt()
  private refs: Map<i32, SubjectRef[]> = new Map();
  private bindingWorkloads: Map<i32, i32> = new Map();
  private fullWildcard: Map<i32, bool> = new Map();
  private defaultBindings: Map<i32, bool> = new Map();
  // names of roles whose binding is an escalation (rbac-bind scoped to them counts); computed by roles.ts
  bindNames: string[] | null = null;

  constructor(public s: Snapshot, public inv: Inventory, public cfg: LintConfig, aggregationOn: bool) {
    this.holders = new Holders(s, aggregationOn);
    for (let i = 0; i < inv.serviceAccounts.length; i++) {
      const sa = inv.serviceAccounts[i];
      this.sas.set(sa.namespace + "/" + sa.name, sa);
      this.knownNamespaces.add(sa.namespace);
    }
    for (let i = 0; i < inv.namespaces.length; i++) this.knownNamespaces.add(inv.namespaces[i].name);
    for (let i = 0; i < inv.workloads.length; i++) this.workloadKeys.add(inv.workloads[i].key());
    for (let i = 0; i < inv.workloads.length; i++) {
      const w = inv.workloads[i];
      if (this.isOwned(w) || !this.hasToken(w)) continue;
      const key = w.namespace + "/" + w.serviceAccount();
      if (!this.tokenHolders.has(key)) this.tokenHolders.set(key, []);
      this.tokenHolders.get(key).push(i);
    }
    this.indexSubjects();
  }

  // why: the snapshot already interned every subject (users and ServiceAccounts by user name, groups by name)
  private indexSubjects(): void {
    for (let b = 0; b < this.s.bindings.length; b++) {
      const ib = this.s.bindings[b];
      if (!ib.binding.isCluster() && ib.binding.namespace.length == 0) continue;
      for (let i = 0; i < ib.subjectKinds.length; i++) {
        const kind = ib.subjectKinds[i];
        if (kind == SUBJECT_KIND_OTHER || ib.subjectKeys[i] == ID_UNKNOWN) continue;
        const key = subjectKey(kind, ib.subjectKeys[i]);
        if (!this.bySubject.has(key)) this.bySubject.set(key, []);
        const list = this.bySubject.get(key);
        if (list.length == 0 || list[list.length - 1] != b) list.push(b);
      }
    }
  }

  private bindingsOf(kind: u8, name: string, seen: Set<i32>, out: i32[]): void {
    const id = this.s.vocab.lookup(name);
    if (id == ID_UNKNOWN) return;
    const key = subjectKey(kind, id);
    if (!this.bySubject.has(key)) return;
    const list = this.bySubject.get(key);
    for (let i = 0; i < list.length; i++) {
      if (seen.has(list[i])) continue;
      seen.add(list[i]);
      out.push(list[i]);
    }
  }

  // ---- objects ----------------------------------------------------------------------------------------------

  meta(index: i32): ObjectMeta | null {
    return this.inv.meta(index);
  }

  role(i: i32): Role {
    return this.s.roles[i];
  }

  roleKey(i: i32): string {
    const r = this.s.roles[i];
    return r.kind + "/" + r.namespace + "/" + r.name;
  }

  binding(i: i32): IndexedBinding {
    return this.s.bindings[i];
  }

  bindingKey(i: i32): string {
    const b = this.s.bindings[i].binding;
    return b.kind + "/" + b.namespace + "/" + b.name;
  }

  serviceAccount(namespace: string, name: string): ServiceAccount | null {
    const key = namespace + "/" + name;
    return this.sas.has(key) ? this.sas.get(key) : null;
  }

  // A namespace the snapshot describes: it has the Namespace object or at least one of its ServiceAccounts.
  namespaceKnown(ns: string): bool {
    return this.knownNamespaces.has(ns);
  }

  // why: every namespace has a `default` ServiceAccount (the controller recreates it), declared or not
  serviceAccountExists(namespace: string, name: string): bool {
    return name == "default" || this.serviceAccount(namespace, name) != null;
  }

  // Whether the role's effective rules contain the `*`/`*`/`*` rule (cached: every binding of it asks).
  hasFullWildcard(i: i32): bool {
    if (!this.fullWildcard.has(i)) this.fullWildcard.set(i, hasFullWildcard(this.s.roles[i].rules));
    return this.fullWildcard.get(i);
  }

  // An unmodified Kubernetes default (bootstrap-data.ts fingerprints plus the bootstrapping label).
  isDefaultRole(i: i32): bool {
    if (!this.defaultRoles.has(i)) {
      const r = this.s.roles[i];
      this.defaultRoles.set(i, isDefaultRole(r, this.meta(r.source)));
    }
    return this.defaultRoles.get(i);
  }

  isDefaultBinding(i: i32): bool {
    if (!this.defaultBindings.has(i)) {
      const b = this.s.bindings[i].binding;
      this.defaultBindings.set(i, isDefaultBinding(b, this.meta(b.source)));
    }
    return this.defaultBindings.get(i);
  }

  // why: in a live cluster a Deployment's ReplicaSets and Pods repeat its pod template; the controller speaks for them
  isOwned(w: Workload): bool {
    return w.owner.length > 0 && this.workloadKeys.has(w.owner);
  }

  // ---- tokens -----------------------------------------------------------------------------------------------

  // Pod-level setting, else the ServiceAccount's, else true.
  automountsToken(w: Workload): bool {
    if (w.automount == TRI_TRUE) return true;
    if (w.automount == TRI_FALSE) return false;
    const sa = this.serviceAccount(w.namespace, w.serviceAccount());
    return sa == null || sa.automount != TRI_FALSE;
  }

  // why: a projected serviceAccountToken volume is a token whatever automount says
  hasToken(w: Workload): bool {
    return w.projectedTokens.length > 0 || this.automountsToken(w);
  }

  // Workloads holding a token of the ServiceAccount namespace/name.
  workloadsOf(namespace: string, name: string): i32[] {
    const key = namespace + "/" + name;
    return this.tokenHolders.has(key) ? this.tokenHolders.get(key) : [];
  }

  // A workload holding a token a binding subject covers (the ServiceAccount itself, or a group all SAs are in), or -1.
  workloadFor(sj: SubjectRef): i32 {
    if (sj.kind == SUBJECT_SERVICE_ACCOUNT) {
      const ws = this.workloadsOf(sj.namespace, sj.name);
      return ws.length > 0 ? ws[0] : -1;
    }
    // why: a User subject named system:serviceaccount:<ns>:<name> is that ServiceAccount's token
    if (sj.kind == SUBJECT_USER && sj.name.startsWith(SERVICE_ACCOUNT_USERNAME_PREFIX)) {
      const rest = sj.name.substring(SERVICE_ACCOUNT_USERNAME_PREFIX.length);
      const colon = rest.indexOf(":");
      if (colon <= 0) return -1;
      const ws = this.workloadsOf(rest.substring(0, colon), rest.substring(colon + 1));
      return ws.length > 0 ? ws[0] : -1;
    }
    if (sj.kind != SUBJECT_GROUP) return -1;
    const prefix = ALL_SERVICE_ACCOUNTS + ":";
    for (let i = 0; i < this.inv.workloads.length; i++) {
      const w = this.inv.workloads[i];
      if (this.isOwned(w) || !this.hasToken(w)) continue;
      if (sj.name == ALL_SERVICE_ACCOUNTS || sj.name == AUTHENTICATED) return i;
      if (sj.name.startsWith(prefix) && sj.name.substring(prefix.length) == w.namespace) return i;
    }
    return -1;
  }

  // Bindings that apply to the ServiceAccount namespace/name: by name, and through the groups every SA token carries.
  bindingsOfServiceAccount(namespace: string, name: string): i32[] {
    const seen = new Set<i32>();
    const out = new Array<i32>();
    this.bindingsOf(SUBJECT_KIND_USER, SERVICE_ACCOUNT_USERNAME_PREFIX + namespace + ":" + name, seen, out);
    this.bindingsOf(SUBJECT_KIND_GROUP, ALL_SERVICE_ACCOUNTS, seen, out);
    this.bindingsOf(SUBJECT_KIND_GROUP, ALL_SERVICE_ACCOUNTS + ":" + namespace, seen, out);
    this.bindingsOf(SUBJECT_KIND_GROUP, AUTHENTICATED, seen, out);
    out.sort((a: i32, b: i32): i32 => a - b);
    return out;
  }

  // The subjects of a binding as references (ServiceAccount namespaces resolved), built once per binding.
  subjectRefs(b: i32): SubjectRef[] {
    if (this.refs.has(b)) return this.refs.get(b);
    const binding = this.s.bindings[b].binding;
    const out = new Array<SubjectRef>(binding.subjects.length);
    for (let i = 0; i < out.length; i++) out[i] = SubjectRef.of(binding.subjects[i], binding.namespace);
    this.refs.set(b, out);
    return out;
  }

  // A workload holding a token that one of the binding's subjects covers, or -1 (memoised per binding).
  workloadOfBinding(b: i32): i32 {
    if (this.bindingWorkloads.has(b)) return this.bindingWorkloads.get(b);
    let w = -1;
    if (this.inv.workloads.length > 0) {
      const refs = this.subjectRefs(b);
      for (let i = 0; i < refs.length && w < 0; i++) w = this.workloadFor(refs[i]);
    }
    this.bindingWorkloads.set(b, w);
    return w;
  }

  // ---- scope ------------------------------------------------------------------------------------------------

  // How far a binding reaches: cluster-wide (or a sensitive namespace such as kube-system), or one namespace.
  bindingScope(b: i32): i32 {
    const binding = this.s.bindings[b].binding;
    if (binding.isCluster() || this.cfg.isSensitiveNamespace(binding.namespace)) return SCOPE_CLUSTER;
    return SCOPE_NAMESPACE;
  }

  // ---- findings ---------------------------------------------------------------------------------------------

  add(f: Finding): void {
    const o = this.cfg.severityOverride(f.id);
    if (o >= 0) f.severity = o;
    this.findings.push(f);
  }
}
