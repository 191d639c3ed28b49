// Globs of the filter configuration: "*" matches any run of characters (none included, "/" and ":" too);
// every other character is literal. Linear-time matching with one backtracking point.

export function globMatch(pattern: string, s: string): bool {
  if (pattern == "*") return true;
  if (pattern.indexOf("*") < 0) return pattern == s;
  let p = 0;
  let i = 0;
  let star = -1;
  let mark = 0;
  const pn = pattern.length;
  while (i < s.length) {
    const pc = p < pn ? pattern.charCodeAt(p) : -1;
    if (pc == 0x2a) {
      star = p++;
      mark = i;
    } else if (pc >= 0 && pc == s.charCodeAt(i)) {
      p++;
      i++;
    } else if (star >= 0) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pn && pattern.charCodeAt(p) == 0x2a) p++;
  return p == pn;
}

export function anyGlob(patterns: string[], s: string): bool {
  for (let i = 0; i < patterns.length; i++) if (globMatch(unchecked(patterns[i]), s)) return true;
  return false;
}
