// Entry of the Envoy build (asconfig target "envoy" -> build/rbac-guard-envoy.wasm): the Proxy-Wasm ABI 0.2.1
// filter, linked with the same core as build/rbac-guard.wasm. It also exports the core's rbac_* ABI, so the
// shared vectors can prove that this module answers exactly like the library.
export * from "./exports";
export * from "../abi/api";
export * from "../abi/queries-api";
export * from "../abi/requestinfo-api";
// why: the asconfig "use" abort=assembly/envoy/abort/onAbort needs the file in the program
import "./abort";
