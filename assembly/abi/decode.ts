// Wire DTOs -> model. Duplicate objects (same kind/namespace/name): the later replaces the earlier
// but keeps the earlier's position, so decisions do not depend on how a snapshot was assembled.
import { ObjectDTO, PolicyRuleDTO, LabelSelectorDTO } from "./dto";
import { Binding, LabelSelector, LabelSelectorRequirement, Policy, PolicyRule, Role, RoleRef, Subject,
  KIND_ROLE, KIND_CLUSTER_ROLE, KIND_ROLE_BINDING, KIND_CLUSTER_ROLE_BINDING } from "../model/policy";
import { Diagnostics } from "../util/diagnostics";
import { decodeInventory } from "./decode-inventory";

const RBAC_GROUP = "rbac.authorization.k8s.io/";

export function rule(d: PolicyRuleDTO): PolicyRule {
  const r = new PolicyRule();
  r.verbs = d.verbs;
  r.apiGroups = d.apiGroups;
  r.resources = d.resources;
  r.resourceNames = d.resourceNames;
  r.nonResourceURLs = d.nonResourceURLs;
  return r;
}

function selector(d: LabelSelectorDTO): LabelSelector {
  const s = new LabelSelector();
  s.matchLabelKeys = d.matchLabels.keys();
  s.matchLabelValues = d.matchLabels.values();
  const exprs = new Array<LabelSelectorRequirement>();
  for (let i = 0; i < d.matchExpressions.length; i++) {
    const e = d.matchExpressions[i];
    const r = new LabelSelectorRequirement();
    r.key = e.key;
    r.operator = e.operator;
    r.values = e.values;
    exprs.push(r);
  }
  s.matchExpressions = exprs;
  return s;
}

export function decodePolicy(items: ObjectDTO[], diags: Diagnostics): Policy {
  const p = new Policy();
  const seen = new Map<string, i32>();
  for (let i = 0; i < items.length; i++) {
    const o = items[i];
    const k = o.kind;
    if (k != KIND_ROLE && k != KIND_CLUSTER_ROLE && k != KIND_ROLE_BINDING && k != KIND_CLUSTER_ROLE_BINDING) continue;
    if (o.apiVersion.length > 0 && !o.apiVersion.startsWith(RBAC_GROUP)) continue;
    const cluster = k == KIND_CLUSTER_ROLE || k == KIND_CLUSTER_ROLE_BINDING;
    const ns = cluster ? "" : o.metadata.namespace;
    const key = k + "/" + ns + "/" + o.metadata.name;
    if (k == KIND_ROLE || k == KIND_CLUSTER_ROLE) {
      const r = new Role();
      r.kind = k;
      r.namespace = ns;
      r.name = o.metadata.name;
      r.labelKeys = o.metadata.labels.keys();
      r.labelValues = o.metadata.labels.values();
      const rules = new Array<PolicyRule>(o.rules.length);
      for (let j = 0; j < o.rules.length; j++) rules[j] = rule(o.rules[j]);
      r.rules = rules;
      const agg = o.aggregationRule;
      if (k == KIND_CLUSTER_ROLE && agg != null) {
        const sels = new Array<LabelSelector>();
        for (let j = 0; j < agg.clusterRoleSelectors.length; j++) sels.push(selector(agg.clusterRoleSelectors[j]));
        r.aggregationRule = sels;
      }
      r.source = i;
      if (seen.has(key)) {
        diags.warn("DUPLICATE_OBJECT", "`" + key + "` appears more than once; the later object is used", i, "");
        p.roles[seen.get(key)] = r;
      } else {
        seen.set(key, p.roles.length);
        p.roles.push(r);
      }
    } else {
      const b = new Binding();
      b.kind = k;
      b.namespace = ns;
      b.name = o.metadata.name;
      const ref = new RoleRef();
      ref.apiGroup = o.roleRef.apiGroup;
      ref.kind = o.roleRef.kind;
      ref.name = o.roleRef.name;
      b.roleRef = ref;
      const subjects = new Array<Subject>(o.subjects.length);
      for (let j = 0; j < o.subjects.length; j++) {
        const sd = o.subjects[j];
        const s = new Subject();
        s.kind = sd.kind;
        s.apiGroup = sd.apiGroup;
        s.name = sd.name;
        s.namespace = sd.namespace;
        subjects[j] = s;
      }
      b.subjects = subjects;
      b.source = i;
      if (seen.has(key)) {
        diags.warn("DUPLICATE_OBJECT", "`" + key + "` appears more than once; the later object is used", i, "");
        p.bindings[seen.get(key)] = b;
      } else {
        seen.set(key, p.bindings.length);
        p.bindings.push(b);
      }
    }
  }
  p.inventory = decodeInventory(items, diags);
  return p;
}
