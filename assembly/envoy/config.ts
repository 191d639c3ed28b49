// The plugin configuration (JSON, from proxy_on_configure): syntax checked by JsonReader, every field
// type-checked, unknown keys refused (a typo in a guardrail must not silently disable it). A refused
// configuration leaves the previous one in force. Schema: deploy/envoy/README.md.
import { JsonReader, JValue, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT, kindName } from "./json";
import { Cidr, parseCidr } from "./cidr";
import { snapshotFromItems } from "./policy";
import { Snapshot } from "../index/snapshot";
import { Diagnostics } from "../util/diagnostics";
import { Bytes, propertyPath } from "./hostcalls";

export class DenyRule {
  name: string = "";
  anySubject: bool = true;
  users: string[] = [];
  groups: string[] = [];
  serviceAccounts: string[] = [];
  // empty: any
  verbs: string[] = [];
  apiGroups: string[] = [];
  resources: string[] = [];
  namespaces: string[] = [];
  // set: the rule is about non-resource requests only
  nonResourceURLs: string[] = [];
}

export class SourceRule {
  name: string = "";
  serviceAccount: string = ""; // glob on "namespace/name", or ""
  namespace: string = ""; // glob on the namespace, or ""
  cidrs: Cidr[] = [];
}

export class FilterConfig {
  enforce: bool = true;
  failOpen: bool = false;
  rbacEnabled: bool = false;
  snapshot: Snapshot | null = null;
  deny: DenyRule[] = [];
  sources: SourceRule[] = [];
  metadataNamespace: string = "envoy.filters.http.jwt_authn";
  payloadInMetadata: string = "jwt_payload";
  payloadPath: Bytes = propertyPath(["metadata", "filter_metadata", "envoy.filters.http.jwt_authn", "jwt_payload"]);
  trustUnverifiedClaims: bool = false;
  clockSkewNs: i64 = 60 * 1000000000;
  refuseNonJWT: bool = false;
  warnings: string[] = [];
}

export class ConfigResult {
  config: FilterConfig | null = null;
  error: string = "";
}

// Collects the first error with the path where it was found.
class Checker {
  error: string = "";
  fail(path: string, msg: string): void {
    if (this.error.length == 0) this.error = (path.length > 0 ? "`" + path + "`: " : "") + msg;
  }
  ok(): bool { return this.error.length == 0; }

  keys(o: JValue, path: string, allowed: string[]): void {
    for (let i = 0; i < o.keys.length; i++) {
      if (!allowed.includes(o.keys[i])) {
        this.fail(path, "unknown field `" + o.keys[i] + "` (known: " + allowed.join(", ") + ")");
        return;
      }
    }
  }

  typed(v: JValue, kind: i32, path: string): bool {
    if (v.kind == kind) return true;
    this.fail(path, "must be " + (kind == J_ARRAY ? "an " : "a ") + kindName(kind) + ", not " + kindName(v.kind));
    return false;
  }

  bool(o: JValue, key: string, path: string, def: bool): bool {
    const v = o.get(key);
    if (v == null) return def;
    return this.typed(v, J_BOOL, join(path, key)) ? v.b : def;
  }

  string(o: JValue, key: string, path: string, def: string): string {
    const v = o.get(key);
    if (v == null) return def;
    if (!this.typed(v, J_STRING, join(path, key))) return def;
    if (v.s.length == 0) this.fail(join(path, key), "must not be empty");
    return v.s;
  }

  // A non-empty list of non-empty strings; [] when absent.
  strings(o: JValue, key: string, path: string): string[] {
    const out = new Array<string>();
    const v = o.get(key);
    const p = join(path, key);
    if (v == null || !this.typed(v, J_ARRAY, p)) return out;
    if (v.items.length == 0) this.fail(p, "must not be empty (leave it out to match anything)");
    for (let i = 0; i < v.items.length; i++) {
      const x = v.items[i];
      const px = p + "[" + i.toString() + "]";
      if (!this.typed(x, J_STRING, px)) return out;
      if (x.s.length == 0 && key != "apiGroups" && key != "namespaces") this.fail(px, "must not be empty");
      out.push(x.s);
    }
    return out;
  }
}

function join(path: string, key: string): string {
  return path.length == 0 ? key : path + "." + key;
}

function isRuleName(s: string): bool {
  if (s.length == 0 || s.length > 100) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    if (!alnum && (i == 0 || (c != 0x2d && c != 0x5f && c != 0x2e))) return false;
  }
  return true;
}

const TOP_KEYS = ["mode", "failOpen", "policy", "rbac", "deny", "sourceCIDRs", "jwt", "trustUnverifiedClaims",
  "nonJWTCredentials"];

function denyRule(c: Checker, o: JValue, path: string, names: Set<string>): DenyRule {
  const r = new DenyRule();
  c.keys(o, path, ["name", "subjects", "verbs", "apiGroups", "resources", "namespaces", "nonResourceURLs"]);
  r.name = c.string(o, "name", path, "");
  if (o.get("name") == null) c.fail(join(path, "name"), "is required");
  else if (!isRuleName(r.name)) c.fail(join(path, "name"), "must be letters, digits, '-', '_' or '.' (at most 100)");
  else if (names.has(r.name)) c.fail(join(path, "name"), "`" + r.name + "` is used twice");
  names.add(r.name);
  const subj = o.get("subjects");
  if (subj != null && c.typed(subj, J_OBJECT, join(path, "subjects"))) {
    const sp = join(path, "subjects");
    c.keys(subj, sp, ["users", "groups", "serviceAccounts"]);
    r.anySubject = false;
    r.users = c.strings(subj, "users", sp);
    r.groups = c.strings(subj, "groups", sp);
    r.serviceAccounts = c.strings(subj, "serviceAccounts", sp);
    for (let i = 0; i < r.serviceAccounts.length; i++) {
      const sa = r.serviceAccounts[i];
      const slash = sa.indexOf("/");
      if (slash <= 0 || slash == sa.length - 1 || sa.indexOf("/", slash + 1) >= 0) {
        c.fail(sp + ".serviceAccounts[" + i.toString() + "]", "must be `namespace/name` (globs allowed)");
      }
    }
    if (r.users.length + r.groups.length + r.serviceAccounts.length == 0) {
      c.fail(sp, "names no users, groups or serviceAccounts (leave it out to match every subject)");
    }
  }
  r.verbs = c.strings(o, "verbs", path);
  r.apiGroups = c.strings(o, "apiGroups", path);
  r.resources = c.strings(o, "resources", path);
  r.namespaces = c.strings(o, "namespaces", path);
  r.nonResourceURLs = c.strings(o, "nonResourceURLs", path);
  if (r.nonResourceURLs.length > 0 && r.apiGroups.length + r.resources.length + r.namespaces.length > 0) {
    c.fail(path, "a rule is either about nonResourceURLs or about apiGroups/resources/namespaces");
  }
  return r;
}

function sourceRule(c: Checker, o: JValue, path: string, index: i32): SourceRule {
  const r = new SourceRule();
  c.keys(o, path, ["name", "serviceAccount", "namespace", "cidrs"]);
  r.name = c.string(o, "name", path, "sourceCIDRs[" + index.toString() + "]");
  r.serviceAccount = c.string(o, "serviceAccount", path, "");
  r.namespace = c.string(o, "namespace", path, "");
  if ((r.serviceAccount.length > 0) == (r.namespace.length > 0)) c.fail(path, "needs exactly one of `serviceAccount` and `namespace`");
  if (r.serviceAccount.length > 0 && r.serviceAccount.indexOf("/") <= 0) c.fail(join(path, "serviceAccount"), "must be `namespace/name` (globs allowed)");
  const list = c.strings(o, "cidrs", path);
  if (o.get("cidrs") == null) c.fail(join(path, "cidrs"), "is required");
  for (let i = 0; i < list.length; i++) {
    const cidr = parseCidr(list[i]);
    if (cidr == null) c.fail(join(path, "cidrs") + "[" + i.toString() + "]", "`" + list[i] + "` is not an IPv4 or IPv6 CIDR");
    else r.cidrs.push(cidr);
  }
  return r;
}

const reader = new JsonReader();

export function parseConfig(text: string): ConfigResult {
  const res = new ConfigResult();
  const root = reader.parse(text);
  if (root == null) {
    res.error = "the configuration is not valid JSON: " + reader.error;
    return res;
  }
  const c = new Checker();
  if (!c.typed(root, J_OBJECT, "")) { res.error = c.error; return res; }
  c.keys(root, "", TOP_KEYS);
  const cfg = new FilterConfig();

  const mode = c.string(root, "mode", "", "enforce");
  if (mode != "enforce" && mode != "shadow") c.fail("mode", "must be `enforce` or `shadow`");
  cfg.enforce = mode != "shadow";
  cfg.failOpen = c.bool(root, "failOpen", "", false);
  cfg.trustUnverifiedClaims = c.bool(root, "trustUnverifiedClaims", "", false);
  const nonJWT = c.string(root, "nonJWTCredentials", "", "passthrough");
  if (nonJWT != "passthrough" && nonJWT != "refuse") c.fail("nonJWTCredentials", "must be `passthrough` or `refuse`");
  cfg.refuseNonJWT = nonJWT == "refuse";

  const jwt = root.get("jwt");
  if (jwt != null && c.typed(jwt, J_OBJECT, "jwt")) {
    c.keys(jwt, "jwt", ["metadataNamespace", "payloadInMetadata", "clockSkewSeconds"]);
    cfg.metadataNamespace = c.string(jwt, "metadataNamespace", "jwt", cfg.metadataNamespace);
    cfg.payloadInMetadata = c.string(jwt, "payloadInMetadata", "jwt", cfg.payloadInMetadata);
    const skew = jwt.get("clockSkewSeconds");
    if (skew != null && c.typed(skew, J_NUMBER, "jwt.clockSkewSeconds")) {
      if (!(skew.n >= 0 && skew.n <= 3600)) c.fail("jwt.clockSkewSeconds", "must be between 0 and 3600");
      else cfg.clockSkewNs = <i64>(skew.n * 1e9);
    }
  }
  cfg.payloadPath = propertyPath(["metadata", "filter_metadata", cfg.metadataNamespace, cfg.payloadInMetadata]);

  const rbac = root.get("rbac");
  const policy = root.get("policy");
  cfg.rbacEnabled = policy != null;
  let aggregate = true;
  if (rbac != null && c.typed(rbac, J_OBJECT, "rbac")) {
    c.keys(rbac, "rbac", ["enabled", "aggregate"]);
    cfg.rbacEnabled = c.bool(rbac, "enabled", "rbac", cfg.rbacEnabled);
    aggregate = c.bool(rbac, "aggregate", "rbac", true);
  }
  if (cfg.rbacEnabled && policy == null) c.fail("rbac.enabled", "needs a `policy` ({\"items\": [Kubernetes objects]})");

  const denyList = root.get("deny");
  if (denyList != null && c.typed(denyList, J_ARRAY, "deny")) {
    const names = new Set<string>();
    for (let i = 0; i < denyList.items.length && c.ok(); i++) {
      const p = "deny[" + i.toString() + "]";
      const o = denyList.items[i];
      if (c.typed(o, J_OBJECT, p)) cfg.deny.push(denyRule(c, o, p, names));
    }
  }
  const srcList = root.get("sourceCIDRs");
  if (srcList != null && c.typed(srcList, J_ARRAY, "sourceCIDRs")) {
    for (let i = 0; i < srcList.items.length && c.ok(); i++) {
      const p = "sourceCIDRs[" + i.toString() + "]";
      const o = srcList.items[i];
      if (c.typed(o, J_OBJECT, p)) cfg.sources.push(sourceRule(c, o, p, i));
    }
  }

  let items: JValue[] | null = null;
  if (policy != null && c.typed(policy, J_OBJECT, "policy")) {
    const list = policy.get("items");
    if (list == null) c.fail("policy", "needs `items` (a list of Kubernetes objects)");
    else if (c.typed(list, J_ARRAY, "policy.items")) items = list.items;
  }
  if (!c.ok()) {
    res.error = c.error;
    return res;
  }
  if (items != null && cfg.rbacEnabled) {
    const diags = new Diagnostics();
    cfg.snapshot = snapshotFromItems(items!, aggregate, diags);
    for (let i = 0; i < diags.items.length; i++) cfg.warnings.push(diags.items[i].code + ": " + diags.items[i].message);
  } else if (items != null) {
    cfg.warnings.push("`policy` is ignored: `rbac.enabled` is false");
  }
  res.config = cfg;
  return res;
}
