// Who is asking: the Authorization header, a JWT's payload, and ServiceAccount claims as kube-apiserver reads
// them (pkg/serviceaccount/claims.go: the "kubernetes.io" private claims of bound tokens, or the flat
// "kubernetes.io/serviceaccount/..." claims of legacy secret tokens), then the time checks of go-jose's
// Claims.ValidateWithLeeway (nbf, exp, iat; NumericDate seconds truncated to integers).
import { JValue, JsonReader, J_NUMBER } from "./json";
import { decodeUTF8Go, indexOfChar } from "../eval/requestinfo";
import { SERVICE_ACCOUNT_USERNAME_PREFIX } from "../model/policy";

export const GROUP_ALL_SERVICE_ACCOUNTS = "system:serviceaccounts";
export const GROUP_AUTHENTICATED = "system:authenticated";

export class Identity {
  user: string = "";
  namespace: string = "";
  name: string = "";
  uid: string = "";
  pod: string = "";
  node: string = "";
  // "namespace/name", what serviceAccounts globs match
  serviceAccount: string = "";
  groups: string[] = [GROUP_ALL_SERVICE_ACCOUNTS, "", GROUP_AUTHENTICATED];
  hasExp: bool = false;
  hasNbf: bool = false;
  hasIat: bool = false;
  exp: i64 = 0;
  nbf: i64 = 0;
  iat: i64 = 0;
}

// The bearer token of an Authorization value, as the apiserver's bearertoken authenticator reads it
// (TrimSpace, SplitN(" ", 3), scheme compared lower-cased, token = the second part), or "".
export function bearerToken(auth: string): string {
  let a = 0;
  let b = auth.length;
  while (a < b && isSpace(auth.charCodeAt(a))) a++;
  while (b > a && isSpace(auth.charCodeAt(b - 1))) b--;
  const sp = indexOfChar(auth, 0x20, a);
  if (sp < 0 || sp >= b || sp - a != 6) return "";
  for (let i = 0; i < 6; i++) if ((auth.charCodeAt(a + i) | 0x20) != "bearer".charCodeAt(i)) return "";
  let end = indexOfChar(auth, 0x20, sp + 1);
  if (end < 0 || end > b) end = b;
  return auth.substring(sp + 1, end);
}

function isSpace(c: i32): bool {
  return c == 0x20 || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0;
}

// Three non-empty dot-separated parts (a compact JWS), checked without copying the token.
export function isJWTShape(token: string): bool {
  const d1 = indexOfChar(token, 0x2e, 0);
  if (d1 <= 0) return false;
  const d2 = indexOfChar(token, 0x2e, d1 + 1);
  return d2 > d1 + 1 && indexOfChar(token, 0x2e, d2 + 1) < 0 && d2 < token.length - 1;
}

function b64(c: i32): i32 {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26;
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52;
  if (c == 0x2d) return 62;
  if (c == 0x5f) return 63;
  return -1;
}

// Unpadded base64url (RFC 7515) -> UTF-8 text, or null.
export function base64urlDecode(s: string): string | null {
  if (s.length % 4 == 1) return null;
  const out = new ArrayBuffer((s.length * 3) >> 2);
  const base = changetype<usize>(out);
  let n: usize = 0;
  let acc: u32 = 0;
  let bits: u32 = 0;
  for (let i = 0; i < s.length; i++) {
    const v = b64(s.charCodeAt(i));
    if (v < 0) return null;
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      store<u8>(base + n++, <u8>(acc >> bits));
    }
  }
  return decodeUTF8Go(base, n);
}

const reader = new JsonReader();

// The payload of a compact JWS (three base64url parts), as a JSON object, or null when `token` is no JWT.
export function jwtPayload(token: string): JValue | null {
  if (!isJWTShape(token)) return null;
  const d1 = indexOfChar(token, 0x2e, 0);
  const d2 = indexOfChar(token, 0x2e, d1 + 1);
  const text = base64urlDecode(token.substring(d1 + 1, d2));
  if (text == null) return null;
  return parseClaimsJSON(text);
}

export function parseClaimsJSON(text: string): JValue | null {
  const v = reader.parse(text);
  return v != null && v.isObject() ? v : null;
}

export const CLAIMS_OK = 0;
export const CLAIMS_NOT_SERVICE_ACCOUNT = 1; // a JWT, but not a ServiceAccount token: other credentials
export const CLAIMS_INVALID = 2; // a ServiceAccount token whose claims do not hold together

export let claimsError = "";

function str(o: JValue | null, key: string): string | null {
  if (o == null || !o.isObject()) return null;
  const v = o.get(key);
  return v != null && v.isString() ? v.s : null;
}

function orEmpty(s: string | null): string {
  return s == null ? "" : s;
}

function invalid(msg: string): i32 {
  claimsError = msg;
  return CLAIMS_INVALID;
}

function numericDate(claims: JValue, key: string): i32 {
  const v = claims.get(key);
  if (v == null) return 0;
  if (v.kind != J_NUMBER || !isFinite(v.n)) return -1;
  return 1;
}

function isSegment(s: string): bool {
  return s.length > 0 && s.indexOf(":") < 0 && s.indexOf("/") < 0;
}

// Fills `id` from a claims object. Returns CLAIMS_OK, CLAIMS_NOT_SERVICE_ACCOUNT or CLAIMS_INVALID (claimsError).
export function identityFromClaims(claims: JValue, id: Identity): i32 {
  claimsError = "";
  const sub = str(claims, "sub");
  if (sub == null || !sub.startsWith(SERVICE_ACCOUNT_USERNAME_PREFIX)) return CLAIMS_NOT_SERVICE_ACCOUNT;
  let ns: string | null = null;
  let name: string | null = null;
  const priv = claims.get("kubernetes.io");
  if (priv != null) {
    if (!priv.isObject()) return invalid("the `kubernetes.io` claim is not an object");
    ns = str(priv, "namespace");
    name = str(priv.get("serviceaccount"), "name");
    id.uid = orEmpty(str(priv.get("serviceaccount"), "uid"));
    id.pod = orEmpty(str(priv.get("pod"), "name"));
    id.node = orEmpty(str(priv.get("node"), "name"));
    if (claims.get("exp") == null) return invalid("a bound ServiceAccount token has no `exp` claim");
  } else {
    ns = str(claims, "kubernetes.io/serviceaccount/namespace");
    name = str(claims, "kubernetes.io/serviceaccount/service-account.name");
    id.uid = orEmpty(str(claims, "kubernetes.io/serviceaccount/service-account.uid"));
    id.pod = "";
    id.node = "";
  }
  if (ns == null || name == null) return invalid("the token has no ServiceAccount namespace and name claims");
  if (!isSegment(ns!) || !isSegment(name!)) return invalid("the ServiceAccount namespace or name claim is malformed");
  const user = SERVICE_ACCOUNT_USERNAME_PREFIX + ns! + ":" + name!;
  if (user != sub) return invalid("`sub` does not name the ServiceAccount of the token's claims");
  for (let i = 0; i < 3; i++) {
    const key = i == 0 ? "exp" : i == 1 ? "nbf" : "iat";
    const kind = numericDate(claims, key);
    if (kind < 0) return invalid("the `" + key + "` claim is not a number");
    const present = kind == 1;
    // truncation, as NumericDate does; clamped to what nanoseconds since 1970 can hold
    const secs: i64 = present ? <i64>Math.max(-9.2e9, Math.min(9.2e9, claims.get(key)!.n)) : 0;
    if (i == 0) { id.hasExp = present; id.exp = secs; }
    else if (i == 1) { id.hasNbf = present; id.nbf = secs; }
    else { id.hasIat = present; id.iat = secs; }
  }
  id.user = user;
  id.namespace = ns!;
  id.name = name!;
  id.serviceAccount = ns! + "/" + name!;
  id.groups[1] = GROUP_ALL_SERVICE_ACCOUNTS + ":" + ns!;
  return CLAIMS_OK;
}

export const TIME_OK = 0;
export const TIME_NOT_VALID_YET = 1;
export const TIME_EXPIRED = 2;
export const TIME_ISSUED_IN_FUTURE = 3;

const NS: i64 = 1000000000;

// go-jose ValidateWithLeeway's order: nbf, then exp, then iat.
export function checkTime(id: Identity, nowNs: i64, leewayNs: i64): i32 {
  if (id.hasNbf && nowNs + leewayNs < id.nbf * NS) return TIME_NOT_VALID_YET;
  if (id.hasExp && nowNs - leewayNs > id.exp * NS) return TIME_EXPIRED;
  if (id.hasIat && nowNs + leewayNs < id.iat * NS) return TIME_ISSUED_IN_FUTURE;
  return TIME_OK;
}
