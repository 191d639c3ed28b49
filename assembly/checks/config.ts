// Lint configuration (the same semantics as a .rbac-guard.yaml): which checks run, severity overrides, sensitive
// namespaces and ConfigMaps, the token expiry threshold, custom dangerous permissions and suppressions.
// validate() checks values (the bindings have already checked JSON types) and names the offending path.
import { isBuiltinCheck } from "./catalog";
import { severityLevel } from "./severity";
import { DEFAULT_SENSITIVE_CONFIGMAPS } from "./concepts";
import { isDate } from "./dates";

export class CustomCheck {
  id: string = "";
  severity: string = "";
  verbs: string[] = [];
  apiGroups: string[] = [];
  resources: string[] = [];
  message: string = "";
  level: i32 = 0; // set by validate()
}

export class SuppressionRule {
  concept: string = "";
  object: string = ""; // glob: `*` matches any run of characters
  reason: string = "";
  expires: string = ""; // YYYY-MM-DD, inclusive; "" = never
  index: i32 = 0; // position in the config, for paths
  expired: bool = false; // set by validate()
}

export class ConfigError {
  constructor(public message: string, public path: string) {}
}

export const DEFAULT_MAX_TOKEN_SECONDS: i64 = 86400;

export class LintConfig {
  only: string[] = [];
  skip: string[] = [];
  severityKeys: string[] = [];
  severityValues: string[] = [];
  sensitiveNamespaces: string[] = [];
  sensitiveConfigMaps: string[] = [];
  maxTokenExpirationSeconds: i64 = DEFAULT_MAX_TOKEN_SECONDS;
  customChecks: CustomCheck[] = [];
  suppressions: SuppressionRule[] = [];
  today: string = "";

  // kube-system plus the configured ones
  namespaces: string[] = [];
  configMaps: string[] = [];
  private overrides: Map<string, i32> = new Map();

  enabled(id: string): bool {
    if (this.skip.includes(id)) return false;
    return this.only.length == 0 || this.only.includes(id);
  }

  isSensitiveNamespace(ns: string): bool {
    return this.namespaces.includes(ns);
  }

  // the configured severity for a check, or -1
  severityOverride(id: string): i32 {
    return this.overrides.has(id) ? this.overrides.get(id) : -1;
  }

  private known(id: string): bool {
    if (isBuiltinCheck(id)) return true;
    for (let i = 0; i < this.customChecks.length; i++) if (this.customChecks[i].id == id) return true;
    return false;
  }

  validate(): ConfigError | null {
    let e = this.validateCustom();
    if (e != null) return e;
    e = this.validateIds(this.only, "only");
    if (e != null) return e;
    e = this.validateIds(this.skip, "skip");
    if (e != null) return e;
    for (let i = 0; i < this.severityKeys.length; i++) {
      const key = this.severityKeys[i];
      const path = "severity[" + jsonQuote(key) + "]";
      if (!this.known(key)) return new ConfigError("unknown check `" + key + "`", path);
      const level = severityLevel(this.severityValues[i]);
      if (level < 0) return new ConfigError("`" + this.severityValues[i] + "` is not a severity (critical, high, medium, low)", path);
      this.overrides.set(key, level);
    }
    if (this.maxTokenExpirationSeconds <= 0) {
      return new ConfigError("the token expiry threshold must be a positive number of seconds", "maxTokenExpirationSeconds");
    }
    if (this.today.length > 0 && !isDate(this.today)) return new ConfigError("`" + this.today + "` is not a date (YYYY-MM-DD)", "today");
    e = this.validateSuppressions();
    if (e != null) return e;
    this.namespaces = ["kube-system"];
    for (let i = 0; i < this.sensitiveNamespaces.length; i++) this.namespaces.push(this.sensitiveNamespaces[i]);
    this.configMaps = DEFAULT_SENSITIVE_CONFIGMAPS.slice(0);
    for (let i = 0; i < this.sensitiveConfigMaps.length; i++) this.configMaps.push(this.sensitiveConfigMaps[i]);
    return null;
  }

  private validateIds(ids: string[], field: string): ConfigError | null {
    for (let i = 0; i < ids.length; i++) {
      if (!this.known(ids[i])) return new ConfigError("unknown check `" + ids[i] + "`", field + "[" + i.toString() + "]");
    }
    return null;
  }

  private validateCustom(): ConfigError | null {
    for (let i = 0; i < this.customChecks.length; i++) {
      const c = this.customChecks[i];
      const path = "customChecks[" + i.toString() + "]";
      if (!isCheckId(c.id)) return new ConfigError("a custom check needs an id of lowercase letters, digits and `-`", path + ".id");
      if (isBuiltinCheck(c.id)) return new ConfigError("`" + c.id + "` is a built-in check", path + ".id");
      for (let j = 0; j < i; j++) {
        if (this.customChecks[j].id == c.id) return new ConfigError("custom check `" + c.id + "` is defined twice", path + ".id");
      }
      c.level = severityLevel(c.severity);
      if (c.level < 0) return new ConfigError("`" + c.severity + "` is not a severity (critical, high, medium, low)", path + ".severity");
      if (c.verbs.length == 0) return new ConfigError("a custom check needs verbs", path + ".verbs");
      if (c.apiGroups.length == 0) return new ConfigError("a custom check needs apiGroups (\"\" for the core group)", path + ".apiGroups");
      if (c.resources.length == 0) return new ConfigError("a custom check needs resources", path + ".resources");
    }
    return null;
  }

  private validateSuppressions(): ConfigError | null {
    for (let i = 0; i < this.suppressions.length; i++) {
      const s = this.suppressions[i];
      const path = "suppressions[" + i.toString() + "]";
      s.index = i;
      if (s.concept != "*" && !this.known(s.concept)) {
        return new ConfigError("unknown check `" + s.concept + "`", path + ".concept");
      }
      if (s.object.length == 0) return new ConfigError("a suppression needs an object (a `Kind/namespace/name` glob)", path + ".object");
      if (s.reason.trim().length == 0) return new ConfigError("a suppression needs a reason", path + ".reason");
      if (s.expires.length == 0) continue;
      if (!isDate(s.expires)) return new ConfigError("`" + s.expires + "` is not a date (YYYY-MM-DD)", path + ".expires");
      if (this.today.length == 0) return new ConfigError("`today` is required when a suppression expires", "today");
      // why: ISO dates compare as strings; a suppression is valid through its expiry day
      s.expired = this.today > s.expires;
    }
    return null;
  }
}

function isCheckId(id: string): bool {
  if (id.length == 0 || id.length > 100) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d)) return false;
  }
  return true;
}

// A JSON string literal for paths like severity["secrets-read"].
function jsonQuote(s: string): string {
  return "\"" + s.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"") + "\"";
}

// `*` matches any run of characters (slashes included); everything else literally.
export function globMatches(pattern: string, s: string): bool {
  const parts = pattern.split("*");
  if (parts.length == 1) return pattern == s;
  if (!s.startsWith(parts[0])) return false;
  let at = parts[0].length;
  for (let i = 1; i < parts.length - 1; i++) {
    const p = parts[i];
    if (p.length == 0) continue;
    const found = s.indexOf(p, at);
    if (found < 0) return false;
    at = found + p.length;
  }
  const last = parts[parts.length - 1];
  return s.length - at >= last.length && s.endsWith(last);
}
