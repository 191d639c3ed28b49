// The refusal kube-apiserver itself would send: a metav1.Status with reason Forbidden (apierrors.NewForbidden
// around responsewriters' forbiddenMessage), encoded as Go's encoding/json writes it.
import { jsonQuote, quoteASCIIFast } from "./json";
import { goQuote as goQuoteFull } from "../util/quote";

function goQuote(s: string): string {
  return quoteASCIIFast(s, goQuoteFull);
}
import { RequestInfo } from "../eval/requestinfo";

// responsewriters.forbiddenMessage
export function forbiddenMessage(user: string, ri: RequestInfo): string {
  if (!ri.isResourceRequest) return "User " + goQuote(user) + " cannot " + ri.verb + " path " + goQuote(ri.path);
  let resource = ri.resource;
  if (ri.subresource.length > 0) resource += "/" + ri.subresource;
  if (ri.namespace.length > 0) {
    return "User " + goQuote(user) + " cannot " + ri.verb + " resource " + goQuote(resource) + " in API group " +
      goQuote(ri.apiGroup) + " in the namespace " + goQuote(ri.namespace);
  }
  return "User " + goQuote(user) + " cannot " + ri.verb + " resource " + goQuote(resource) + " in API group " +
    goQuote(ri.apiGroup) + " at the cluster scope";
}

// apierrors.NewForbidden(GroupResource{group, resource}, name, err).Error(), as a Status body.
export function forbiddenStatus(group: string, resource: string, name: string, err: string): string {
  let message: string;
  if (group.length == 0 && resource.length == 0) message = "forbidden: " + err;
  else {
    const gr = group.length == 0 ? resource : resource + "." + group;
    message = name.length == 0 ? gr + " is forbidden: " + err : gr + " " + goQuote(name) + " is forbidden: " + err;
  }
  let details = "";
  if (name.length > 0) details += "\"name\":" + jsonQuote(name, true);
  if (group.length > 0) details += (details.length > 0 ? "," : "") + "\"group\":" + jsonQuote(group, true);
  if (resource.length > 0) details += (details.length > 0 ? "," : "") + "\"kind\":" + jsonQuote(resource, true);
  return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":" +
    jsonQuote(message, true) + ",\"reason\":\"Forbidden\",\"details\":{" + details + "},\"code\":403}";
}

// The Status for a refusal of a request whose user and attributes are known (responsewriters.Forbidden).
export function forbiddenForRequest(user: string, ri: RequestInfo, reason: string): string {
  const msg = forbiddenMessage(user, ri);
  const err = reason.length == 0 ? msg : msg + ": " + reason;
  if (!ri.isResourceRequest) return forbiddenStatus("", "", "", err);
  return forbiddenStatus(ri.apiGroup, ri.resource, ri.name, err);
}
