// Wire shapes (json-as). Field names are the Kubernetes API's, so raw objects from kubectl decode as is;
// unknown fields are skipped. Only assembly/abi/ knows these classes.
import { JSON } from "json-as";
import { ObjectReferenceDTO, OwnerReferenceDTO, WorkloadSpecDTO } from "./inventory-dto";

@json
export class ObjectMetaDTO {
  @optional name: string = "";
  @optional namespace: string = "";
  @optional labels: Map<string, string> = new Map();
  @optional annotations: Map<string, string> = new Map();
  @optional ownerReferences: OwnerReferenceDTO[] = [];
}

@json
export class PolicyRuleDTO {
  @optional verbs: string[] = [];
  @optional apiGroups: string[] = [];
  @optional resources: string[] = [];
  @optional resourceNames: string[] = [];
  @optional nonResourceURLs: string[] = [];
}

@json
export class LabelSelectorRequirementDTO {
  @optional key: string = "";
  @optional operator: string = "";
  @optional values: string[] = [];
}

@json
export class LabelSelectorDTO {
  @optional matchLabels: Map<string, string> = new Map();
  @optional matchExpressions: LabelSelectorRequirementDTO[] = [];
}

@json
export class AggregationRuleDTO {
  @optional clusterRoleSelectors: LabelSelectorDTO[] = [];
}

@json
export class RoleRefDTO {
  @optional apiGroup: string = "";
  @optional kind: string = "";
  @optional name: string = "";
}

@json
export class SubjectDTO {
  @optional kind: string = "";
  @optional apiGroup: string = "";
  @optional name: string = "";
  @optional namespace: string = "";
}

@json
export class ObjectDTO {
  @optional apiVersion: string = "";
  @optional kind: string = "";
  @optional metadata: ObjectMetaDTO = new ObjectMetaDTO();
  @optional rules: PolicyRuleDTO[] = [];
  @optional aggregationRule: AggregationRuleDTO | null = null;
  @optional roleRef: RoleRefDTO = new RoleRefDTO();
  @optional subjects: SubjectDTO[] = [];
  // ServiceAccount, Secret and workloads (read by the guardrail checks only)
  @optional automountServiceAccountToken: JSON.Box<bool> | null = null;
  @optional secrets: ObjectReferenceDTO[] = [];
  @optional type: string = "";
  @optional spec: WorkloadSpecDTO | null = null;
}

@json
export class ObjectListDTO {
  @optional items: ObjectDTO[] = [];
}

// Inputs read by json-input.ts (not json-as): SubjectAccessReview v1 spec (extra and uid are accepted and unused by
// RBAC).
export class ResourceAttributesDTO {
  namespace: string = "";
  verb: string = "";
  group: string = "";
  version: string = "";
  resource: string = "";
  subresource: string = "";
  name: string = "";
}

export class NonResourceAttributesDTO {
  path: string = "";
  verb: string = "";
}

export class SubjectAccessReviewSpecDTO {
  user: string = "";
  groups: string[] = [];
  uid: string = "";
  resourceAttributes: ResourceAttributesDTO | null = null;
  nonResourceAttributes: NonResourceAttributesDTO | null = null;
}

@json
export class ErrorDTO {
  code: string = "";
  message: string = "";
  path: string = "";
}

@json
export class WarningDTO {
  code: string = "";
  message: string = "";
  object: i32 = -1;
  path: string = "";
}

@json
export class LoadStatsDTO {
  roles: i32 = 0;
  clusterRoleBindings: i32 = 0;
  roleBindings: i32 = 0;
  vocabulary: i32 = 0;
}

@json
export class LoadResultDTO {
  type: string = "success";
  snapshot: i32 = 0;
  stats: LoadStatsDTO = new LoadStatsDTO();
  warnings: WarningDTO[] = [];
}

@json
export class FailureDTO {
  type: string = "failure";
  errors: ErrorDTO[] = [];
}

@json
export class AuthorizeResultDTO {
  type: string = "success";
  allowed: bool = false;
  reason: string = "";
  @omitif((self: AuthorizeResultDTO) => self.evaluationError.length == 0)
  evaluationError: string = "";
}
