// The three query forms: can they (SubjectAccessReview → yes/no with Kubernetes' reason), who can (the subjects a
// request is allowed for) and what may a subject do (its rules in a namespace, SelfSubjectRulesReview style).
import type { Grant, RulesForResult, SubjectAccessReviewSpec, WhoCanResult } from "../../bindings/web.js";
import { ResourceTable } from "../cli/resources.js";
import { withImplicitGroups } from "../k8s/identity.js";
import type { EngineClient } from "./client.js";
import { byId, fill, h } from "./dom.js";
import type { CanIResult } from "./protocol.js";

const table = new ResourceTable();

function value(form: HTMLFormElement, name: string): string {
  const el = form.elements.namedItem(name) as HTMLInputElement | null;
  return el?.value.trim() ?? "";
}

function checked(form: HTMLFormElement, name: string): boolean {
  return (form.elements.namedItem(name) as HTMLInputElement | null)?.checked ?? false;
}

function groupsOf(form: HTMLFormElement): string[] {
  const given = value(form, "groups").split(",").map((g) => g.trim()).filter((g) => g !== "");
  return checked(form, "implicit") ? withImplicitGroups(value(form, "user"), given) : given;
}

interface Target {
  spec: Pick<SubjectAccessReviewSpec, "resourceAttributes" | "nonResourceAttributes">;
  /** how the request reads: "delete nodes (cluster-scoped)" */
  text: string;
}

/** kubectl's `VERB TYPE[/SUBRESOURCE] [NAME] -n NS`, or `VERB /url`, as a SubjectAccessReview's attributes. */
export function targetOf(verb: string, resource: string, name: string, namespace: string): Target {
  if (resource.startsWith("/")) {
    return { spec: { nonResourceAttributes: { verb, path: resource } }, text: `${verb} ${resource}` };
  }
  const slash = resource.indexOf("/");
  const type = slash < 0 ? resource : resource.slice(0, slash);
  const subresource = slash < 0 ? "" : resource.slice(slash + 1);
  const t = table.resolve(type);
  const ns = t.clusterScoped ? "" : namespace;
  const full = `${t.resource}${t.group ? `.${t.group}` : ""}${subresource ? `/${subresource}` : ""}${name ? ` ${name}` : ""}`;
  const where = t.clusterScoped ? " (cluster-scoped)" : ns ? ` in namespace ${ns}` : " in all namespaces";
  return {
    spec: { resourceAttributes: { verb, group: t.group, resource: t.resource, subresource, name, namespace: ns } },
    text: `${verb} ${full}${where}`,
  };
}

function grantText(g: Grant): string {
  return `${g.binding} → ${g.role}, rule #${g.ruleIndex}`;
}

function failure(out: HTMLElement, e: unknown): void {
  out.replaceChildren(h("p", { class: "error" }, e instanceof Error ? e.message : String(e)));
}

function scrollTable(label: string, head: string[], rows: (string | HTMLElement)[][]): HTMLElement {
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": label },
    h("table", {},
      h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c)))))));
}

function renderCanI(out: HTMLElement, r: CanIResult, asked: string, user: string): void {
  const verdict = r.allowed ? "yes" : "no";
  fill(out,
    h("p", { class: `verdict verdict-${verdict}`, "data-answer": verdict }, verdict),
    h("p", { class: "asked" }, `${user || "(no user)"} may ${asked}`, r.groups.length > 0 ? ` · groups: ${r.groups.join(", ")}` : ""),
    r.reason ? h("p", {}, "Reason: ", h("code", { class: "reason" }, r.reason))
      : h("p", { class: "hint" }, r.allowed ? "" : "No rule of the snapshot allows this request (RBAC has no opinion, so Kubernetes denies it)."),
    r.grant ? h("p", { class: "grant" }, "Granted by ", h("code", {}, grantText(r.grant))) : null,
    r.evaluationError ? h("p", { class: "error" }, `Evaluation error: ${r.evaluationError}`) : null,
  );
}

function renderWhoCan(out: HTMLElement, r: WhoCanResult, asked: string): void {
  const rows = r.subjects.map((s) => [s.kind, s.name, s.namespace, h("span", {}, s.grants.map((g, i) =>
    [i > 0 ? h("br", {}) : null, grantText(g)]))]);
  fill(out,
    h("p", { class: "asked" }, `${r.subjects.length} subject${r.subjects.length === 1 ? "" : "s"} may ${asked}`),
    scrollTable("Subjects", ["Kind", "Name", "Namespace", "Granted by"], rows),
    r.errors.length > 0 ? h("ul", { class: "errors" }, r.errors.map((e) => h("li", {}, e))) : null,
  );
}

function list(v: string[]): string {
  return v.length === 0 ? "—" : v.join(", ");
}

function renderRules(out: HTMLElement, r: RulesForResult, who: string): void {
  const res = r.resourceRules.map((x) => [list(x.verbs), list(x.apiGroups.map((g) => (g === "" ? '""' : g))), list(x.resources),
    list(x.resourceNames), grantText(x.source)]);
  const non = r.nonResourceRules.map((x) => [list(x.verbs), list(x.nonResourceURLs), grantText(x.source)]);
  fill(out,
    h("p", { class: "asked" }, `${who}: ${r.resourceRules.length} resource rule${r.resourceRules.length === 1 ? "" : "s"}, ` +
      `${r.nonResourceRules.length} non-resource rule${r.nonResourceRules.length === 1 ? "" : "s"}`),
    res.length > 0 ? scrollTable("Resource rules", ["Verbs", "API groups", "Resources", "Names", "From"], res) : null,
    non.length > 0 ? scrollTable("Non-resource rules", ["Verbs", "URLs", "From"], non) : null,
    r.evaluationError ? h("p", { class: "error" }, `Incomplete: ${r.evaluationError}`) : null,
  );
}

export function wireQueries(client: EngineClient): void {
  const canI = byId<HTMLFormElement>("can-i-form");
  canI.addEventListener("submit", (e) => {
    e.preventDefault();
    const out = byId("can-i-answer");
    const user = value(canI, "user");
    const t = targetOf(value(canI, "verb"), value(canI, "resource"), value(canI, "name"), value(canI, "namespace"));
    const spec: SubjectAccessReviewSpec = { user, groups: groupsOf(canI), ...t.spec };
    out.replaceChildren(h("p", { class: "hint" }, "Checking…"));
    client.call("canI", { spec }).then((r) => renderCanI(out, r, t.text, user), (err) => failure(out, err));
  });
  const whoCan = byId<HTMLFormElement>("who-can-form");
  whoCan.addEventListener("submit", (e) => {
    e.preventDefault();
    const out = byId("who-can-answer");
    const t = targetOf(value(whoCan, "verb"), value(whoCan, "resource"), value(whoCan, "name"), value(whoCan, "namespace"));
    out.replaceChildren(h("p", { class: "hint" }, "Looking up…"));
    client.call("whoCan", { spec: t.spec }).then((r) => renderWhoCan(out, r, t.text), (err) => failure(out, err));
  });
  const rules = byId<HTMLFormElement>("rules-form");
  rules.addEventListener("submit", (e) => {
    e.preventDefault();
    const out = byId("rules-answer");
    const user = value(rules, "user");
    const namespace = value(rules, "namespace");
    const who = `${user || "(no user)"}${namespace ? ` in namespace ${namespace}` : " (cluster-wide)"}`;
    out.replaceChildren(h("p", { class: "hint" }, "Looking up…"));
    client.call("rulesFor", { user, groups: groupsOf(rules), namespace })
      .then((r) => renderRules(out, r, who), (err) => failure(out, err));
  });
}
