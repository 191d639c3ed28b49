// Abort handler for the JS-hosted build (asconfig "use": abort=assembly/abi/abort/onAbort).
// The message goes to the host as UTF-8, then the instance traps; bindings recreate it.

@external("env", "rbac_host_abort")
declare function hostAbort(ptr: usize, len: usize): void;

export function onAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = message != null ? message : "abort";
  if (fileName != null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  const buf = String.UTF8.encode(text);
  hostAbort(changetype<usize>(buf), <usize>buf.byteLength);
  unreachable();
}
