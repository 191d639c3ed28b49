// The lint summary: unsuppressed findings by severity, the suppressed count, objects read, and the subjects that
// hold the most (and most severe) findings.
import { Finding, SubjectRef } from "./finding";
import { CRITICAL } from "./severity";

export const TOP_SUBJECTS = 10;

export class SubjectScore {
  counts: StaticArray<i32> = new StaticArray<i32>(CRITICAL + 1);
  findings: i32 = 0;
  constructor(public subject: SubjectRef) {}
}

export class Summary {
  counts: StaticArray<i32> = new StaticArray<i32>(CRITICAL + 1); // by severity level, unsuppressed
  suppressed: i32 = 0;
  objects: i32 = 0;
  topSubjects: SubjectScore[] = [];
}

// More critical findings first, then high, medium, low, then the key (deterministic).
function rank(a: SubjectScore, b: SubjectScore): i32 {
  for (let level = CRITICAL; level >= 0; level--) {
    const d = b.counts[level] - a.counts[level];
    if (d != 0) return d;
  }
  const ka = a.subject.key();
  const kb = b.subject.key();
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function summarize(findings: Finding[], objects: i32): Summary {
  const s = new Summary();
  s.objects = objects;
  const scores = new Map<string, SubjectScore>();
  const order = new Array<SubjectScore>();
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    if (f.suppressed != null) {
      s.suppressed++;
      continue;
    }
    s.counts[f.severity]++;
    for (let j = 0; j < f.subjects.length; j++) {
      const key = f.subjects[j].key();
      if (!scores.has(key)) {
        const sc = new SubjectScore(f.subjects[j]);
        scores.set(key, sc);
        order.push(sc);
      }
      const sc = scores.get(key);
      sc.counts[f.severity]++;
      sc.findings++;
    }
  }
  order.sort(rank);
  s.topSubjects = order.length > TOP_SUBJECTS ? order.slice(0, TOP_SUBJECTS) : order;
  return s;
}
