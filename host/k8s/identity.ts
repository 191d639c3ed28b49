// Who a request's user is, as the API server's authenticators see it. Browser-safe (no Node built-ins): the CLI and
// the web page share it.

export const ANONYMOUS = "system:anonymous";
export const AUTHENTICATED = "system:authenticated";
export const UNAUTHENTICATED = "system:unauthenticated";
const SA_PREFIX = "system:serviceaccount:";

/**
 * The groups the API server would give `user` on top of `groups`: `system:authenticated` (or
 * `system:unauthenticated` for `system:anonymous`), and for `system:serviceaccount:NS:NAME` also
 * `system:serviceaccounts` and `system:serviceaccounts:NS`, as the service-account token authenticator does.
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
  add(user === ANONYMOUS ? UNAUTHENTICATED : AUTHENTICATED);
  return out;
}
