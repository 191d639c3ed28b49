// Vite asset imports used by the browser bindings (./load-web.ts): `?url` resolves to the emitted file's URL.
declare module "*.wasm?url" {
  const url: string;
  export default url;
}
