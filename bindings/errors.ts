// Errors of the engine boundary. Codes are stable; messages are lowercase, without a final period.

export type EngineErrorCode =
  | "ABI_MISMATCH"      // the module speaks another major ABI version than these bindings
  | "MODULE_NOT_FOUND"  // the .wasm file could not be read
  | "BAD_INPUT"         // the caller's input is not what the API takes
  | "BAD_CONFIG"        // the lint configuration is malformed (path says where)
  | "ENGINE_FAILURE"    // the module answered with a failure envelope
  | "ENGINE_TRAP";      // the module trapped; the instance was discarded

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly path?: string;
  constructor(code: EngineErrorCode, message: string, path?: string) {
    super(message);
    this.name = "EngineError";
    this.code = code;
    this.path = path;
  }
}
