// SubjectAccessReview spec -> interned Request (shared by every export that takes a spec).
import { SubjectAccessReviewSpecDTO } from "./dto";
import { Snapshot } from "../index/snapshot";
import { Request } from "../eval/authorize";

// Fills q from spec; returns the evaluation error, or "" when the spec is usable.
export function requestFromSpec(s: Snapshot, spec: SubjectAccessReviewSpecDTO, q: Request): string {
  const ra = spec.resourceAttributes;
  const na = spec.nonResourceAttributes;
  if ((ra == null) == (na == null)) {
    return ra == null ? "spec has neither resourceAttributes nor nonResourceAttributes"
      : "spec has both resourceAttributes and nonResourceAttributes";
  }
  const v = s.vocab;
  q.user = v.lookup(spec.user);
  q.setGroupCount(spec.groups.length);
  for (let i = 0; i < spec.groups.length; i++) q.groups[i] = v.lookup(spec.groups[i]);
  if (ra != null) {
    q.setResource(v.lookup(ra.verb), v.lookup(ra.group), v.lookup(ra.resource), v.lookup(ra.subresource),
      v.lookup(ra.name), v.lookup(ra.namespace));
  } else {
    q.setNonResource(v.lookup(na!.verb), na!.path);
  }
  return "";
}

// Subject-only request (rules for, escalation): user, groups and namespace.
export function requestFromSubject(s: Snapshot, user: string, groups: string[], namespace: string, q: Request): void {
  const v = s.vocab;
  q.user = v.lookup(user);
  q.setGroupCount(groups.length);
  for (let i = 0; i < groups.length; i++) q.groups[i] = v.lookup(groups[i]);
  // why: a namespace the snapshot has never seen has no RoleBindings; -1 would also skip them
  q.namespace = namespace.length == 0 ? 0 : v.lookup(namespace);
}
