// Regenerates test/vectors/requestinfo/*.json: `npx tsx test/vectors/requestinfo/generate.ts` (then review the
// diff). Cases come from Kubernetes' requestinfo_test.go (TestGetAPIRequestInfo, TestGetNonAPIRequestInfo,
// TestFieldSelectorParsing, TestSelectorParsing: their stated expectations are asserted here against the oracle)
// and from the branches of requestinfo.go, crossed with methods, queries and encodings. Expectations are the
// oracle's (oracle.ts, a byte-level reading of the Go code written apart from the core).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { newRequestInfo, type Info } from "./oracle.js";

const DIR = fileURLToPath(new URL(".", import.meta.url));
const K8S = "k8s.io/apiserver pkg/endpoints/request/requestinfo_test.go (v1.31)";

interface Case { description?: string; method: string; url: string; expect: Record<string, unknown> }

function expectOf(info: Info): Record<string, unknown> {
  const e: Record<string, unknown> = { ...info };
  if (info.error !== undefined) e.error = true;
  return e;
}

function mk(method: string, url: string, description?: string): Case {
  const c: Case = { method, url, expect: expectOf(newRequestInfo(method, url)) };
  if (description) c.description = description;
  return c;
}

function check(c: Case, want: Record<string, unknown>, label: string): Case {
  for (const [k, v] of Object.entries(want)) {
    if (JSON.stringify(c.expect[k]) !== JSON.stringify(v)) {
      throw new Error(`oracle disagrees with ${label} on ${c.method} ${c.url}: ${k} = ${JSON.stringify(c.expect[k])}, want ${JSON.stringify(v)}`);
    }
  }
  return c;
}

function write(file: string, description: string, source: string, cases: Case[]): void {
  const seen = new Set<string>();
  const unique = cases.filter((c) => { const k = c.method + " " + c.url; if (seen.has(k)) return false; seen.add(k); return true; });
  // one case per line: reviewable diffs
  const body = unique.map((c) => "  " + JSON.stringify(c)).join(",\n");
  writeFileSync(DIR + file, `{\n "description": ${JSON.stringify(description)},\n "source": ${JSON.stringify(source)},\n "cases": [\n${body}\n ]\n}\n`);
  console.log(`${file}: ${unique.length} cases`);
}

// ---- 001: TestGetAPIRequestInfo ---------------------------------------------------------------------------------------
const apiTable: [string, string, string, string, string, string, string, string, string, string[]][] = [
  ["GET", "/api/v1/namespaces", "list", "", "v1", "", "namespaces", "", "", ["namespaces"]],
  ["GET", "/api/v1/namespaces/other", "get", "", "v1", "other", "namespaces", "", "other", ["namespaces", "other"]],
  ["GET", "/api/v1/namespaces/other/pods", "list", "", "v1", "other", "pods", "", "", ["pods"]],
  ["GET", "/api/v1/namespaces/other/pods/foo", "get", "", "v1", "other", "pods", "", "foo", ["pods", "foo"]],
  ["HEAD", "/api/v1/namespaces/other/pods/foo", "get", "", "v1", "other", "pods", "", "foo", ["pods", "foo"]],
  ["GET", "/api/v1/pods", "list", "", "v1", "", "pods", "", "", ["pods"]],
  ["HEAD", "/api/v1/pods", "list", "", "v1", "", "pods", "", "", ["pods"]],
  // one requestinfo_test.go (with the change proposed in kubernetes#94656, 2020) expected namespace "" here;
  // kube-apiserver v1.20.2 sends "new-namespace" to its authorization webhook (test/e2e/requestinfo.test.ts), and
  // requestinfo.go of 1.31+ sets it too
  ["PATCH", "/api/v1/namespaces/new-namespace", "patch", "", "v1", "new-namespace", "namespaces", "", "new-namespace", ["namespaces", "new-namespace"]],
  ["GET", "/api/v1/proxy/namespaces/other/pods/foo", "proxy", "", "v1", "other", "pods", "", "foo", ["pods", "foo"]],
  ["GET", "/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource", "proxy", "", "v1", "other", "pods", "", "foo", ["pods", "foo", "subpath", "not", "a", "subresource"]],
  ["GET", "/api/v1/watch/pods", "watch", "", "v1", "", "pods", "", "", ["pods"]],
  ["GET", "/api/v1/pods?watch=true", "watch", "", "v1", "", "pods", "", "", ["pods"]],
  ["GET", "/api/v1/pods?watch=false", "list", "", "v1", "", "pods", "", "", ["pods"]],
  ["GET", "/api/v1/watch/namespaces/other/pods", "watch", "", "v1", "other", "pods", "", "", ["pods"]],
  ["GET", "/api/v1/namespaces/other/pods?watch=1", "watch", "", "v1", "other", "pods", "", "", ["pods"]],
  ["GET", "/api/v1/namespaces/other/pods?watch=0", "list", "", "v1", "other", "pods", "", "", ["pods"]],
  ["GET", "/api/v1/namespaces/other/pods/foo/status", "get", "", "v1", "other", "pods", "status", "foo", ["pods", "foo", "status"]],
  ["GET", "/api/v1/namespaces/other/pods/foo/proxy/subpath", "get", "", "v1", "other", "pods", "proxy", "foo", ["pods", "foo", "proxy", "subpath"]],
  ["PUT", "/api/v1/namespaces/other/finalize", "update", "", "v1", "other", "namespaces", "finalize", "other", ["namespaces", "other", "finalize"]],
  ["PUT", "/api/v1/namespaces/other/status", "update", "", "v1", "other", "namespaces", "status", "other", ["namespaces", "other", "status"]],
  ["PATCH", "/api/v1/namespaces/other/pods/foo", "patch", "", "v1", "other", "pods", "", "foo", ["pods", "foo"]],
  ["DELETE", "/api/v1/namespaces/other/pods/foo", "delete", "", "v1", "other", "pods", "", "foo", ["pods", "foo"]],
  ["POST", "/api/v1/namespaces/other/pods", "create", "", "v1", "other", "pods", "", "", ["pods"]],
  ["DELETE", "/api/v1/nodes", "deletecollection", "", "v1", "", "nodes", "", "", ["nodes"]],
  ["DELETE", "/api/v1/namespaces", "deletecollection", "", "v1", "", "namespaces", "", "", ["namespaces"]],
  ["DELETE", "/api/v1/namespaces/other/pods", "deletecollection", "", "v1", "other", "pods", "", "", ["pods"]],
  ["DELETE", "/apis/extensions/v1/namespaces/other/pods", "deletecollection", "extensions", "v1", "other", "pods", "", "", ["pods"]],
  ["POST", "/apis/extensions/v1/namespaces/other/pods", "create", "extensions", "v1", "other", "pods", "", "", ["pods"]],
  ["POST", "/apis/extensions/v1beta3/namespaces/other/pods", "create", "extensions", "v1beta3", "other", "pods", "", "", ["pods"]],
];
const apiErrors = ["/", "/api/version/", "/apis/group/version/", "/badprefix/version/resource", "/apis/version/resource"];
write("001-k8s-get-api-request-info.json",
  "every case of TestGetAPIRequestInfo: resource paths, special verbs, subresources, verbs, deletecollection, groups and versions; its error cases are non-resource requests",
  K8S + " TestGetAPIRequestInfo", [
    ...apiTable.map(([method, url, verb, apiGroup, apiVersion, namespace, resource, subresource, name, parts]) =>
      check(mk(method, url), { isResourceRequest: true, verb, apiGroup, apiVersion, namespace, resource, subresource, name, parts }, "TestGetAPIRequestInfo")),
    ...apiErrors.map((url) => check(mk("GET", url), { isResourceRequest: false }, "TestGetAPIRequestInfo errorCases")),
  ]);

// ---- 002: TestGetNonAPIRequestInfo ------------------------------------------------------------------------------------
const nonAPI: [string, boolean][] = [
  ["/api/version/resource", true], ["/apis/group/version/resource/name/subresource", true],
  ["/api/version/resource/name/subresource", true], ["/apis/batch/v1/job", true], ["/apis/batch/v1/job/foo", true],
  ["/apis/batch/v1/job/foo/scale", true], ["/not-api/version/resource", false], ["/apis/extensions/v1beta1", false],
  ["/apis/extensions/v1beta1/", false], ["/api/version", false], ["/api", false], ["/", false], ["", false],
];
write("002-k8s-non-api-request-info.json",
  "every case of TestGetNonAPIRequestInfo: which paths are resource requests (an empty target is read as an empty path)",
  K8S + " TestGetNonAPIRequestInfo",
  nonAPI.map(([url, res]) => check(mk("GET", url), { isResourceRequest: res }, "TestGetNonAPIRequestInfo")));

// ---- 003: TestSelectorParsing / TestFieldSelectorParsing -------------------------------------------------------------
const selectors: [string, string, string, string][] = [
  ["GET", "/apis/group/version/resource", "list", ""],
  ["GET", "/apis/group/version/resource?fieldSelector=metadata.name=name1", "list", "name1"],
  ["GET", "/apis/group/version/resource?watch=true&fieldSelector=metadata.name=name1", "watch", "name1"],
  ["GET", "/apis/group/version/resource?fieldSelector=foo=bar&labelSelector=baz=qux", "list", ""],
  ["GET", "/apis/group/version/resource?fieldSelector=foo=bar", "list", ""],
  ["GET", "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo", "list", ""],
  ["GET", "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=true", "watch", ""],
  ["GET", "/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=false", "list", ""],
  ["DELETE", "/apis/group/version/resource?fieldSelector=foo=bar&labelSelector=baz=qux", "deletecollection", ""],
  ["GET", "/apis/group/version/resource?fieldSelector=metadata.name=foo&fieldSelector=metadata.name=bar&labelSelector=foo=bar&labelSelector=foo=baz", "list", "foo"],
  ["GET", "/apis/group/version/resource/name?fieldSelector=foo=bar&labelSelector=foo=bar", "get", "name"],
  ["GET", "/apis/group/version/watch/resource?fieldSelector=metadata.name=foo&labelSelector=foo=bar", "watch", ""],
  ["GET", "/apis/group/version/watch/resource/name?fieldSelector=metadata.name=foo&labelSelector=foo=bar", "watch", "name"],
];
write("003-k8s-selector-parsing.json",
  "every case of TestSelectorParsing and TestFieldSelectorParsing: a metadata.name field selector names the object of a list or watch; an invalid selector names nothing",
  K8S + " TestSelectorParsing, TestFieldSelectorParsing",
  selectors.map(([m, url, verb, name]) => check(mk(m, url), { verb, name }, "TestSelectorParsing")));

// ---- 004: methods x paths ---------------------------------------------------------------------------------------------
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "get", "Post"];
const PATHS = [
  "/api/v1/pods", "/api/v1/pods/p1", "/api/v1/pods/p1/log", "/api/v1/namespaces", "/api/v1/namespaces/ns1",
  "/api/v1/namespaces/ns1/status", "/api/v1/namespaces/ns1/finalize", "/api/v1/namespaces/ns1/pods",
  "/api/v1/namespaces/ns1/pods/p1", "/api/v1/namespaces/ns1/pods/p1/exec", "/api/v1/namespaces/ns1/pods/p1/proxy/a/b",
  "/apis/apps/v1/deployments", "/apis/apps/v1/namespaces/ns1/deployments/d1/scale", "/apis/apps/v1", "/apis/apps",
  "/apis", "/api", "/api/v1", "/healthz", "/version", "/openapi/v2", "/", "/api/v1/watch/pods",
  "/api/v1/watch/namespaces/ns1/pods/p1", "/api/v1/proxy/nodes/n1/stats", "/api/v1/proxy/namespaces/ns1/services/s1:80/x",
  "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
  "/api/v1/namespaces/ns1/serviceaccounts/sa/token", "/apis/apps/v1/namespaces/ns1/deployments/d1/status/extra",
  "/api/v1/nodes/n1/proxy/metrics", "/apis/example.com/v1alpha1/namespaces/ns1/widgets", "/logs/kube-apiserver.log",
  "/metrics", "/livez/etcd", "/api/v1/watch", "/api/v1/proxy", "/apis/apps/v1/watch", "/api/v1/namespaces/ns1/pods/p1/ephemeralcontainers",
  "/apis/apps/v1/namespaces/ns1/statefulsets/s1/scale", "/.well-known/openid-configuration", "/openid/v1/jwks",
];
const crossCases: Case[] = [];
for (const p of PATHS) for (const m of METHODS) crossCases.push(mk(m, p));
write("004-methods-and-paths.json",
  "HTTP methods crossed with resource, subresource, special-verb and non-resource paths: verb mapping (GET/HEAD get, POST create, PUT update, PATCH patch, DELETE delete; others and other cases give \"\" on resources, the lower-cased method on non-resource paths), list and deletecollection without a name, proxy never has a subresource",
  "requestinfo.go NewRequestInfo", crossCases);

// ---- 005: percent-decoding and strange paths ---------------------------------------------------------------------------
const enc: [string, string][] = [
  ["/api/v1/namespaces/ns1/pods/p%31", "escapes are decoded before splitting"],
  ["/api/v1/namespaces/ns%2F1/pods", "%2F decodes to a separator"],
  ["/api/v1/namespaces/ns1/pods/a%2Fb", "a %2F in the name splits it into a subresource"],
  ["/api/v1/namespaces/ns1/pods/a%20b", "%20 is a space"],
  ["/api/v1/namespaces/ns1/pods/a+b", "+ stays + in a path"],
  ["/api/v1/namespaces/ns1/pods/%C3%A9t%C3%A9", "UTF-8 escapes"],
  ["/api/v1/namespaces/ns1/pods/été", "raw UTF-8"],
  ["/api/v1/namespaces/ns1/pods/%FF", "invalid UTF-8 reads as U+FFFD"],
  ["/api/v1/namespaces/ns1/pods/%E2%82", "a truncated sequence gives one U+FFFD per byte"],
  ["/api/v1/namespaces/ns1/pods/%ED%A0%80", "an encoded surrogate is invalid UTF-8"],
  ["/api/v1/namespaces/ns1/pods/%00", "NUL is a character"],
  ["/api/v1/namespaces/ns1/pods/%zz", "an invalid escape: the server answers 400"],
  ["/api/v1/namespaces/ns1/pods/%4", "a truncated escape"],
  ["/api/v1/namespaces/ns1/pods/%", "a bare %"],
  ["/api/v1/namespaces/ns1/pods?x=%zz", "a bad escape in the query only drops that parameter"],
  ["/%61pi/v1/pods", "an encoded prefix"],
  ["/api/v1/%6Eamespaces/ns1/pods", "an encoded namespaces segment"],
  ["/api/v1/namespaces/ns1/pods/p1%3Fwatch=1", "an encoded ? is part of the path"],
  ["/api/v1/namespaces/ns1/pods/p1#frag", "a # is part of the request-target path"],
  ["/api/v1/pods/p1\u0001", "a raw control character: the server answers 400"],
  ["/api/v1/pods/p1\u007f", "DEL is a control character"],
  ["api/v1/pods", "a target without a leading /"],
  ["*", "the asterisk-form target"],
  ["/api/v1/pods/%E2%9C%93", "a 3-byte character"],
  ["/api/v1/pods/%F0%9F%98%80", "a 4-byte character"],
  ["/api/v1/pods/%c3%a9", "lower-case hex"],
];
write("005-percent-decoding.json",
  "the path is percent-decoded as Go's url.ParseRequestURI does before splitting; invalid escapes and control characters are errors (400); invalid UTF-8 is read byte by byte",
  "requestinfo.go NewRequestInfo (req.URL.Path); net/url ParseRequestURI",
  [...enc.map(([u, d]) => mk("GET", u, d)), ...enc.slice(0, 6).map(([u, d]) => mk("DELETE", u, d))]);

// ---- 006: empty segments, slashes, /api vs /apis ---------------------------------------------------------------------
const seg: [string, string][] = [
  ["/api/v1/namespaces//pods", "an empty namespace: cluster-wide with namespace \"\""],
  ["/api/v1/namespaces//pods/p1", "an empty namespace with a name"],
  ["//api/v1/pods", "leading slashes are trimmed"],
  ["/api/v1/pods//", "trailing slashes are trimmed"],
  ["/api//v1/pods", "an empty version segment"],
  ["/api/v1//pods", "an empty resource segment"],
  ["/api/v1/pods//p1", "an empty name segment"],
  ["/api/v1/namespaces/ns1//p1", "an empty resource after the namespace"],
  ["/apis//v1/pods", "an empty group"],
  ["/apis/apps//deployments/d1", "an empty version in a group"],
  ["/apis/apps/v1/", "group and version only: non-resource"],
  ["/apis/apps/v1/deployments/", "a trailing slash on a collection"],
  ["/api/v1/namespaces/", "namespaces collection with a slash"],
  ["/api/v1/namespaces/ns1/", "a namespace with a slash"],
  ["/api/v1/namespaces/ns1/pods/", "a namespaced collection with a slash"],
  ["/API/v1/pods", "prefixes are case-sensitive"],
  ["/apis/v1/pods", "/apis needs a group: v1 is the group here"],
  ["/api/apps/v1/deployments", "/api has no group: apps is the version"],
  ["/apis/apps/v1/namespaces", "namespaces in a group"],
  ["/api/v1/namespaces/ns1/namespaces/ns2", "a namespaces resource inside a namespace"],
  ["/api/v1/namespaces/status", "a namespace named status"],
  ["/api/v1/namespaces/ns1/status/x", "a namespace subresource with more steps"],
  ["/api/v1/namespaces/ns1/finalize/x/y", "finalize with more steps"],
  ["/api/v1/namespaces/ns1/Status", "namespace subresources are case-sensitive"],
  ["/api/v1/proxy/namespaces/ns1", "proxy of a namespace"],
  ["/api/v1/watch/namespaces", "watch of namespaces"],
  ["/api/v1/watch/namespaces/ns1", "watch of one namespace"],
  ["/api/v1/watch/watch/pods", "watch twice"],
  ["/api/v1/proxy/watch/pods", "proxy then watch"],
  ["/api/v1/namespaces/ns1/pods/p1/a/b/c/d", "steps past the subresource are kept in parts only"],
  ["/apis/apps/v1/namespaces/ns1/deployments/d1/status", "a group subresource"],
];
write("006-segments-and-prefixes.json",
  "empty segments are kept (an empty namespace is cluster-wide), slashes at both ends are trimmed, /api has no group and /apis needs one, namespace subresources and special verbs",
  "requestinfo.go NewRequestInfo, splitPath",
  [...seg.map(([u, d]) => mk("GET", u, d)), ...seg.map(([u, d]) => mk("DELETE", u, d)), ...seg.slice(0, 12).map(([u, d]) => mk("POST", u, d))]);

// ---- 007: list options: watch, field selector names, parameters that fail to decode -------------------------------------
const queries: [string, string][] = [
  ["watch=true", ""], ["watch=1", ""], ["watch=false", ""], ["watch=0", ""], ["watch=FALSE", "case-insensitive false"],
  ["watch=False", ""], ["watch=yes", "anything but 0 and false is true"], ["watch=", "an empty value is true"],
  ["watch", "a key without = has an empty value"], ["watch=0&watch=1", "the first value wins"], ["watch=1&watch=0", ""],
  ["wat%63h=1", "keys are unescaped"], ["watch=tru%65", ""], ["watch=%zz", "a bad escape drops the parameter"],
  ["watch=1;x=2", "a ; drops the whole pair"], ["x=1&watch=1;", ""], ["watch=fal%C5%BFe", "EqualFold folds U+017F to s: false"], ["watch=fals%C5%BF", "falsU+017F is not false"],
  ["watch=%20false", "no trimming"], ["Watch=1", "keys are case-sensitive"], ["&&watch=1&&", "empty pairs are skipped"],
  ["watch=+1", "+ is a space in a query"],
  ["fieldSelector=metadata.name=n1", ""], ["fieldSelector=metadata.name==n1", "=="],
  ["fieldSelector=metadata.name!=n1", "!= names nothing"], ["fieldSelector=metadata.name=n1,metadata.name=n0", "sorted terms: the smallest wins"],
  ["fieldSelector=metadata.name=", "an empty name"], ["fieldSelector=metadata.name=a%2Fb", "a name with / is not a path segment"],
  ["fieldSelector=metadata.name=a%25b", "a name with % is not a path segment"], ["fieldSelector=metadata.name=.", "."],
  ["fieldSelector=metadata.name=..", ".."], ["fieldSelector=metadata.name=a\\,b", "an escaped comma"],
  ["fieldSelector=metadata.name=a\\=b", "an escaped ="], ["fieldSelector=metadata.name=a=b", "a bare = in a value is invalid"],
  ["fieldSelector=metadata.name=a\\x", "an unknown escape is invalid"], ["fieldSelector=metadata.name=a\\", "a trailing backslash is invalid"],
  ["fieldSelector=metadata.name=n1,", "an empty term is skipped"], ["fieldSelector=,metadata.name=n1", ""],
  ["fieldSelector=spec.nodeName=n1,metadata.name=n2", "another field beside the name"], ["fieldSelector=metadata.namespace=ns1", ""],
  ["fieldSelector=metadata.name%3Dn1", "encoded ="], ["fieldSelector=metadata.name=n1&watch=1", ""],
  ["fieldSelector=metadata.name=n+1", "+ becomes a space"], ["fieldSelector=metadata.name=%C3%A9", "UTF-8 name"],
  ["fieldSelector=metadata.name=n1&fieldSelector=metadata.name=n2", "the first selector wins"], ["fieldSelector=", "empty selector"],
  ["fieldSelector=metadata.name", "no operator: invalid"], ["fieldSelector=metadata.name=n1&limit=10", ""],
  ["fieldSelector=metadata.name=n1&limit=x", "a bad limit discards the name"], ["fieldSelector=metadata.name=n1&limit=", "an empty limit fails"],
  ["fieldSelector=metadata.name=n1&limit=-5", "a negative limit decodes"], ["fieldSelector=metadata.name=n1&limit=+5", "+ is a space: \" 5\" fails"], ["fieldSelector=metadata.name=n1&limit=%2B5", "a leading + decodes"],
  ["fieldSelector=metadata.name=n1&limit=9223372036854775807", ""], ["fieldSelector=metadata.name=n1&limit=9223372036854775808", "overflow fails"],
  ["fieldSelector=metadata.name=n1&timeoutSeconds=30", ""], ["fieldSelector=metadata.name=n1&timeoutSeconds=1.5", "not an integer"],
  ["fieldSelector=metadata.name=n1&labelSelector=app=web", ""], ["fieldSelector=metadata.name=n1&labelSelector=app", "exists"],
  ["fieldSelector=metadata.name=n1&labelSelector=!app", "does not exist"], ["fieldSelector=metadata.name=n1&labelSelector=app+in+(a,b)", "in"],
  ["fieldSelector=metadata.name=n1&labelSelector=app+notin+()", "notin with no value"], ["fieldSelector=metadata.name=n1&labelSelector=app+in+(a,,b)", ""],
  ["fieldSelector=metadata.name=n1&labelSelector=tier>5", "> with an integer"], ["fieldSelector=metadata.name=n1&labelSelector=tier>x", "> needs an integer"],
  ["fieldSelector=metadata.name=n1&labelSelector=tier<-1", "a negative value is not a label value"],
  ["fieldSelector=metadata.name=n1&labelSelector=app=", "an empty value"], ["fieldSelector=metadata.name=n1&labelSelector=a%3Db,c!%3Dd", ""],
  ["fieldSelector=metadata.name=n1&labelSelector=example.com/app=web", "a prefixed key"],
  ["fieldSelector=metadata.name=n1&labelSelector=Example.com/app=web", "a prefix must be lower-case"],
  ["fieldSelector=metadata.name=n1&labelSelector=-app=web", "a key must start with an alphanumeric"],
  ["fieldSelector=metadata.name=n1&labelSelector=app=we%20b", "a space ends the value"],
  ["fieldSelector=metadata.name=n1&labelSelector=app%3D%3D%3Dx", "=== is == then ="],
  ["fieldSelector=metadata.name=n1&labelSelector=,", "a lone comma"], ["fieldSelector=metadata.name=n1&labelSelector=a,", "a trailing comma"],
  ["fieldSelector=metadata.name=n1&labelSelector=in+in+(in)", "in as key and value"],
  ["fieldSelector=metadata.name=n1&labelSelector=a%00b", "a NUL ends an identifier"],
  ["fieldSelector=metadata.name=n1&labelSelector=a=%00", "a NUL after an operator"],
  ["fieldSelector=metadata.name=n1&labelSelector=" + "a".repeat(64) + "=x", "a key over 63 characters"],
  ["fieldSelector=metadata.name=n1&labelSelector=a=" + "b".repeat(64), "a value over 63 characters"],
  ["fieldSelector=metadata.name=n1&labelSelector=a/b/c=x", "two slashes in a key"],
  ["fieldSelector=metadata.name=n1&labelSelector=!a=b", "!key takes no operator"],
  ["fieldSelector=metadata.name=n1&labelSelector=a+b", "two identifiers"],
  ["fieldSelector=metadata.name=n1&labelSelector=a!=b", "!="], ["fieldSelector=metadata.name=n1&labelSelector=a==b", "=="],
  ["fieldSelector=metadata.name=n1&labelSelector=a+in+b", "in without parentheses"],
  ["fieldSelector=metadata.name=n1&labelSelector=a+in+(b", "unclosed"],
  ["fieldSelector=metadata.name=n1&labelSelector=a+in+(b)c", ""],
  ["fieldSelector=metadata.name=n1&watch=true&limit=x", "watch survives a failed decode"],
  ["fieldSelector=metadata.name=n1&watch=FALSE&limit=x", "the raw fallback lower-cases"],
  ["fieldSelector=metadata.name=n1&watch=fal%C5%BFe&limit=x", "the raw fallback does not fold U+017F"],
  ["fieldSelector=metadata.name=n1&allowWatchBookmarks=maybe", "booleans never fail"],
  ["fieldSelector=metadata.name=n1&sendInitialEvents=x&resourceVersion=abc&resourceVersionMatch=x&continue=x", "strings never fail"],
];
const listPaths = ["/api/v1/namespaces/ns1/pods", "/apis/apps/v1/deployments"];
const qCases: Case[] = [];
for (const [q, d] of queries) {
  qCases.push(mk("GET", listPaths[0] + "?" + q, d || undefined));
  qCases.push(mk("HEAD", listPaths[1] + "?" + q, d || undefined));
}
for (const [q, d] of queries.slice(0, 24)) {
  qCases.push(mk("DELETE", listPaths[0] + "?" + q, (d ? d + "; " : "") + "options do not apply to deletecollection"));
  qCases.push(mk("GET", listPaths[0] + "/p1?" + q, (d ? d + "; " : "") + "a named get ignores list options"));
  qCases.push(mk("GET", "/api/v1/watch/namespaces/ns1/pods?" + q, (d ? d + "; " : "") + "the watch path verb ignores list options"));
  qCases.push(mk("GET", "/healthz?" + q, (d ? d + "; " : "") + "non-resource paths ignore the query"));
}
write("007-list-options.json",
  "a get without a name is a list, or a watch by the watch parameter (Convert_Slice_string_To_bool: only 0 and false are false); a metadata.name field selector names the object; any list option that fails to decode (selectors, limit, timeoutSeconds) resets them, keeping only the raw watch value",
  "requestinfo.go NewRequestInfo; metav1 zz_generated.conversion.go Convert_url_Values_To_v1_ListOptions; fields.ParseSelector; labels.Parse",
  qCases);
