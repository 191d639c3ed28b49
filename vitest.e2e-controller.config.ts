// `npm run test:e2e:controller`: test/e2e/controller, scenarios that also need kube-controller-manager v1.20
// (scripts/kube-controller-manager.sh builds it once). Not part of CI; see docs/e2e.md.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/controller/**/*.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    sequence: { concurrent: false },
  },
});
