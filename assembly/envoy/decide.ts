// One request through the filter: RequestInfo from :method and :path, the ServiceAccount identity, then the
// source-address rules, the deny rules and RBAC (the core's decide()). A refusal is kube-apiserver's 403
// Status; in shadow mode it is only counted and logged. Anything that cannot be evaluated fails closed unless
// the configuration says failOpen.
import { Action, LogLevel, MapType, Status } from "./types";
import { Bytes, HostBytes, getHeaderMapValue, getProperty, propertyPath, currentTimeNanoseconds, log, logLevel,
  sendLocalResponse, lastStatus } from "./hostcalls";
import { FilterConfig, DenyRule, SourceRule } from "./config";
import { metrics } from "./metrics";
import { forbiddenForRequest, forbiddenStatus } from "./response";
import { JValue } from "./json";
import { structValue } from "./pb";
import { IPAddr, parseSourceAddress, cidrContains } from "./cidr";
import { anyGlob, globMatch } from "./glob";
import { Identity, bearerToken, isJWTShape, jwtPayload, parseClaimsJSON, identityFromClaims, checkTime, claimsError,
  CLAIMS_OK, CLAIMS_NOT_SERVICE_ACCOUNT, CLAIMS_INVALID, TIME_OK, TIME_EXPIRED, TIME_NOT_VALID_YET } from "./identity";
import { IdentityCache } from "./cache";
import { RequestInfo, resolveRequestInfo, decodeUTF8Go } from "../eval/requestinfo";
import { Request, Decision, decide, reasonText } from "../eval/authorize";
import { requestInfoJSON } from "./json";
import { goQuote } from "../util/quote";

const H_METHOD = new Bytes(":method");
const H_PATH = new Bytes(":path");
const H_AUTHORIZATION = new Bytes("authorization");
const SOURCE_ADDRESS = propertyPath(["source", "address"]);

// INVARIANT: one request at a time per VM (proxy-wasm calls are serialized), so scratch state is shared.
const info = new RequestInfo();
const identity = new Identity();
const request = new Request();
const decision = new Decision();
const hostBytes = new HostBytes();
const source = new IPAddr();
const identities = new IdentityCache();
const TAG_VERIFIED: u32 = 1;
const TAG_UNVERIFIED: u32 = 2;
let level: LogLevel = LogLevel.Info;

// ---- outcomes -------------------------------------------------------------------------------------------------------

function refuse(cfg: FilterConfig, code: string, rule: string, body: string, why: string): Action {
  if (!cfg.enforce) {
    metrics.inc(metrics.shadowDenied);
    metrics.incIn(metrics.reasonShadow, code);
    if (rule.length > 0) metrics.incIn(metrics.ruleShadow, rule);
    if (level <= LogLevel.Info) log(LogLevel.Info, "rbac-guard: shadow: would refuse (" + code + "): " + why);
    return Action.Continue;
  }
  metrics.inc(metrics.denied);
  metrics.incIn(metrics.reasonDenied, code);
  if (rule.length > 0) metrics.incIn(metrics.ruleDenied, rule);
  if (level <= LogLevel.Debug) log(LogLevel.Debug, "rbac-guard: refused (" + code + "): " + why);
  sendRefusal(code, rule, body);
  return Action.Pause;
}

function sendRefusal(code: string, rule: string, body: string): void {
  const header = rule.length > 0 ? code + ":" + rule : code;
  sendLocalResponse(403, "rbac_guard_" + code, body,
    ["content-type", "application/json", "x-content-type-options", "nosniff", "x-rbac-guard-reason", header]);
}

// A refusal before the requester is known: "forbidden: rbac-guard: <why>".
function refuseEarly(cfg: FilterConfig, code: string, why: string): Action {
  return refuse(cfg, code, "", forbiddenStatus("", "", "", "rbac-guard: " + why), why);
}

// The request cannot be evaluated: fail closed (403), or pass it on when the configuration says failOpen.
function failure(cfg: FilterConfig | null, code: string, why: string): Action {
  metrics.inc(metrics.errors);
  log(LogLevel.Warn, "rbac-guard: cannot evaluate the request (" + code + "): " + why);
  if (cfg != null && cfg.failOpen) {
    metrics.inc(metrics.failedOpen);
    return Action.Continue;
  }
  if (cfg != null && !cfg.enforce) return refuseEarly(cfg, code, why);
  metrics.inc(metrics.denied);
  metrics.incIn(metrics.reasonDenied, code);
  sendRefusal(code, "", forbiddenStatus("", "", "", "rbac-guard: " + why + " (failing closed)"));
  return Action.Pause;
}

// Credentials other than a ServiceAccount JWT: the apiserver authenticates them, unless configured to refuse.
function otherCredentials(cfg: FilterConfig, why: string): Action {
  if (cfg.refuseNonJWT) return refuseEarly(cfg, "non_jwt", why + "; only ServiceAccount tokens are accepted");
  metrics.inc(metrics.passthrough);
  return Action.Continue;
}

// ---- checks ---------------------------------------------------------------------------------------------------------

// The verified payload jwt_authn left in dynamic metadata: a protobuf Struct (real Envoy) or JSON text.
function verifiedPayload(h: HostBytes): JValue | null {
  if (h.size == 0) return null;
  if (load<u8>(h.ptr) == 0x7b) return parseClaimsJSON(decodeUTF8Go(h.ptr, h.size));
  return structValue(h.ptr, h.ptr + h.size, 0);
}

function subjectMatches(r: DenyRule, id: Identity): bool {
  if (r.anySubject) return true;
  if (r.users.length > 0 && anyGlob(r.users, id.user)) return true;
  if (r.serviceAccounts.length > 0 && anyGlob(r.serviceAccounts, id.serviceAccount)) return true;
  if (r.groups.length > 0) {
    for (let i = 0; i < id.groups.length; i++) if (anyGlob(r.groups, id.groups[i])) return true;
  }
  return false;
}

function listMatches(patterns: string[], value: string): bool {
  return patterns.length == 0 || anyGlob(patterns, value);
}

export function denyRuleMatches(r: DenyRule, id: Identity, ri: RequestInfo): bool {
  if (!subjectMatches(r, id) || !listMatches(r.verbs, ri.verb)) return false;
  if (r.nonResourceURLs.length > 0) return !ri.isResourceRequest && anyGlob(r.nonResourceURLs, ri.path);
  if (!ri.isResourceRequest) return false;
  const resource = ri.subresource.length > 0 ? ri.resource + "/" + ri.subresource : ri.resource;
  return listMatches(r.apiGroups, ri.apiGroup) && listMatches(r.resources, resource) &&
    listMatches(r.namespaces, ri.namespace);
}

function sourceRuleApplies(r: SourceRule, id: Identity): bool {
  if (r.serviceAccount.length > 0) return globMatch(r.serviceAccount, id.serviceAccount);
  return globMatch(r.namespace, id.namespace);
}

function describeSA(id: Identity): string {
  return "ServiceAccount " + goQuote(id.serviceAccount);
}

// Source rules that name the requester: its address must lie in one of their CIDRs. Returns an Action
// when the request is settled here, or -1 to go on.
function checkSource(cfg: FilterConfig): i32 {
  let applicable: SourceRule | null = null;
  for (let i = 0; i < cfg.sources.length; i++) {
    if (sourceRuleApplies(cfg.sources[i], identity)) { applicable = cfg.sources[i]; break; }
  }
  if (applicable == null) return -1;
  const st = getProperty(SOURCE_ADDRESS, hostBytes);
  if (st != Status.Ok) {
    hostBytes.free();
    return failure(cfg, "engine_error", "the source address is unavailable (status " + (<i32>st).toString() + ")");
  }
  const text = decodeUTF8Go(hostBytes.ptr, hostBytes.size);
  hostBytes.free();
  const parsed = parseSourceAddress(text, source);
  for (let i = 0; parsed && i < cfg.sources.length; i++) {
    const r = cfg.sources[i];
    if (!sourceRuleApplies(r, identity)) continue;
    for (let j = 0; j < r.cidrs.length; j++) if (cidrContains(r.cidrs[j], source)) return -1;
  }
  const why = "source address " + goQuote(text) + " is not allowed for " + describeSA(identity) + " (rule " +
    goQuote(applicable!.name) + ")";
  return refuse(cfg, "source", "", forbiddenForRequest(identity.user, info, "rbac-guard: " + why), why);
}

function checkRBAC(cfg: FilterConfig): i32 {
  const s = cfg.snapshot;
  if (s == null) return failure(cfg, "engine_error", "RBAC is enabled but no policy snapshot is loaded");
  const v = s.vocab;
  request.user = v.lookup(identity.user);
  request.setGroupCount(identity.groups.length);
  for (let i = 0; i < identity.groups.length; i++) unchecked(request.groups[i] = v.lookup(identity.groups[i]));
  const verb = v.lookup(info.verb);
  if (info.isResourceRequest) {
    request.setResource(verb, v.lookup(info.apiGroup), v.lookup(info.resource), v.lookup(info.subresource),
      v.lookup(info.name), v.lookup(info.namespace));
  } else {
    request.setNonResource(verb, info.path);
  }
  decide(s, request, decision);
  if (decision.allowed) return -1;
  const core = reasonText(s, decision);
  const why = "no RBAC rule allows it" + (core.length > 0 ? " (" + core + ")" : "");
  return refuse(cfg, "rbac", "", forbiddenForRequest(identity.user, info, "rbac-guard: " + why), why);
}

// ---- the request ----------------------------------------------------------------------------------------------------

export function onRequestHeaders(cfg: FilterConfig | null): Action {
  level = logLevel();
  metrics.inc(metrics.requests);
  if (cfg == null) return failure(null, "not_configured", "no valid configuration is loaded");
  const method = getHeaderMapValue(MapType.HttpRequestHeaders, H_METHOD);
  const path = getHeaderMapValue(MapType.HttpRequestHeaders, H_PATH);
  if (method == null || path == null) return failure(cfg, "engine_error", "the request has no :method or :path");
  resolveRequestInfo(method, path, info);
  if (level == LogLevel.Trace) log(LogLevel.Trace, "rbac-guard: request-info " + requestInfoJSON(info));
  if (info.error.length > 0) return failure(cfg, "bad_request", info.error);

  const auth = getHeaderMapValue(MapType.HttpRequestHeaders, H_AUTHORIZATION);
  if (auth == null && lastStatus != Status.NotFound) {
    return failure(cfg, "engine_error", "the Authorization header is unavailable (status " + (<i32>lastStatus).toString() + ")");
  }
  const token = auth == null ? "" : bearerToken(auth);
  if (token.length == 0) return otherCredentials(cfg, "no bearer token");
  if (!isJWTShape(token)) return otherCredentials(cfg, "the bearer token is not a JWT");

  // The requester: from the cache when these exact bytes were seen before, else from the claims.
  let c: i32 = CLAIMS_OK;
  let invalidWhy = "";
  if (cfg.trustUnverifiedClaims) {
    const key = changetype<usize>(token);
    const keyLen = <usize>token.length << 1;
    if (identities.get(key, keyLen, TAG_UNVERIFIED, identity)) {
      c = identities.status;
      invalidWhy = identities.message;
    } else {
      const claims = jwtPayload(token);
      if (claims == null) return otherCredentials(cfg, "the bearer token is not a JWT");
      c = identityFromClaims(claims, identity);
      invalidWhy = claimsError;
      identities.put(key, keyLen, TAG_UNVERIFIED, c, invalidWhy, identity);
    }
  } else {
    const st = getProperty(cfg.payloadPath, hostBytes);
    if (st == Status.NotFound) {
      hostBytes.free();
      // why: no verified payload: a token that claims to be a ServiceAccount's is refused; others are not ours
      const unverified = jwtPayload(token);
      if (unverified == null || identityFromClaims(unverified, identity) == CLAIMS_NOT_SERVICE_ACCOUNT) {
        return otherCredentials(cfg, "the JWT is not a ServiceAccount token");
      }
      return refuseEarly(cfg, "unverified_token", "the ServiceAccount token was not verified (no `" +
        cfg.payloadInMetadata + "` in the metadata of `" + cfg.metadataNamespace + "`)");
    }
    if (st != Status.Ok) {
      hostBytes.free();
      return failure(cfg, "engine_error", "the verified JWT payload is unavailable (status " + (<i32>st).toString() + ")");
    }
    if (identities.get(hostBytes.ptr, hostBytes.size, TAG_VERIFIED, identity)) {
      c = identities.status;
      invalidWhy = identities.message;
    } else {
      const claims = verifiedPayload(hostBytes);
      if (claims == null) {
        hostBytes.free();
        return failure(cfg, "engine_error", "the verified JWT payload in the metadata cannot be read");
      }
      c = identityFromClaims(claims, identity);
      invalidWhy = claimsError;
      identities.put(hostBytes.ptr, hostBytes.size, TAG_VERIFIED, c, invalidWhy, identity);
    }
    hostBytes.free();
  }

  if (c == CLAIMS_NOT_SERVICE_ACCOUNT) return otherCredentials(cfg, "the JWT is not a ServiceAccount token");
  if (c == CLAIMS_INVALID) return refuseEarly(cfg, "bad_token", "the ServiceAccount token is invalid: " + invalidWhy);
  const now = currentTimeNanoseconds();
  if (now < 0) return failure(cfg, "engine_error", "the host clock is unavailable");
  const t = checkTime(identity, now, cfg.clockSkewNs);
  if (t != TIME_OK) {
    if (t == TIME_EXPIRED) return refuseEarly(cfg, "token_expired", "service account token has expired");
    if (t == TIME_NOT_VALID_YET) return refuseEarly(cfg, "token_not_yet_valid", "service account token is not valid yet");
    return refuseEarly(cfg, "token_issued_in_future", "service account token is issued in the future");
  }

  if (cfg.sources.length > 0) {
    const r = checkSource(cfg);
    if (r >= 0) return <Action>r;
  }
  for (let i = 0; i < cfg.deny.length; i++) {
    const rule = cfg.deny[i];
    if (!denyRuleMatches(rule, identity, info)) continue;
    const why = "denied by rule " + goQuote(rule.name);
    return refuse(cfg, "rule", rule.name, forbiddenForRequest(identity.user, info, "rbac-guard: " + why), why);
  }
  if (cfg.rbacEnabled) {
    const r = checkRBAC(cfg);
    if (r >= 0) return <Action>r;
  }
  metrics.inc(metrics.allowed);
  return Action.Continue;
}
