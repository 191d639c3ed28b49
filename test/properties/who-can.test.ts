// who-can (the subject locator): equal to the oracle's AllowedSubjects as a set; sound (every listed subject
// is allowed by authorize) and complete (every allowed requester is listed, as itself, its SA or a group).
import { test, expect } from "vitest";
import fc from "fast-check";
import { createEngine } from "../../bindings/index.js";
import { NaiveAuthorizer, appliesToUser, type Subject } from "../oracle/k8s-rbac.js";
import { subjectSet, stringSet } from "../vectors/compare.js";
import { policyWithAttributes, ALL_REQUESTERS, runs, seed } from "./gen.js";

const namespaceOf = (attrs: Record<string, any>): string => attrs.resourceAttributes?.namespace ?? "";

/** The requester a listed subject stands for, or undefined when it names nobody by itself. */
function requesterFor(s: { kind: string; name: string; namespace: string }): { user: string; groups: string[] } | undefined {
  if (s.kind === "User") return { user: s.name, groups: [] };
  // why: a user name no subject of the vocabulary uses, so that only the group can grant
  if (s.kind === "Group") return { user: "someone-only-in-the-group", groups: [s.name] };
  if (s.kind === "ServiceAccount" && s.namespace !== "") return { user: `system:serviceaccount:${s.namespace}:${s.name}`, groups: [] };
  return undefined;
}

// Policies include RoleBindings without a namespace: the shrunk counterexample of a fixed whoCan bug
// (they were indexed with the ClusterRoleBindings) is test/vectors/who-can/011-rolebinding-without-namespace.json.
const options = { rbWithoutNamespace: true };

test("whoCan equals AllowedSubjects (as sets), is sound and complete with respect to authorize", async () => {
  await fc.assert(fc.asyncProperty(policyWithAttributes(options), fc.boolean(), async ([objects, attributes], aggregate) => {
    const engine = await createEngine(objects, { aggregate });
    const oracle = new NaiveAuthorizer(objects, { aggregate });
    for (const attrs of attributes) {
      const got = engine.whoCan(attrs);
      const want = oracle.allowedSubjects(attrs);
      expect({ attrs, subjects: subjectSet(got.subjects) }).toEqual({ attrs, subjects: subjectSet(want.subjects) });
      expect(stringSet(got.errors)).toEqual(stringSet(want.errors));
      expect(got.subjects[0]).toMatchObject({ kind: "Group", name: "system:masters" });

      // soundness: every subject that stands for a requester is allowed (system:masters only if it is bound)
      for (const s of got.subjects.slice(1)) {
        const who = requesterFor(s);
        if (!who) continue;
        const r = engine.authorize({ ...who, ...attrs });
        expect({ attrs, subject: s, allowed: r.allowed }).toEqual({ attrs, subject: s, allowed: true });
      }
      // completeness: every allowed requester matches a listed subject
      const ns = namespaceOf(attrs);
      for (const who of ALL_REQUESTERS) {
        if (!engine.authorize({ ...who, ...attrs }).allowed) continue;
        const listed = got.subjects.some((s) => appliesToUser(who, s as Subject, ns));
        expect({ attrs, who, listed }).toEqual({ attrs, who, listed: true });
      }
    }
  }), { numRuns: runs(), seed });
}, 120_000);
