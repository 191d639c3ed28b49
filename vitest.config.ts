// `npm test`: vitest's defaults, except the end-to-end suite against a real kube-apiserver (test/e2e), which runs
// on its own with `npm run test:e2e` (vitest.e2e.config.ts).
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    exclude: [...configDefaults.exclude, "test/e2e/**"],
  },
});
