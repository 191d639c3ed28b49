// A guardrail finding, as the checks produce it (abi/lint-api.ts turns it into the wire shape).
import { Subject, SUBJECT_SERVICE_ACCOUNT } from "../model/policy";

export class SubjectRef {
  private cachedKey: string = "";
  constructor(public kind: string, public name: string, public namespace: string) {}

  key(): string {
    if (this.cachedKey.length == 0) this.cachedKey = this.kind + "/" + this.namespace + "/" + this.name;
    return this.cachedKey;
  }

  // A binding's subject; a ServiceAccount without a namespace in a RoleBinding means the binding's namespace.
  static of(s: Subject, bindingNamespace: string): SubjectRef {
    const ns = s.kind == SUBJECT_SERVICE_ACCOUNT && s.namespace.length == 0 ? bindingNamespace : s.namespace;
    return new SubjectRef(s.kind, s.name, ns);
  }
}

// One step of workload → ServiceAccount → binding → role → rule.
export const STEP_WORKLOAD = "Workload";
export const STEP_SERVICE_ACCOUNT = "ServiceAccount";
export const STEP_BINDING = "Binding";
export const STEP_ROLE = "Role";
export const STEP_RULE = "Rule";

export class PathStep {
  constructor(public kind: string, public object: string, public ruleIndex: i32 = -1) {}
}

export class Suppression {
  constructor(public reason: string, public expires: string, public source: string) {}
}

export class Finding {
  id: string = "";
  concept: string = "";
  severity: i32 = 0;
  object: string = "";
  objectIndex: i32 = -1;
  fieldPath: string = "";
  message: string = "";
  subjects: SubjectRef[] = [];
  path: PathStep[] = [];
  suppressed: Suppression | null = null;
  private subjectKeys: Set<string> | null = null;

  addSubject(s: SubjectRef): void {
    if (this.subjectKeys == null) this.subjectKeys = new Set<string>();
    const keys = this.subjectKeys!;
    const k = s.key();
    if (keys.has(k)) return;
    keys.add(k);
    this.subjects.push(s);
  }
}

export function finding(id: string, severity: i32, object: string, objectIndex: i32, fieldPath: string, message: string): Finding {
  const f = new Finding();
  f.id = id;
  f.concept = id;
  f.severity = severity;
  f.object = object;
  f.objectIndex = objectIndex;
  f.fieldPath = fieldPath;
  f.message = message;
  return f;
}
