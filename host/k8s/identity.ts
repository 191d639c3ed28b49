// Who a request's user is, as the API server's authenticators see it. Browser-safe (no Node built-ins): the CLI and
// the web page share it.

export const ANONYMOUS = "system:anonymous";
export const AUTHENTICATED = "system:authenticated";
export const UNAUTHENTICATED = "system:unauthenticated";
const SA_PREFIX = "system:serviceaccount:";

/**
 * The groups the API server would give `user` on top of `groups`: `system:authenticated` (unless `groups` has
 * `system:unauthenticated`; `system:unauthenticated` for `system:anonymous`, as a real anonymous request gets),
 * and for `system:serviceaccount:NS:NAME` also `system:serviceaccounts` and `system:serviceaccounts:NS`, as the
 * service-account token authenticator does. (kubectl --as impersonation differs in two corners, where this follows
 * real credentials: it adds nothing for system:anonymous, and no ServiceAccount groups when --as-group is given.)
 */
export function withImplicitGroups(user: string, groups: readonly string[]): string[] {
  const out = [...groups];
  const add = (g: string) => {
    if (!out.includes(g)) out.push(g);
  };
  if (user.startsWith(SA_PREFIX)) {
    const parts = user.slice(SA_PREFIX.length).split(":");
    if (parts.length === 2 && parts[0] !== "" && parts[1] !== "") {
      add("system:serviceaccounts");
      add(`system:serviceaccounts:${parts[0]}`);
    }
  }
  // why: as kube-apiserver's impersonation filter, no system:authenticated for a user already given
  // system:unauthenticated; the anonymous user gets system:unauthenticated, as a real anonymous request does
  if (user === ANONYMOUS) add(UNAUTHENTICATED);
  else if (!out.includes(UNAUTHENTICATED)) add(AUTHENTICATED);
  return out;
}
