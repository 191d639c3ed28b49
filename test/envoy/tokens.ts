// Test credentials: ServiceAccount JWTs shaped like kube-apiserver's (bound and legacy), and the protobuf
// google.protobuf.Struct encoding real Envoy uses for a metadata property.

export const NOW_S = 1_750_000_000; // a fixed clock for the tests (2025-06-15)
export const NOW_NS = BigInt(NOW_S) * 1_000_000_000n;

function b64url(s: string | Uint8Array): string {
  return Buffer.from(s).toString("base64url");
}

export function jwt(claims: object, header: object = { alg: "RS256", kid: "test" }): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.${b64url("signature")}`;
}

export interface SAOptions { exp?: number | null; nbf?: number | null; iat?: number | null; sub?: string; pod?: string }

/** Claims of a bound ServiceAccount token (TokenRequest API) for namespace/name. */
export function saClaims(namespace: string, name: string, o: SAOptions = {}): Record<string, unknown> {
  const c: Record<string, unknown> = {
    aud: ["https://kubernetes.default.svc.cluster.local"],
    iss: "https://kubernetes.default.svc.cluster.local",
    jti: "7d0a6a35-0e2c-4c4c-9f59-1b3e6c1e1f00",
    "kubernetes.io": {
      namespace,
      node: { name: "node-1", uid: "0b4e0a1c-1111-4c4c-9f59-1b3e6c1e1f00" },
      pod: { name: o.pod ?? `${name}-7c9f8d-x2x9z`, uid: "5c7e6a1c-2222-4c4c-9f59-1b3e6c1e1f00" },
      serviceaccount: { name, uid: "9e1f2a3b-3333-4c4c-9f59-1b3e6c1e1f00" },
      warnafter: NOW_S + 600,
    },
    sub: o.sub ?? `system:serviceaccount:${namespace}:${name}`,
  };
  if (o.exp !== null) c.exp = o.exp ?? NOW_S + 3600;
  if (o.iat !== null) c.iat = o.iat ?? NOW_S - 60;
  if (o.nbf !== null) c.nbf = o.nbf ?? NOW_S - 60;
  return c;
}

/** Claims of a legacy Secret-based ServiceAccount token (no expiry). */
export function legacyClaims(namespace: string, name: string): Record<string, unknown> {
  return {
    iss: "kubernetes/serviceaccount",
    "kubernetes.io/serviceaccount/namespace": namespace,
    "kubernetes.io/serviceaccount/secret.name": `${name}-token-abcde`,
    "kubernetes.io/serviceaccount/service-account.name": name,
    "kubernetes.io/serviceaccount/service-account.uid": "9e1f2a3b-3333-4c4c-9f59-1b3e6c1e1f00",
    sub: `system:serviceaccount:${namespace}:${name}`,
  };
}

// ---- protobuf ---------------------------------------------------------------------------------------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

function field(num: number, wire: number): number[] {
  return varint((num << 3) | wire);
}

function lenDelimited(num: number, bytes: number[]): number[] {
  return [...field(num, 2), ...varint(bytes.length), ...bytes];
}

function value(v: unknown): number[] {
  if (v === null || v === undefined) return [...field(1, 0), 0];
  if (typeof v === "number") {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    return [...field(2, 1), ...b];
  }
  if (typeof v === "string") return lenDelimited(3, [...Buffer.from(v, "utf8")]);
  if (typeof v === "boolean") return [...field(4, 0), v ? 1 : 0];
  if (Array.isArray(v)) return lenDelimited(6, v.flatMap((x) => lenDelimited(1, value(x))));
  return lenDelimited(5, structBytes(v as Record<string, unknown>));
}

function structBytes(o: Record<string, unknown>): number[] {
  return Object.entries(o).flatMap(([k, v]) => lenDelimited(1, [...lenDelimited(1, [...Buffer.from(k, "utf8")]), ...lenDelimited(2, value(v))]));
}

/** google.protobuf.Struct, binary: what Envoy returns for a Struct-valued property. */
export function encodeStruct(o: Record<string, unknown>): Uint8Array {
  return Uint8Array.from(structBytes(o));
}
