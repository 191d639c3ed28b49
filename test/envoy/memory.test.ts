// Memory stays flat: many requests of every kind through one VM, and configuration reloads, must stop growing the
// module's linear memory once warmed up (buffers the host hands over are freed, scratch state is reused).
// RBAC_GUARD_ENVOY_REQUESTS sets the count (default 200,000; the issue asks for 10^5 to 10^6).
import { describe, test, expect } from "vitest";
import { Action, type RequestSpec } from "./host.js";
import { newHost, saRequest, baseConfig } from "./fixtures.js";
import { NOW_S } from "./tokens.js";

const REQUESTS = Number(process.env.RBAC_GUARD_ENVOY_REQUESTS ?? 200_000);

function workload(): RequestSpec[] {
  return [
    saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods?watch=true&fieldSelector=metadata.name%3Dweb-0" }),
    saRequest("team-a", "app", { path: "/api/v1/namespaces/team-b/pods/web-1" }),
    saRequest("ci", "deployer", { method: "POST", path: "/api/v1/namespaces/team-a/pods/web-0/exec?command=sh" }),
    saRequest("ci", "deployer", { method: "PATCH", path: "/apis/apps/v1/namespaces/team-a/deployments/web" }, { address: "192.168.9.9:1" }),
    saRequest("team-a", "app", { path: "/healthz" }, { protobuf: false }),
    saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" }, { exp: NOW_S - 3600 }),
    { path: "/api/v1/namespaces/team-a/secrets", headers: { authorization: "Basic YWxpY2U6c2VjcmV0" } },
    saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods/%zz" }),
  ];
}

describe("memory", () => {
  test(`${REQUESTS.toLocaleString("en-US")} mixed requests: linear memory stops growing`, () => {
    const host = newHost();
    const specs = workload();
    const warmup = Math.min(20_000, REQUESTS / 5);
    let allowedCount = 0;
    let afterWarmup = 0;
    const samples: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const r = host.request(specs[i % specs.length]);
      if (r.action === Action.Continue) allowedCount++;
      if (i + 1 === warmup) afterWarmup = host.memoryBytes;
      if ((i + 1) % 10_000 === 0) samples.push(host.memoryBytes);
    }
    expect(host.trapped).toBe(false);
    expect(allowedCount).toBe((REQUESTS / specs.length) * 3); // allowed, /healthz, Basic (passthrough)
    expect(host.metric("rbac_guard.requests")).toBe(BigInt(REQUESTS));
    expect(host.memoryBytes, `memory samples every 10k requests: ${samples.join(", ")}`).toBe(afterWarmup);
  }, 300_000);

  test("reloading the configuration 300 times does not grow memory past the first reloads", () => {
    const host = newHost();
    const spec = saRequest("team-a", "app", { path: "/api/v1/namespaces/team-a/pods" });
    let after = 0;
    for (let i = 0; i < 300; i++) {
      expect(host.configure(i % 3 === 2 ? "{broken" : { ...baseConfig, deny: [...baseConfig.deny, { name: `rule-${i % 7}`, verbs: ["escalate"] }] })).toBe(i % 3 !== 2);
      for (let j = 0; j < 20; j++) expect(host.request(spec).action).toBe(Action.Continue);
      if (i === 50) after = host.memoryBytes;
    }
    expect(host.memoryBytes).toBe(after);
  }, 120_000);
});
