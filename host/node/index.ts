// The package's main export: the engine API (bindings) plus the Kubernetes manifest loader.
import { formatDiagnostic, loadObjects as loadManifestFiles, type LoadOptions } from "../k8s/load.js";

export * from "../../bindings/index.js";

/** The loader's full API: `loadManifests(paths, opts) → {objects: LoadedObject[], diagnostics}` with source positions. */
export { loadObjects as loadManifests, formatDiagnostic, parseText, STDIN_NAME } from "../k8s/load.js";
export type {
  LoadDiagnostic,
  LoadDiagnosticCode,
  LoadedObject,
  LoadOptions,
  LoadResult,
  ParseOptions,
  PathSegment,
  SourcePosition,
} from "../k8s/load.js";

/**
 * Loads Kubernetes objects from files, directories (recursively: *.yaml, *.yml, *.json) and `-` (stdin), for
 * createEngine(). Throws an Error listing the diagnostics (as file:line:col: error: message [CODE]) when any
 * input could not be read; warnings do not throw (use loadManifests to see them).
 */
export async function loadObjects(paths: string[], opts: LoadOptions = {}): Promise<object[]> {
  const result = await loadManifestFiles(paths, opts);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const err = new Error(`cannot load manifests (${errors.length} error${errors.length === 1 ? "" : "s"}):\n` +
      errors.map((d) => "  " + formatDiagnostic(d)).join("\n"));
    (err as Error & { diagnostics: unknown }).diagnostics = errors;
    throw err;
  }
  return result.objects.map((o) => o.object as object);
}
