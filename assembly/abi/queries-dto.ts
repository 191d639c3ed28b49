// Wire shapes of the query exports (who can, rules for, covers, escalation check, explain).
import { JSON } from "json-as";
import { PolicyRuleDTO } from "./dto";

@json
export class GrantDTO {
  binding: string = "";
  role: string = "";
  ruleIndex: i32 = -1;
}

@json
export class WhoCanSubjectDTO {
  kind: string = "";
  apiGroup: string = "";
  name: string = "";
  namespace: string = "";
  grants: GrantDTO[] = [];
}

@json
export class WhoCanResultDTO {
  type: string = "success";
  subjects: WhoCanSubjectDTO[] = [];
  errors: string[] = [];
}

// Input of rbac_rules_for, read by json-input.ts.
export class SubjectInputDTO {
  user: string = "";
  groups: string[] = [];
  namespace: string = "";
}

@json
export class ResourceRuleDTO {
  verbs: string[] = [];
  apiGroups: string[] = [];
  resources: string[] = [];
  resourceNames: string[] = [];
  source: GrantDTO = new GrantDTO();
}

@json
export class NonResourceRuleDTO {
  verbs: string[] = [];
  nonResourceURLs: string[] = [];
  source: GrantDTO = new GrantDTO();
}

@json
export class RulesForResultDTO {
  type: string = "success";
  resourceRules: ResourceRuleDTO[] = [];
  nonResourceRules: NonResourceRuleDTO[] = [];
  incomplete: bool = false;
  @omitif((self: RulesForResultDTO) => self.evaluationError.length == 0)
  evaluationError: string = "";
}

// Input of rbac_covers, read by json-input.ts.
export class CoversInputDTO {
  owner: PolicyRuleDTO[] = [];
  servant: PolicyRuleDTO[] = [];
}

@json
export class CoversResultDTO {
  type: string = "success";
  covers: bool = true;
  uncovered: PolicyRuleDTO[] = [];
  missing: string[] = [];
}

// Input of rbac_check_escalation, read by json-input.ts.
export class EscalationInputDTO {
  user: string = "";
  groups: string[] = [];
  namespace: string = "";
  kind: string = "Role";
  name: string = "";
  // "create" (POST: the request names no role) or "update" (PUT/PATCH of the named role)
  operation: string = "create";
  rules: PolicyRuleDTO[] = [];
}

@json
export class EscalationResultDTO {
  type: string = "success";
  allowed: bool = false;
  // "system:masters", "escalate" (the user holds the escalate verb), "covered", or "" when refused
  via: string = "";
  message: string = "";
  uncovered: PolicyRuleDTO[] = [];
  missing: string[] = [];
}

@json
export class ExplainResultDTO {
  type: string = "success";
  allowed: bool = false;
  reason: string = "";
  @omitif((self: ExplainResultDTO) => self.evaluationError.length == 0)
  evaluationError: string = "";
  @omitif((self: ExplainResultDTO) => self.grant.binding.length == 0)
  grant: GrantDTO = new GrantDTO();
}
