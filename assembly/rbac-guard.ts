// Entry of the core module (named so: json-as empties a module whose entry is assembly/index.ts).
export * from "./abi/api";
export * from "./abi/queries-api";
export * from "./abi/lint-api";
export * from "./abi/requestinfo-api";
// why: the asconfig "use" abort=assembly/abi/abort/onAbort needs the file in the program
import "./abi/abort";
