// Wire shapes of the lint exports: findings and summary (the output of rbac_lint, whose configuration json-input.ts
// reads straight into checks/config.ts's LintConfig), and the check catalog (rbac_checks). See bindings/ABI.md.
import { JSON } from "json-as";
import { WarningDTO } from "./dto";

@json
export class LintSubjectDTO {
  kind: string = "";
  name: string = "";
  namespace: string = "";
}

@json
export class LintPathStepDTO {
  kind: string = "";
  object: string = "";
  @omitif((self: LintPathStepDTO) => self.ruleIndex < 0)
  ruleIndex: i32 = -1;
}

@json
export class LintSuppressionDTO {
  reason: string = "";
  @omitif((self: LintSuppressionDTO) => self.expires.length == 0)
  expires: string = "";
  source: string = "";
}

@json
export class LintFindingDTO {
  id: string = "";
  concept: string = "";
  severity: string = "";
  object: string = "";
  objectIndex: i32 = -1;
  fieldPath: string = "";
  message: string = "";
  subjects: LintSubjectDTO[] = [];
  path: LintPathStepDTO[] = [];
  @omitnull()
  suppressed: LintSuppressionDTO | null = null;
}

@json
export class SeverityCountsDTO {
  critical: i32 = 0;
  high: i32 = 0;
  medium: i32 = 0;
  low: i32 = 0;
}

@json
export class TopSubjectDTO {
  kind: string = "";
  name: string = "";
  namespace: string = "";
  findings: i32 = 0;
  bySeverity: SeverityCountsDTO = new SeverityCountsDTO();
}

@json
export class LintSummaryDTO {
  bySeverity: SeverityCountsDTO = new SeverityCountsDTO();
  unsuppressed: i32 = 0;
  suppressed: i32 = 0;
  objects: i32 = 0;
  topSubjects: TopSubjectDTO[] = [];
}

@json
export class LintResultDTO {
  type: string = "success";
  findings: LintFindingDTO[] = [];
  summary: LintSummaryDTO = new LintSummaryDTO();
  warnings: WarningDTO[] = [];
}

@json
export class CheckInfoDTO {
  id: string = "";
  severity: string = "";
  anchor: string = "";
  title: string = "";
  rationale: string = "";
  remediation: string = "";
  tools: string[] = [];
}

@json
export class ChecksResultDTO {
  type: string = "success";
  checks: CheckInfoDTO[] = [];
}
