// Vite build of the manifest-lint page: host/web → dist/web (relative URLs, so any static server or sub-path works).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const repo = fileURLToPath(new URL("../..", import.meta.url));
const version = (JSON.parse(readFileSync(`${repo}package.json`, "utf8")) as { version: string }).version;

export default defineConfig({
  root,
  base: "./",
  publicDir: false,
  // the package version, for the footer and SARIF's tool.driver.version
  define: { __RBAC_GUARD_VERSION__: JSON.stringify(version) },
  logLevel: "warn",
  build: {
    outDir: `${repo}dist/web`,
    emptyOutDir: true,
    target: "es2022",
    // why: never inline assets as data: URLs; the core module must stay the byte-identical release file
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
  },
  worker: { format: "es" },
  server: { fs: { allow: [repo] } },
});
