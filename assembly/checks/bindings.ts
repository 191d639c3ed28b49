// Binding-anchored checks: what a (Cluster)RoleBinding grants (cluster-admin, admin/edit) and to whom (anonymous,
// every authenticated user, system:masters, every ServiceAccount, a default ServiceAccount), dangling references and
// cross-namespace subjects. Severity follows the binding's reach.
import { LintContext, ALL_SERVICE_ACCOUNTS, AUTHENTICATED } from "./context";
import { checkInfo } from "./catalog";
import { Finding, finding, SubjectRef, PathStep, STEP_BINDING, STEP_ROLE } from "./finding";
import { isExemptBinding, isAssumedRole } from "./bootstrap";
import { graded, SCOPE_CLUSTER } from "./severity";
import { Binding, Subject, KIND_CLUSTER_ROLE, SUBJECT_USER, SUBJECT_GROUP, SUBJECT_SERVICE_ACCOUNT } from "../model/policy";
import { describeSubject } from "./roles";

// The role a binding's roleRef names, as a key (whether or not it exists).
function refKey(b: Binding): string {
  const ns = b.roleRef.kind == KIND_CLUSTER_ROLE ? "" : b.namespace;
  return b.roleRef.kind + "/" + ns + "/" + b.roleRef.name;
}

function where(ctx: LintContext, bi: i32): string {
  const b = ctx.binding(bi).binding;
  if (b.isCluster()) return "cluster-wide";
  return ctx.bindingScope(bi) == SCOPE_CLUSTER ? "in sensitive namespace " + b.namespace : "in namespace " + b.namespace;
}

function make(ctx: LintContext, bi: i32, id: string, scoped: bool, field: string, msg: string): Finding | null {
  if (!ctx.cfg.enabled(id)) return null;
  const info = checkInfo(id);
  if (info == null) return null;
  const b = ctx.binding(bi).binding;
  const level = scoped ? graded(info.severity, ctx.bindingScope(bi)) : info.severity;
  const f = finding(id, level, ctx.bindingKey(bi), b.source, field, msg);
  f.path.push(new PathStep(STEP_BINDING, ctx.bindingKey(bi)));
  f.path.push(new PathStep(STEP_ROLE, refKey(b)));
  return f;
}

function allSubjects(f: Finding, b: Binding): void {
  for (let i = 0; i < b.subjects.length; i++) f.addSubject(SubjectRef.of(b.subjects[i], b.namespace));
}

function checkRoleRef(ctx: LintContext, bi: i32): void {
  const ib = ctx.binding(bi);
  const b = ib.binding;
  const ref = b.roleRef;
  const isClusterAdmin = ref.kind == KIND_CLUSTER_ROLE && ref.name == "cluster-admin";
  if ((isClusterAdmin || (ib.role >= 0 && ctx.hasFullWildcard(ib.role))) && !isUnmodifiedDefault(ctx, bi)) {
    const f = make(ctx, bi, "cluster-admin-binding", true, "roleRef.name", ctx.bindingKey(bi) + " grants " + refKey(b) +
      (isClusterAdmin ? "" : ", whose rules include `*` on every resource,") + " " + where(ctx, bi) + " to " +
      b.subjects.length.toString() + " subject(s)");
    if (f != null) {
      allSubjects(f, b);
      ctx.add(f);
    }
  }
  if (ref.kind == KIND_CLUSTER_ROLE && (ref.name == "admin" || ref.name == "edit") && !isUnmodifiedDefault(ctx, bi)) {
    const f = make(ctx, bi, "admin-edit-binding", true, "roleRef.name", ctx.bindingKey(bi) + " grants the built-in " +
      ref.name + " role " + where(ctx, bi) + ": Secrets, pod creation, exec and ServiceAccount impersonation");
    if (f != null) {
      allSubjects(f, b);
      ctx.add(f);
    }
  }
  if (ib.role < 0 && !isAssumedRole(ref.kind, b.namespace, ref.name)) {
    const f = make(ctx, bi, "binding-missing-role", true, "roleRef.name", ctx.bindingKey(bi) + " references " + refKey(b) +
      ", which does not exist (" + ib.error + "); whoever creates it decides what the subjects get");
    if (f != null) {
      allSubjects(f, b);
      ctx.add(f);
    }
  }
}

// One finding per binding and concept for the subjects matching it (which: WHO_*).
function subjectConcept(ctx: LintContext, bi: i32, id: string, which: i32, text: string): void {
  const b = ctx.binding(bi).binding;
  let first = -1;
  for (let i = 0; i < b.subjects.length && first < 0; i++) if (subjectMatches(b.subjects[i], b, which)) first = i;
  if (first < 0) return;
  if (which != WHO_DEFAULT_SA && isUnmodifiedDefault(ctx, bi)) return;
  const matched = new Array<SubjectRef>();
  for (let i = first; i < b.subjects.length; i++) {
    if (subjectMatches(b.subjects[i], b, which)) matched.push(SubjectRef.of(b.subjects[i], b.namespace));
  }
  const f = make(ctx, bi, id, true, "subjects[" + first.toString() + "]", ctx.bindingKey(bi) + " grants " + refKey(b) +
    " " + where(ctx, bi) + " to " + describeSubject(matched[0]) + text);
  if (f == null) return;
  for (let i = 0; i < matched.length; i++) f.addSubject(matched[i]);
  ctx.add(f);
}

const WHO_ANONYMOUS = 0;
const WHO_AUTHENTICATED = 1;
const WHO_MASTERS = 2;
const WHO_ALL_SA = 3;
const WHO_DEFAULT_SA = 4;

function subjectMatches(s: Subject, b: Binding, which: i32): bool {
  if (which == WHO_ANONYMOUS) {
    return (s.kind == SUBJECT_USER && s.name == "system:anonymous") || (s.kind == SUBJECT_GROUP && s.name == "system:unauthenticated");
  }
  if (which == WHO_AUTHENTICATED) return s.kind == SUBJECT_GROUP && s.name == AUTHENTICATED;
  if (which == WHO_MASTERS) return s.kind == SUBJECT_GROUP && s.name == "system:masters";
  if (which == WHO_ALL_SA) {
    return s.kind == SUBJECT_GROUP && (s.name == ALL_SERVICE_ACCOUNTS || s.name.startsWith(ALL_SERVICE_ACCOUNTS + ":"));
  }
  // why: a ServiceAccount subject without a namespace means the RoleBinding's own namespace
  return s.kind == SUBJECT_SERVICE_ACCOUNT && s.name == "default" && (s.namespace.length > 0 || !b.isCluster());
}

// why: only an unmodified default is exempt: the six known bindings with their exact subjects, or any default
// binding whose fingerprint matches (bootstrap.ts); a `system:` name or the label alone is not enough
function isUnmodifiedDefault(ctx: LintContext, bi: i32): bool {
  const b = ctx.binding(bi).binding;
  return isExemptBinding(b, ctx.meta(b.source)) || ctx.isDefaultBinding(bi);
}

// why: most bindings name only Users, ServiceAccounts and ordinary groups; skip them before any string work
function mayName(b: Binding): bool {
  for (let i = 0; i < b.subjects.length; i++) {
    const s = b.subjects[i];
    if (s.kind == SUBJECT_GROUP || s.name.startsWith("system:") || s.name == "default") return true;
  }
  return false;
}

function checkSubjects(ctx: LintContext, bi: i32): void {
  if (!mayName(ctx.binding(bi).binding)) return;
  subjectConcept(ctx, bi, "anonymous-binding", WHO_ANONYMOUS, ", which every unauthenticated request has");
  subjectConcept(ctx, bi, "authenticated-group-binding", WHO_AUTHENTICATED, ", which every authenticated identity has");
  subjectConcept(ctx, bi, "system-masters-binding", WHO_MASTERS, ", a group that bypasses RBAC");
  subjectConcept(ctx, bi, "all-serviceaccounts-group-binding", WHO_ALL_SA, ", so every ServiceAccount token concerned holds it");
  subjectConcept(ctx, bi, "default-sa-binding", WHO_DEFAULT_SA, ", which every pod without its own ServiceAccount runs as");
}

function checkServiceAccountSubjects(ctx: LintContext, bi: i32): void {
  const b = ctx.binding(bi).binding;
  for (let i = 0; i < b.subjects.length; i++) {
    const s = b.subjects[i];
    if (s.kind != SUBJECT_SERVICE_ACCOUNT || ctx.isDefaultBinding(bi)) continue;
    const ref = SubjectRef.of(s, b.namespace);
    const field = "subjects[" + i.toString() + "]";
    if (ref.namespace.length > 0 && ctx.namespaceKnown(ref.namespace) && !ctx.serviceAccountExists(ref.namespace, ref.name)) {
      const f = make(ctx, bi, "binding-missing-subject-sa", false, field, ctx.bindingKey(bi) + " names ServiceAccount " +
        ref.namespace + "/" + ref.name + ", which does not exist; whoever creates it gets " + refKey(b));
      if (f != null) {
        f.addSubject(ref);
        ctx.add(f);
      }
    }
    if (!b.isCluster() && s.namespace.length > 0 && s.namespace != b.namespace) {
      const f = make(ctx, bi, "cross-namespace-subject", false, field, ctx.bindingKey(bi) + " grants " + refKey(b) +
        " in namespace " + b.namespace + " to ServiceAccount " + ref.namespace + "/" + ref.name + " of another namespace");
      if (f != null) {
        f.addSubject(ref);
        ctx.add(f);
      }
    }
  }
}

export function checkBindings(ctx: LintContext): void {
  for (let bi = 0; bi < ctx.s.bindings.length; bi++) {
    checkRoleRef(ctx, bi);
    checkSubjects(ctx, bi);
    checkServiceAccountSubjects(ctx, bi);
  }
}
