// Label selectors as metav1.LabelSelectorAsSelector builds them: validation and matching.
import { LabelSelector, Role } from "../model/policy";

function isAlnum(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

// validation.IsQualifiedName's name part and IsValidLabelValue: ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
function isQualifiedNamePart(s: string, allowEmpty: bool): bool {
  const n = s.length;
  if (n == 0) return allowEmpty;
  if (n > 63) return false;
  if (!isAlnum(s.charCodeAt(0)) || !isAlnum(s.charCodeAt(n - 1))) return false;
  for (let i = 1; i < n - 1; i++) {
    const c = s.charCodeAt(i);
    if (!(isAlnum(c) || c == 0x2d || c == 0x5f || c == 0x2e)) return false;
  }
  return true;
}

// validation.IsDNS1123Subdomain
function isDNS1123Subdomain(s: string): bool {
  if (s.length == 0 || s.length > 253) return false;
  const labels = s.split(".");
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    const n = l.length;
    if (n == 0) return false;
    for (let j = 0; j < n; j++) {
      const c = l.charCodeAt(j);
      const lowerAlnum = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);
      if (!lowerAlnum && !(c == 0x2d && j > 0 && j < n - 1)) return false;
    }
  }
  return true;
}

export function isValidLabelKey(key: string): bool {
  const parts = key.split("/");
  if (parts.length == 1) return isQualifiedNamePart(parts[0], false);
  if (parts.length == 2) return isDNS1123Subdomain(parts[0]) && isQualifiedNamePart(parts[1], false);
  return false;
}

export function isValidLabelValue(v: string): bool {
  return isQualifiedNamePart(v, true);
}

// null when the selector is valid; otherwise why (LabelSelectorAsSelector would return an error).
export function selectorError(sel: LabelSelector): string | null {
  for (let i = 0; i < sel.matchLabelKeys.length; i++) {
    if (!isValidLabelKey(sel.matchLabelKeys[i])) return "invalid label key `" + sel.matchLabelKeys[i] + "`";
    if (!isValidLabelValue(sel.matchLabelValues[i])) return "invalid label value `" + sel.matchLabelValues[i] + "`";
  }
  for (let i = 0; i < sel.matchExpressions.length; i++) {
    const e = sel.matchExpressions[i];
    const op = e.operator;
    if (op != "In" && op != "NotIn" && op != "Exists" && op != "DoesNotExist") {
      return "`" + op + "` is not a valid selector operator";
    }
    if (!isValidLabelKey(e.key)) return "invalid label key `" + e.key + "`";
    if ((op == "In" || op == "NotIn") && e.values.length == 0) return "operator `" + op + "` needs values";
    if ((op == "Exists" || op == "DoesNotExist") && e.values.length > 0) return "operator `" + op + "` takes no values";
    for (let j = 0; j < e.values.length; j++) {
      if (!isValidLabelValue(e.values[j])) return "invalid label value `" + e.values[j] + "`";
    }
  }
  return null;
}

// Whether a valid selector matches the role's labels; {} matches everything.
export function selectorMatches(sel: LabelSelector, role: Role): bool {
  for (let i = 0; i < sel.matchLabelKeys.length; i++) {
    const v = role.label(sel.matchLabelKeys[i]);
    if (v == null || v != sel.matchLabelValues[i]) return false;
  }
  for (let i = 0; i < sel.matchExpressions.length; i++) {
    const e = sel.matchExpressions[i];
    const v = role.label(e.key);
    if (e.operator == "In") {
      if (v == null || !e.values.includes(v)) return false;
    } else if (e.operator == "NotIn") {
      if (v != null && e.values.includes(v)) return false;
    } else if (e.operator == "Exists") {
      if (v == null) return false;
    } else if (e.operator == "DoesNotExist") {
      if (v != null) return false;
    }
  }
  return true;
}
