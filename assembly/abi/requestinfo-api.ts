// rbac_request_info (ABI 1.x addition): kube-apiserver's RequestInfo for an HTTP method and request-target.
//   (ptr, len, flags) -> out. Input: UTF-8 JSON {"method": string, "path": string} where path is the raw
//   request-target (percent-encoded path and query, as in HTTP/2 :path). Output (same buffer rules as every
//   export): {"type":"success","isResourceRequest","path","verb","apiPrefix","apiGroup","apiVersion",
//   "namespace","resource","subresource","name","parts":[...],"error"?} with Kubernetes' field names; "error"
//   is present when kube-apiserver would refuse the request itself (400 for an unparsable URL, 500 for
//   "unable to determine kind and namespace"). Bad input is {"type":"failure","errors":[{code,message,path}]}
//   with code BAD_FLAGS, BAD_JSON or BAD_INPUT. Never aborts: the input is checked before anything reads it.
import { output } from "./memory";
import { RequestInfo, resolveRequestInfo, decodeUTF8Go } from "../eval/requestinfo";
import { JsonReader, JValue, jsonQuote, kindName, requestInfoJSON } from "../envoy/json";

const info = new RequestInfo();
const reader = new JsonReader();

function fail(code: string, message: string, path: string): usize {
  return output("{\"type\":\"failure\",\"errors\":[{\"code\":" + jsonQuote(code, false) + ",\"message\":" +
    jsonQuote(message, false) + ",\"path\":" + jsonQuote(path, false) + "}]}");
}

function stringField(o: JValue, key: string): string | null {
  const v = o.get(key);
  if (v == null) return "";
  return v.isString() ? v.s : null;
}

export function rbac_request_info(ptr: usize, len: u32, flags: u32): usize {
  if (flags != 0) return fail("BAD_FLAGS", "unknown flags for rbac_request_info", "");
  const doc = reader.parse(decodeUTF8Go(ptr, <usize>len));
  if (doc == null) return fail("BAD_JSON", reader.error, "");
  if (!doc.isObject()) return fail("BAD_INPUT", "input must be an object, not " + kindName(doc.kind), "");
  const method = stringField(doc, "method");
  if (method == null) return fail("BAD_INPUT", "`method` must be a string", "method");
  const path = stringField(doc, "path");
  if (path == null) return fail("BAD_INPUT", "`path` must be a string", "path");
  return output(requestInfoJSON(resolveRequestInfo(method, path, info)));
}
