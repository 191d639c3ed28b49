// Query exports (ABI 1.1): rbac_who_can, rbac_rules_for, rbac_covers, rbac_check_escalation, rbac_explain;
// (ABI 2.1) the compact forms rbac_who_can_ids, rbac_who_can_path, rbac_rules_for_ids and their rbac_query_tables.
import { JSON } from "json-as";
import { readUTF8, output } from "./memory";
import { pathTable } from "../index/paths";
import { PolicyRuleDTO } from "./dto";
import { GrantDTO, WhoCanSubjectDTO, WhoCanResultDTO, ResourceRuleDTO, NonResourceRuleDTO, RulesForResultDTO,
  CoversResultDTO, EscalationResultDTO, ExplainResultDTO } from "./queries-dto";
import { parseSpec, parseSubject, parseCovers, parseEscalation } from "./json-input";
import { snapshot, unknownSnapshot, failure, request, decision, fastPrincipal } from "./registry";
import { requestFromSpec, requestFromSubject } from "./request";
import { rule as toRule } from "./decode";
import { Snapshot, storageRoleRefError } from "../index/snapshot";
import { decide, reasonText } from "../eval/authorize";
import { whoCan, rulesFor, aggregateError, bindingKey, roleRefKey, SYSTEM_PRIVILEGED_GROUP, whoCanInto, rulesForInto }
  from "../eval/queries";
import { queryIndex, queryTables } from "../index/query-index";
import { collectIfGrown } from "../util/gc";
import { uncoveredRules, missingDescriptions, quoteList } from "../eval/covers";
import { PolicyRule, Subject, SUBJECT_GROUP, KIND_CLUSTER_ROLE } from "../model/policy";
import { goQuote } from "../util/quote";

const RBAC_API_GROUP = "rbac.authorization.k8s.io";

function grant(s: Snapshot, binding: i32, ruleIndex: i32): GrantDTO {
  const g = new GrantDTO();
  const b = s.bindings[binding].binding;
  g.binding = bindingKey(b);
  g.role = roleRefKey(b);
  g.ruleIndex = ruleIndex;
  return g;
}

function ruleDTO(r: PolicyRule): PolicyRuleDTO {
  const d = new PolicyRuleDTO();
  d.verbs = r.verbs;
  d.apiGroups = r.apiGroups;
  d.resources = r.resources;
  d.resourceNames = r.resourceNames;
  d.nonResourceURLs = r.nonResourceURLs;
  return d;
}

function findSubject(list: WhoCanSubjectDTO[], s: Subject): WhoCanSubjectDTO | null {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x.kind == s.kind && x.apiGroup == s.apiGroup && x.name == s.name && x.namespace == s.namespace) return x;
  }
  return null;
}

// Subjects allowed the spec's attributes (user fields ignored), de-duplicated, each with its grants.
export function rbac_who_can(id: i32, ptr: usize, len: u32, flags: u32): usize {
  const s = snapshot(id);
  if (s == null) return unknownSnapshot(id);
  const spec = parseSpec(readUTF8(ptr, len));
  const err = requestFromSpec(s, spec, request);
  if (err.length > 0) return failure("BAD_SPEC", err, "");
  const found = whoCan(s, request);
  const out = new WhoCanResultDTO();
  // why: the subject locator always names system:masters first (its power comes from the authorizer chain)
  const masters = new WhoCanSubjectDTO();
  masters.kind = SUBJECT_GROUP;
  masters.apiGroup = RBAC_API_GROUP;
  masters.name = SYSTEM_PRIVILEGED_GROUP;
  out.subjects.push(masters);
  const seen = new Map<string, WhoCanSubjectDTO>();
  seen.set(SUBJECT_GROUP + "\u0000" + RBAC_API_GROUP + "\u0000" + SYSTEM_PRIVILEGED_GROUP + "\u0000", masters);
  for (let i = 0; i < found.grants.length; i++) {
    const g = found.grants[i];
    const subjects = s.bindings[g.binding].binding.subjects;
    for (let j = 0; j < subjects.length; j++) {
      const sj = subjects[j];
      const key = sj.kind + "\u0000" + sj.apiGroup + "\u0000" + sj.name + "\u0000" + sj.namespace;
      let d: WhoCanSubjectDTO;
      if (seen.has(key)) {
        d = seen.get(key);
      } else {
        d = new WhoCanSubjectDTO();
        d.kind = sj.kind;
        d.apiGroup = sj.apiGroup;
        d.name = sj.name;
        d.namespace = sj.namespace;
        seen.set(key, d);
        out.subjects.push(d);
      }
      const gd = grant(s, g.binding, g.rule);
      let dup = false;
      for (let k = 0; k < d.grants.length; k++) if (d.grants[k].binding == gd.binding) dup = true;
      if (!dup) d.grants.push(gd);
    }
  }
  for (let i = 0; i < found.errors.length; i++) out.errors.push(s.bindings[found.errors[i]].error);
  return output(JSON.stringify(out));
}

// What a SelfSubjectRulesReview returns under RBAC for {user, groups, namespace}.
export function rbac_rules_for(id: i32, ptr: usize, len: u32, flags: u32): usize {
  const s = snapshot(id);
  if (s == null) return unknownSnapshot(id);
  const input = parseSubject(readUTF8(ptr, len));
  requestFromSubject(s, input.user, input.groups, input.namespace, request);
  const found = rulesFor(s, request);
  const out = new RulesForResultDTO();
  for (let i = 0; i < found.rules.length; i++) {
    const rg = found.rules[i];
    const r = rg.rule;
    if (r.resources.length > 0) {
      const d = new ResourceRuleDTO();
      d.verbs = r.verbs;
      d.apiGroups = r.apiGroups;
      d.resources = r.resources;
      d.resourceNames = r.resourceNames;
      d.source = grant(s, rg.binding, rg.ruleIndex);
      out.resourceRules.push(d);
    }
    if (r.nonResourceURLs.length > 0) {
      const d = new NonResourceRuleDTO();
      d.verbs = r.verbs;
      d.nonResourceURLs = r.nonResourceURLs;
      d.source = grant(s, rg.binding, rg.ruleIndex);
      out.nonResourceRules.push(d);
    }
  }
  out.evaluationError = aggregateError(found.errors);
  return output(JSON.stringify(out));
}

function rules(list: PolicyRuleDTO[]): PolicyRule[] {
  const out = new Array<PolicyRule>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = toRule(list[i]);
  return out;
}

// Covers(owner, servant) with Kubernetes' escalation-check semantics; needs no snapshot.
export function rbac_covers(ptr: usize, len: u32, flags: u32): usize {
  const input = parseCovers(readUTF8(ptr, len));
  const missing = uncoveredRules(rules(input.owner), rules(input.servant));
  const out = new CoversResultDTO();
  out.covers = missing.length == 0;
  for (let i = 0; i < missing.length; i++) out.uncovered.push(ruleDTO(missing[i]));
  out.missing = missingDescriptions(missing);
  return output(JSON.stringify(out));
}

// Could {user, groups} create or update a Role/ClusterRole with these rules? As kube-apiserver's
// policy-based storage decides: system:masters, or the escalate verb on the role, or ConfirmNoEscalation.
export function rbac_check_escalation(id: i32, ptr: usize, len: u32, flags: u32): usize {
  const s = snapshot(id);
  if (s == null) return unknownSnapshot(id);
  const input = parseEscalation(readUTF8(ptr, len));
  const cluster = input.kind == KIND_CLUSTER_ROLE;
  const ns = cluster ? "" : input.namespace;
  const out = new EscalationResultDTO();
  if (input.groups.includes(SYSTEM_PRIVILEGED_GROUP)) {
    out.allowed = true;
    out.via = SYSTEM_PRIVILEGED_GROUP;
    return output(JSON.stringify(out));
  }
  requestFromSubject(s, input.user, input.groups, ns, request);
  // why: RoleEscalationAuthorized asks about the request's RequestInfo name: none for a create (POST to the
  // collection), the role's for an update (PUT or PATCH of it; server-side apply creates that way too)
  request.setResource(s.vocab.lookup("escalate"), s.vocab.lookup(RBAC_API_GROUP),
    s.vocab.lookup(cluster ? "clusterroles" : "roles"), 0, s.vocab.lookup(input.operation == "update" ? input.name : ""),
    request.namespace);
  decide(s, request, decision);
  if (decision.allowed) {
    out.allowed = true;
    out.via = "escalate";
    return output(JSON.stringify(out));
  }
  const owner = rulesFor(s, request);
  const ownerRules = new Array<PolicyRule>(owner.rules.length);
  for (let i = 0; i < owner.rules.length; i++) ownerRules[i] = owner.rules[i].rule;
  const missing = uncoveredRules(ownerRules, rules(input.rules));
  if (missing.length == 0) {
    out.allowed = true;
    out.via = "covered";
    return output(JSON.stringify(out));
  }
  for (let i = 0; i < missing.length; i++) out.uncovered.push(ruleDTO(missing[i]));
  out.missing = missingDescriptions(missing);
  let msg = "user " + goQuote(input.user) + " (groups=" + quoteList(input.groups) +
    ") is attempting to grant RBAC permissions not currently held:\n" + out.missing.join("\n");
  if (owner.errors.length > 0) {
    const errors = new Array<string>(owner.errors.length);
    for (let i = 0; i < errors.length; i++) errors[i] = storageRoleRefError(owner.errors[i]);
    msg += "; resolution errors: [" + aggregateError(errors) + "]";
  }
  out.message = msg;
  return output(JSON.stringify(out));
}

// authorize, plus the binding, role and rule index that grant an allowed request.
export function rbac_explain(id: i32, ptr: usize, len: u32, flags: u32): usize {
  const s = snapshot(id);
  if (s == null) return unknownSnapshot(id);
  const spec = parseSpec(readUTF8(ptr, len));
  const out = new ExplainResultDTO();
  out.evaluationError = requestFromSpec(s, spec, request);
  if (out.evaluationError.length > 0) return output(JSON.stringify(out));
  decide(s, request, decision);
  out.allowed = decision.allowed;
  out.reason = reasonText(s, decision);
  if (decision.allowed) out.grant = grant(s, decision.binding, decision.rule);
  return output(JSON.stringify(out));
}

// ---- compact answers (ABI 2.1) ---------------------------------------------------------------------------------

// The tables that turn compact answers into objects: binding and role keys, subjects, role rules, errors.
// Built on the snapshot's first query (never at load). Output buffer: [u32 length][binary, see ABI.md]; 0 for
// an unknown snapshot.
export function rbac_query_tables(id: i32, flags: u32): usize {
  collectIfGrown();
  const s = snapshot(id);
  if (s == null) return 0;
  return __pin(changetype<usize>(queryTables(s)));
}

// whoCan for resource attributes given as vocabulary ids (-1: not in the snapshot), like rbac_decide's.
// Returns a pointer to the guest-owned answer words (see whoCanInto), valid until the next compact query;
// 0 for an unknown snapshot.
export function rbac_who_can_ids(id: i32, verb: i32, apiGroup: i32, resource: i32, subresource: i32, name: i32,
  namespace: i32): usize {
  collectIfGrown();
  const s = snapshot(id);
  if (s == null) return 0;
  request.setResource(verb, apiGroup, resource, subresource, name, namespace);
  whoCanInto(s, request);
  return changetype<usize>(queryIndex(s).answer);
}

// whoCan for non-resource attributes: the verb's id, the URL path as UTF-8 at ptr (the path buffer).
export function rbac_who_can_path(id: i32, verb: i32, ptr: usize, len: u32): usize {
  collectIfGrown();
  const s = snapshot(id);
  if (s == null) return 0;
  request.setPath(verb, pathTable(s).entry(ptr, len));
  whoCanInto(s, request);
  return changetype<usize>(queryIndex(s).answer);
}

// rulesFor {user, groups, namespace} as ids (groups: the first nGroups ids of the groups buffer; namespace 0
// for none, -1 for one the snapshot does not know). Returns the answer words (see rulesForInto); 0 for an
// unknown snapshot or a bad group count.
export function rbac_rules_for_ids(id: i32, user: i32, nGroups: i32, namespace: i32): usize {
  collectIfGrown();
  const s = snapshot(id);
  if (s == null) return 0;
  if (!fastPrincipal(user, nGroups)) return 0;
  request.namespace = namespace;
  rulesForInto(s, request);
  return changetype<usize>(queryIndex(s).answer);
}
