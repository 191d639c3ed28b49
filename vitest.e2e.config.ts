// `npm run test:e2e`: the scenarios of test/e2e against real processes (etcd, kube-apiserver v1.20, `rbac-guard serve`
// from dist/). Needs the kube-apiserver binary (KUBE_APISERVER, or the cache of ../shared/scripts/kube-apiserver.sh)
// and etcd; kubectl is used when installed. See docs/e2e.md.
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    // why: these also need kube-controller-manager (npm run test:e2e:controller)
    exclude: [...configDefaults.exclude, "test/e2e/controller/**"],
    // why: each file starts its own etcd + kube-apiserver(s) + rbac-guard; they mostly wait on child processes,
    // so the files run side by side even on 2 cores
    fileParallelism: true,
    maxWorkers: 3,
    testTimeout: 120_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    // why: a failing scenario must not leave the next ones with a half-changed cluster: tests run in order
    sequence: { concurrent: false },
  },
});
